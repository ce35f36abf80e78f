import * as tf from '@tensorflow/tfjs-core';
import { Rng, selectBackend } from '@clapjs/core';
import { CnnAudioEncoder } from './dist/index.js';
const [backend='wasm', overrides='{}'] = process.argv.slice(2);
await selectBackend(backend);
const encoder = new CnnAudioEncoder({ name: 'cnn-small', ...JSON.parse(overrides) }, { melBins: 64, rng: new Rng(0) });
const trainable = encoder.variables().filter((v) => v.trainable).map((v) => v.variable);
const input = tf.tensor4d(new Rng(1).normalArray(32*126*64), [32,126,64,1]);
const step = () => { const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(encoder.encode(input, { training: true }))), trainable); value.dataSync(); tf.dispose([value, ...Object.values(grads)]); };
step();
const info = await tf.profile(step);
const by = {};
for (const k of info.kernels) { const key = k.name + ' ' + JSON.stringify(k.inputShapes); by[key] = (by[key]??0) + k.kernelTimeMs; }
const byName = {};
for (const k of info.kernels) byName[k.name] = (byName[k.name]??0) + k.kernelTimeMs;
console.log(Object.entries(byName).sort((a,b)=>b[1]-a[1]).slice(0,15).map(([k,v])=>k+' '+v.toFixed(1)).join('\n'));
console.log('---');
console.log(Object.entries(by).sort((a,b)=>b[1]-a[1]).slice(0,25).map(([k,v])=>k+' '+v.toFixed(1)).join('\n'));
