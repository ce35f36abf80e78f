/**
 * @clapjs/model/load — the model loader of @clapjs/trainer's gradient workers: pass this entry's
 * URL as the trainer's `modelLoader` (`import.meta.resolve('@clapjs/model/load')`) and each worker
 * loads its copy of a ClapModel with {@link loadModel}.
 * @packageDocumentation
 */
import type { ModelLoader } from '@clapjs/core';
// Through the package's index, which registers the built-in part plugins a saved config names.
import { ClapModel } from './index.js';

/** `ClapModel.load(dir)`, as core's `ModelLoader`: the model a `ClapModel.save(dir)` wrote. */
export const loadModel: ModelLoader = (dir) => ClapModel.load(dir);
