/**
 * Registers the built-in dataset plugins (`manifest`, `esc50`, `clotho`, `audiocaps`,
 * `webdataset`, `synth`) with @clapjs/core's registry. Import for its side effect.
 * @packageDocumentation
 */
import { register, type AnyPlugin } from '@clapjs/core';
import { datasetPlugins } from '@clapjs/data';

for (const plugin of datasetPlugins as readonly AnyPlugin[]) register(plugin);
