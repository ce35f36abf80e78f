import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { decodeWav, fusionLogMel, getPreset, LogMelExtractor } from '@clapjs/audio';
import { HtsatAudioEncoder, htsatLaionNames, type HtsatConfigInput } from '@clapjs/audio-encoders';
import { Rng } from '@clapjs/core';
import { useTestBackend } from '@clapjs/test-backends';
import { describe, expect, it } from 'vitest';
import fused from '../../fixtures/clap/references-fused.json' with { type: 'json' };
import { openCheckpoint } from '../readers/open.js';
import { CLAP_FIXTURES, relativeError } from './test-utils/clap-fixtures.js';

// fixtures/clap/make-clap-fused-fixture.py also saves its fused model as LAION saves one
// (laion-fused-tiny.pt: {"epoch", "state_dict": module.*}). Until the `--from laion` family takes
// fused files, this checks the part that is fusion's own: the .pt's audio tower loads through
// htsatLaionNames with `fusion: true` (every tensor found, shapes as mapped) and, fed the fusion
// input of the three raw clips, gives PyTorch's pooled audio outputs.
const config: HtsatConfigInput = {
  name: 'htsat',
  specSize: 64,
  embedDim: 8,
  depths: [2, 2, 2],
  heads: [1, 2, 2],
  windowSize: 4,
  fusion: true,
};

describe('LAION fused .pt: the audio tower through htsatLaionNames', () => {
  it('every fusion tensor is named and shaped as mapped; the raw clips’ pooled outputs match PyTorch within 1e-4 on wasm+pack', async () => {
    await useTestBackend('wasm+pack');
    const reader = await openCheckpoint(join(CLAP_FIXTURES, 'laion-fused-tiny.pt'));
    const encoder = new HtsatAudioEncoder(config, { melBins: 16, rng: new Rng(0) });
    try {
      // The tower's prefix in the file (`state_dict.module.audio_branch.` as LAION saves it).
      const bn0 = reader.names().find((n) => n.endsWith('audio_branch.bn0.weight'))!;
      const prefix = bn0.slice(0, -'bn0.weight'.length);
      const map = htsatLaionNames(config, 16, prefix);
      expect(map.map((e) => e.names[0])).toContain(`${prefix}patch_embed.mel_conv2d.weight`);
      expect(map.map((e) => e.names[0])).toContain(
        `${prefix}patch_embed.fusion_model.global_att.5.running_var`,
      );
      const variables = new Map(encoder.variables().map((v) => [v.path, v.variable]));
      for (const entry of map) {
        const name = entry.names[0]!;
        expect(reader.info(name).shape, name).toEqual(entry.upstreamShapes[0]);
        const data = (await reader.read(name)) as Float32Array;
        tf.tidy(() => {
          let t = tf.tensor(data, entry.upstreamShapes[0] as number[]);
          if (entry.transform === 'oihw-to-hwio') t = tf.transpose(t, [2, 3, 1, 0]);
          if (entry.transform === 'transpose') t = tf.transpose(t);
          variables.get(entry.path)!.assign(t);
        });
      }
      // The fixture's front end: laion-fused at 8 kHz, n_fft 128, hop 80, 16 mels, 50–4,000 Hz, 2 s.
      const extractor = new LogMelExtractor({
        ...getPreset('laion-fused'),
        sampleRate: 8000,
        nFft: 128,
        winLength: 128,
        hopLength: 80,
        nMels: 16,
        fMin: 50,
        fMax: 4000,
        clipSeconds: 2,
      });
      const inputs = await Promise.all(
        ['short', 'exact', 'long'].map(async (name) => {
          const bytes = await readFile(join(CLAP_FIXTURES, `clip-${name}.wav`));
          return fusionLogMel(decodeWav(new Uint8Array(bytes)).samples, extractor);
        }),
      );
      expect(inputs.map((i) => i.longer)).toEqual(fused.isLonger);
      const x = tf.tensor4d(
        Float32Array.from(inputs.flatMap((i) => Array.from(i.data))),
        [3, 201, 16, 4],
      );
      const pooled = encoder.encode(x, { training: false });
      const error = relativeError(
        await pooled.data(),
        fused.fixtures['laion-fused-tiny'].audioPooled.flat(),
      );
      console.info(`laion-fused-tiny audioPooled: ${error}`);
      expect(error).toBeLessThanOrEqual(1e-4);
      tf.dispose([x, pooled]);
    } finally {
      encoder.dispose();
      await reader.close();
    }
  });
});
