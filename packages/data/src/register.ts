/**
 * Registers the built-in dataset plugins (`manifest`, `esc50`, `clotho`, `audiocaps`,
 * `webdataset`, `synth`) with @clapjs/core's registry. Import for its side effect.
 * @packageDocumentation
 */
import { register } from '@clapjs/core';
import {
  audiocapsDataset,
  clothoDataset,
  esc50Dataset,
  manifestDataset,
  synthDataset,
  webdatasetDataset,
} from '@clapjs/data';

register(manifestDataset);
register(esc50Dataset);
register(clothoDataset);
register(audiocapsDataset);
register(webdatasetDataset);
register(synthDataset);
