import { audiocapsDataset } from './formats/audiocaps.js';
import { clothoDataset } from './formats/clotho.js';
import { esc50Dataset } from './formats/esc50.js';
import { manifestDataset } from './formats/manifest.js';
import { synthDataset } from './synth/dataset.js';
import { webdatasetDataset } from './formats/webdataset.js';

/** Every dataset plugin this package defines (what `@clapjs/data/register` registers). */
export const datasetPlugins = [
  manifestDataset,
  esc50Dataset,
  clothoDataset,
  audiocapsDataset,
  webdatasetDataset,
  synthDataset,
] as const;
