import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { CLI, tempDir } from './helpers.js';

// The webgpu route through the real CLI, on SwiftShader (Debian chromium-common: a Vulkan driver
// that runs on the CPU; CI installs it and libvulkan1 through .ci/apt-packages). Run, never
// skipped: without an adapter the CLI fails and so does this test, saying why.
const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';
const STEPS = 6;

/**
 * configs/default.yaml with its model unchanged (cnn-small, 2-layer transformer, MLP projections,
 * symmetric CLAP loss) and only the data and the schedule cut to fit SwiftShader (each WebGPU
 * shader compiles in about a second there, a step takes seconds): 0.5 s clips instead of 2 s,
 * 7 synth items of which 4 train (one fixed batch of 4, so the loss of one batch is followed),
 * no warmup, 6 steps.
 */
function cutDefaultConfig(dir: string): string {
  const config = parse(
    readFileSync(new URL('../configs/default.yaml', import.meta.url), 'utf8'),
  ) as {
    model: { audio: Record<string, unknown> };
    data: { dataset: Record<string, unknown>; batchSize: number };
    train: Record<string, unknown>;
    eval: Record<string, unknown>;
  };
  config.model.audio.clipSeconds = 0.5;
  config.data.dataset = { ...config.data.dataset, size: 7, heldOut: 0.5 };
  config.data.batchSize = 4;
  config.train = { ...config.train, lr: 0.001, warmupSteps: 1 };
  config.eval = { split: 'train', maxItems: 4 };
  const file = join(dir, 'default-cut.yaml');
  writeFileSync(file, stringify(config));
  return file;
}

function train(
  config: string,
  out: string,
  backend: string,
  env: NodeJS.ProcessEnv = process.env,
  extra: string[] = [],
) {
  return spawnSync(
    process.execPath,
    [
      CLI,
      'train',
      '--config',
      config,
      '--backend',
      backend,
      '--steps',
      String(STEPS),
      '--out',
      out,
      '--no-progress',
      ...extra,
    ],
    {
      encoding: 'utf8',
      env,
      timeout: 400_000,
    },
  );
}

interface Record_ {
  type: string;
  step: number;
  loss?: number;
  numTensors?: number;
}
const records = (out: string): Record_[] =>
  readFileSync(join(out, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record_);
const losses = (out: string): number[] =>
  records(out)
    .filter((r) => r.type === 'step')
    .map((r) => r.loss ?? NaN);
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('clapjs train --backend webgpu (SwiftShader)', () => {
  it('trains the default model: reports webgpu and the kernel pack, the loss falls, tensors stay constant, same losses as wasm', () => {
    const dir = tempDir('clapjs-webgpu-');
    const config = cutDefaultConfig(dir);
    const env = { ...process.env };
    if (
      env.VK_ICD_FILENAMES === undefined &&
      env.VK_DRIVER_FILES === undefined &&
      existsSync(SWIFTSHADER)
    )
      env.VK_ICD_FILENAMES = SWIFTSHADER;
    const out = join(dir, 'webgpu');
    const run = train(config, out, 'webgpu', env);
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toMatch(
      /backend: webgpu\n\s+✓ webgpu: @tensorflow\/tfjs-backend-webgpu via the webgpu package \(Dawn\)/,
    );
    expect(run.stdout).toMatch(/✓ kernel pack @clapjs\/kernels-webgpu: .*BatchMatMul.*AddN/);
    expect(run.stdout).toContain(`done: ${STEPS} steps`);
    expect(
      (JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { backend: string }).backend,
    ).toBe('webgpu');

    const got = losses(out);
    expect(got).toHaveLength(STEPS);
    expect(got.every(Number.isFinite)).toBe(true);
    // One fixed batch of 4 (chance: ln 4 = 1.386): the last two steps are below the first two.
    expect(mean(got.slice(-2))).toBeLessThan(mean(got.slice(0, 2)) - 0.1);
    const tensors = records(out)
      .filter((r) => r.type === 'memory')
      .map((r) => r.numTensors);
    expect(tensors).toHaveLength(STEPS);
    expect(new Set(tensors).size, `tensors alive after each step: ${tensors.join(', ')}`).toBe(1);

    // The same run on wasm (seconds): same first loss (same weights, same batch) and the same
    // trajectory up to float rounding, so the webgpu kernels compute the same gradients.
    const reference = join(dir, 'wasm');
    expect(train(config, reference, 'wasm').status).toBe(0);
    const want = losses(reference);
    expect(Math.abs(got[0]! - want[0]!)).toBeLessThanOrEqual(1e-4 * want[0]!);
    got.forEach((loss, i) =>
      expect(
        Math.abs(loss - want[i]!),
        `step ${i + 1}: webgpu ${loss}, wasm ${want[i]}`,
      ).toBeLessThanOrEqual(0.02),
    );
  }, 420_000);

  it('refuses gradient workers on webgpu (a CPU feature) before training, naming the fix', () => {
    const dir = tempDir('clapjs-webgpu-');
    const env = { ...process.env, VK_ICD_FILENAMES: SWIFTSHADER };
    const run = train(cutDefaultConfig(dir), join(dir, 'workers'), 'webgpu', env, [
      '--workers',
      '2',
    ]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(
      /train\.workers 2 needs a CPU backend \(wasm or cpu\); the backend is webgpu.*--workers 1/,
    );
    expect(existsSync(join(dir, 'workers', 'metrics.jsonl'))).toBe(false);
  });

  it('without a GPU adapter, an explicit --backend webgpu fails with exit code 2 and names the fix', () => {
    const dir = tempDir('clapjs-webgpu-');
    const run = train(cutDefaultConfig(dir), join(dir, 'none'), 'webgpu', {
      ...process.env,
      VK_ICD_FILENAMES: join(dir, 'no-such-icd.json'),
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/clapjs: --backend webgpu cannot be used: .*found no GPU adapter/);
    expect(run.stderr).toContain('libvulkan1');
    expect(run.stderr).toContain('VK_ICD_FILENAMES');
  });
});
