// What `clapjs export --quantize float16|uint8` costs: weight bytes, and the change in normalised
// embeddings and zero-shot top-1 between the float32 model and each quantized one, after the
// quantized save is loaded back (tf.io.decodeWeights dequantizes it, as in the browser).
// Usage: node measure.mjs <saved model dir | htsat-roberta> [clips]
//   htsat-roberta: the full-size HTSAT-tiny + RoBERTa-base model of ../htsat-inference/model.mjs
//   (random weights, seed 1).
// Clips: the synth dataset's (seed 5) at the model's rate and clip length; labels: the 16 timbre ×
// contour combinations with the synth prompt. Prints one JSON line per quantization.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { selectBackend } from '@clapjs/core';
import { registerWasmKernels } from '@clapjs/kernels-wasm';
import {
  allComboLabels,
  SYNTH_PROMPT_TEMPLATE,
  SynthDataset,
  synthConfigSchema,
} from '@clapjs/data';
import { ClapModel } from '@clapjs/model';
import { htsatRobertaModel } from '../htsat-inference/model.mjs';

const [which = 'htsat-roberta', clipsArg] = process.argv.slice(2);
const count = Number(clipsArg ?? (which === 'htsat-roberta' ? 6 : 64));
await selectBackend('wasm');
try {
  const { registerNativeKernels } = await import('../../packages/kernels-native/dist/index.js');
  if (!registerNativeKernels().loaded) registerWasmKernels();
} catch {
  registerWasmKernels();
}

const model = which === 'htsat-roberta' ? await htsatRobertaModel(1) : await ClapModel.load(which);
const { sampleRate, clipSeconds } = model.config.audio;
const synth = new SynthDataset({
  ...synthConfigSchema.parse({ size: 400, seed: 5, sampleRate, clipSeconds }),
  name: 'synth',
});
const clips = [];
for (let i = 0; i < count; i++)
  clips.push((await synth.get(Math.floor((i * 400) / count))).audio.samples);
const prompts = allComboLabels().map((label) => SYNTH_PROMPT_TEMPLATE.replace('{label}', label));

async function embed(m) {
  const audio = [];
  for (let i = 0; i < clips.length; i += 4) {
    const e = m.encodeAudio(clips.slice(i, i + 4));
    audio.push(...(await e.array()));
    e.dispose();
  }
  const t = m.encodeText(prompts);
  const text = await t.array();
  t.dispose();
  return { audio, text };
}

function top1(audio, text) {
  return audio.map((row) => {
    let best = 0;
    let bestScore = -Infinity;
    text.forEach((t, j) => {
      const score = t.reduce((s, x, i) => s + x * row[i], 0);
      if (score > bestScore) [best, bestScore] = [j, score];
    });
    return best;
  });
}

function compare(ref, got) {
  let maxAbs = 0;
  let maxRef = 0;
  let minCos = 1;
  let sumCos = 0;
  ref.forEach((row, r) => {
    let cos = 0;
    row.forEach((x, i) => {
      maxAbs = Math.max(maxAbs, Math.abs(x - got[r][i]));
      maxRef = Math.max(maxRef, Math.abs(x));
      cos += x * got[r][i];
    });
    minCos = Math.min(minCos, cos);
    sumCos += cos;
  });
  return {
    maxAbs: +maxAbs.toExponential(2),
    relative: +(maxAbs / maxRef).toExponential(2),
    minCosine: +minCos.toFixed(6),
    meanCosine: +(sumCos / ref.length).toFixed(6),
  };
}

function weightBytes(dir) {
  return readdirSync(dir)
    .filter((f) => f.startsWith('weights.'))
    .reduce((n, f) => n + statSync(join(dir, f)).size, 0);
}

const root = mkdtempSync(join(tmpdir(), 'clapjs-quantize-'));
try {
  const ref = await embed(model);
  const refTop1 = top1(ref.audio, ref.text);
  const base = { bench: 'quantization', model: which, clips: clips.length, labels: prompts.length };
  for (const quantize of [undefined, 'float16', 'uint8']) {
    const dir = join(root, quantize ?? 'float32');
    await model.save(dir, quantize === undefined ? {} : { quantize });
    const bytes = weightBytes(dir);
    if (quantize === undefined) {
      console.log(JSON.stringify({ ...base, weights: 'float32', bytes }));
      continue;
    }
    const loaded = await ClapModel.load(dir);
    const got = await embed(loaded);
    const gotTop1 = top1(got.audio, got.text);
    loaded.dispose();
    console.log(
      JSON.stringify({
        ...base,
        weights: quantize,
        bytes,
        audio: compare(ref.audio, got.audio),
        text: compare(ref.text, got.text),
        top1Agreement: gotTop1.filter((j, i) => j === refTop1[i]).length / clips.length,
        date: new Date().toISOString(),
        loadavg: os.loadavg().map((x) => +x.toFixed(2)),
      }),
    );
  }
} finally {
  rmSync(root, { recursive: true, force: true });
  model.dispose();
}
