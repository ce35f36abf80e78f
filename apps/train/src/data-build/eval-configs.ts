import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Writes `eval-<name>.json` into a build: a `clapjs eval` config whose dataset is one of the
 * build's manifests (paths resolve against the build directory) with the zero-shot prompts of
 * that set, so a trained model is scored with
 * `clapjs eval --config <build>/eval-<name>.json --model <run>/model --split test`.
 * The zero-shot classes are the distinct labels of the set.
 */
export function writeEvalConfig(
  dir: string,
  name: string,
  manifest: string,
  templates: readonly string[],
): string {
  const file = `eval-${name}.json`;
  const config = {
    name: `eval-${name}`,
    data: { dataset: { name: 'manifest', path: manifest }, batchSize: 32 },
    eval: { split: 'test', templates, maxItems: 100_000 },
  };
  writeFileSync(join(dir, file), JSON.stringify(config, null, 2) + '\n');
  return file;
}
