// Trains the tiny config once for the whole test run; the tests read its outputs (summary.json,
// model/, report.html, metrics.jsonl) instead of training again.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { loadConfig, runTraining } from '../src/index.js';

declare module 'vitest' {
  export interface ProvidedContext {
    tinyRun: string;
    tinyConfig: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const root = mkdtempSync(join(tmpdir(), 'clapjs-cli-'));
  const out = join(root, 'tiny');
  const config = new URL('../configs/tiny.yaml', import.meta.url).pathname;
  await runTraining(loadConfig(config), { out, progress: false, log: () => {} });
  project.provide('tinyRun', out);
  project.provide('tinyConfig', config);
  return () => rmSync(root, { recursive: true, force: true });
}
