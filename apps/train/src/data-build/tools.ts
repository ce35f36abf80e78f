import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { DataBuildError, GM_SPEECH_APT_LINE, MissingToolError } from './errors.js';

/** Where Debian's fluid-soundfont-gm installs the General MIDI soundfont. */
export const DEFAULT_SOUNDFONT = '/usr/share/sounds/sf2/FluidR3_GM.sf2';

/** Where the gm-speech builder finds its tools (defaults: `$PATH` and Debian's soundfont). */
export interface ToolOptions {
  /** The search path for programs, `:`-separated; default `process.env.PATH`. */
  readonly path?: string;
  /** The soundfont file; default `$CLAPJS_SOUNDFONT` or {@link DEFAULT_SOUNDFONT}. */
  readonly soundfont?: string;
}

/** The resolved tools. */
export interface Tools {
  readonly fluidsynth: string;
  readonly espeak: string;
  readonly soundfont: string;
}

function which(program: string, searchPath: string): string | undefined {
  for (const dir of searchPath.split(delimiter)) {
    if (dir === '') continue;
    const full = join(dir, program);
    try {
      accessSync(full, constants.X_OK);
      return full;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/**
 * Finds fluidsynth, espeak-ng and the FluidR3 GM soundfont.
 * @throws MissingToolError naming what is missing and the exact `apt-get install` line
 */
export function checkTools(options: ToolOptions = {}): Tools {
  const searchPath = options.path ?? process.env['PATH'] ?? '';
  const soundfont = options.soundfont ?? process.env['CLAPJS_SOUNDFONT'] ?? DEFAULT_SOUNDFONT;
  const fluidsynth = which('fluidsynth', searchPath);
  const espeak = which('espeak-ng', searchPath);
  const missing: string[] = [];
  if (fluidsynth === undefined) missing.push('fluidsynth');
  if (!existsSync(soundfont)) missing.push(`the soundfont ${soundfont}`);
  if (espeak === undefined) missing.push('espeak-ng');
  if (fluidsynth === undefined || espeak === undefined || missing.length > 0)
    throw new MissingToolError(missing, GM_SPEECH_APT_LINE);
  return { fluidsynth, espeak, soundfont };
}

/** Runs a program to completion; resolves with its stdout and stderr. */
export function runProgram(
  program: string,
  args: readonly string[],
  what: string,
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (error) =>
      reject(
        new DataBuildError(
          'DATA_BUILD_TOOL_FAILED',
          `${what}: could not start ${program} (${error.message}).`,
          { cause: error },
        ),
      ),
    );
    child.on('close', (code) => {
      if (code === 0) resolvePromise({ stdout, stderr });
      else {
        const detail = stderr.trim().split('\n').slice(-3).join(' | ');
        reject(
          new DataBuildError(
            'DATA_BUILD_TOOL_FAILED',
            `${what}: ${program} exited with status ${String(code)}${detail === '' ? '' : `: ${detail}`}.`,
          ),
        );
      }
    });
  });
}

/**
 * Checks that espeak-ng knows every voice variant (it silently falls back to its default voice
 * for an unknown variant, so this is asked up front).
 * @throws DataBuildError (`DATA_BUILD_VOICE`) naming the unknown variants
 */
export async function checkVoices(tools: Tools, variants: readonly string[]): Promise<void> {
  const { stdout } = await runProgram(
    tools.espeak,
    ['--voices=variant'],
    'Listing espeak-ng voices',
  );
  const known = new Set([...stdout.matchAll(/!v\/(\S+)/g)].map((m) => m[1] as string));
  const unknown = variants.filter((v) => !known.has(v));
  if (unknown.length > 0) {
    throw new DataBuildError(
      'DATA_BUILD_VOICE',
      `espeak-ng has no voice variant ${unknown.map((v) => `"${v}"`).join(', ')}. Pick from: ${[...known].sort().slice(0, 30).join(', ')}… (list them all with: espeak-ng --voices=variant)`,
    );
  }
}

/** Runs `tasks` with at most `limit` in flight; results in input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
