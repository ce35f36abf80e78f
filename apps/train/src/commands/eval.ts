import type { BackendName } from '@clapjs/core';
import { evaluate } from '@clapjs/trainer';
import type { EvaluationResult } from '@clapjs/trainer';
import { chooseBackend } from '../backend.js';
import { loadConfig } from '../config.js';
import { buildDataset, makeLoader, zeroShotTaskOf } from '../data.js';
import { loadModel } from '../model-io.js';

/** `clapjs eval --config FILE --model DIR`: retrieval and zero-shot metrics on a split, as JSON. */
export async function evalCommand(
  opts: {
    config: string;
    model?: string;
    split?: 'train' | 'val' | 'test';
    backend: 'auto' | BackendName;
  },
  log: (line: string) => void,
): Promise<EvaluationResult> {
  const loaded = loadConfig(opts.config);
  await chooseBackend(opts.backend, () => {});
  // The config's plugins are imported first: the model may need them to load.
  const model = await loadModel(opts.model, {
    config: { dir: loaded.dir, plugins: loaded.config.plugins },
  });
  try {
    const dataset = buildDataset(loaded);
    const task = zeroShotTaskOf(dataset);
    const result = await evaluate(
      model,
      makeLoader(
        loaded,
        dataset,
        model,
        opts.split ?? loaded.config.eval.split,
        false,
      ).evalBatches(),
      {
        templates:
          loaded.config.eval.templates ??
          (task ? [task.template] : ['This is a sound of {label}.']),
        maxItems: loaded.config.eval.maxItems,
        ...(task ? { classes: task.labels } : {}),
      },
    );
    log(JSON.stringify(result.metrics, null, 2));
    return result;
  } finally {
    model.dispose();
  }
}
