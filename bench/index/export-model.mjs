// Exports a saved clapjs model for the PyTorch peer (embed_peer.py): every weight under its clapjs
// path in clapjs's layout (weights.bin + meta.json, the format bench/default-model/clap_graph.py
// reads), and clapjs's own embeddings of the first files of a list (reference.json), which the peer
// checks its embeddings against.
//   node bench/index/export-model.mjs MODEL_DIR OUT_DIR FILE_LIST [reference files=16]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { ClapModel } from '@clapjs/model';
import { Embedder } from '@clapjs/index';

const [modelDir, outDir, listFile, countArg = '16'] = process.argv.slice(2);
await tf.setBackend('cpu');
const model = await ClapModel.load(modelDir);
mkdirSync(outDir, { recursive: true });
const chunks = [];
let offset = 0;
const variables = model.variables().map((v) => {
  const data = Float32Array.from(v.variable.dataSync());
  chunks.push(Buffer.from(data.buffer));
  offset += data.length;
  return { path: v.path, shape: v.variable.shape, offset: offset - data.length };
});
writeFileSync(join(outDir, 'weights.bin'), Buffer.concat(chunks));
writeFileSync(join(outDir, 'meta.json'), JSON.stringify({ config: model.config, variables }));
const embedder = await Embedder.create(model, modelDir);
const paths = readFileSync(listFile, 'utf8').split('\n').filter(Boolean).slice(0, Number(countArg));
const embedded = await embedder.embedFiles(paths.map((p) => ({ path: p, absolute: p })));
const vectors = embedded.map((e) => {
  if (!('windows' in e) || e.windows.length !== 1) throw new Error(`${e.path}: not one window`);
  return Array.from(e.windows[0].vector);
});
writeFileSync(join(outDir, 'reference.json'), JSON.stringify({ paths, vectors }));
model.dispose();
