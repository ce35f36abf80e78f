import { SingleBar } from 'cli-progress';
import { CliError } from '../errors.js';
import { buildGmSpeech, buildRealEval, type BuildSummary } from '../data-build/index.js';

/** The datasets `clapjs data build` can make. */
export const BUILDABLE_DATASETS = ['gm-speech', 'real-eval'] as const;

/**
 * `clapjs data build gm-speech|real-eval --out DIR [--clips N] [--seed S]`: renders the real-audio
 * datasets from Debian packages (fluidsynth + FluidR3 GM, espeak-ng; recorded sound packages) with a
 * progress bar, written atomically.
 */
export async function dataBuildCommand(
  name: string,
  opts: { out: string; clips: string; seed: string; limit?: string },
  log: (line: string) => void,
): Promise<BuildSummary> {
  if (!(BUILDABLE_DATASETS as readonly string[]).includes(name)) {
    throw new CliError(
      'DATA_BUILD_UNKNOWN',
      `Unknown dataset "${name}" for data build; choose ${BUILDABLE_DATASETS.join(' or ')}.`,
    );
  }
  const bar = new SingleBar({
    format: `${name} [{bar}] {value}/{total} clips | ETA {eta_formatted}`,
    stream: process.stderr,
    hideCursor: true,
  });
  let started = false;
  const onProgress = (done: number, total: number) => {
    if (!started) {
      bar.start(total, 0);
      started = true;
    }
    bar.update(done);
  };
  try {
    const summary =
      name === 'gm-speech'
        ? await buildGmSpeech({
            out: opts.out,
            clips: Number(opts.clips),
            seed: Number(opts.seed),
            onProgress,
          })
        : await buildRealEval({
            out: opts.out,
            onProgress,
            ...(opts.limit === undefined ? {} : { limit: Number(opts.limit) }),
          });
    if (started) bar.stop();
    log(JSON.stringify(summary, null, 2));
    return summary;
  } catch (error) {
    if (started) bar.stop();
    throw error;
  }
}
