import { list } from '@clapjs/core';
import type { Split } from '@clapjs/core';
import { isSplitIndexed } from '@clapjs/data';
import { loadConfig } from '../config.js';
import { buildDataset, zeroShotTaskOf } from '../data.js';
import { importPlugins, pluginSearchDirs, registerBuiltins } from '../plugins.js';

/** `clapjs data list`: the registered dataset plugins. */
export async function dataListCommand(log: (line: string) => void): Promise<void> {
  await registerBuiltins();
  for (const p of list('dataset'))
    log(`${p.name.padEnd(12)} ${p.origin}@${p.version}  ${p.description ?? ''}`);
}

/** `clapjs data stats --config FILE`: items per split, captions, labels (and the held-out task). */
export async function dataStatsCommand(
  opts: { config: string },
  log: (line: string) => void,
): Promise<Record<string, unknown>> {
  const loaded = loadConfig(opts.config);
  await registerBuiltins();
  await importPlugins(loaded.config.plugins, pluginSearchDirs({ config: loaded.dir }));
  const dataset = buildDataset(loaded);
  const splits: Partial<Record<Split, number>> = {};
  if (isSplitIndexed(dataset)) {
    for (const s of ['train', 'val', 'test'] as const) splits[s] = dataset.indicesFor(s).length;
  }
  const task = zeroShotTaskOf(dataset);
  const stats = {
    dataset: loaded.config.data.dataset.name,
    size: dataset.size,
    splits,
    ...(task ? { heldOutCombinations: task.labels, heldOutClips: task.indices.length } : {}),
  };
  log(JSON.stringify(stats, null, 2));
  return stats;
}
