// Trains 3 steps with 2 gradient workers through the CJS build (dist/index.cjs), which must find
// dist/gradient-worker.js beside itself. Run by workers.test.ts in a child process; prints JSON.
const tf = require('@tensorflow/tfjs-core');
const { selectBackend } = require('@clapjs/core');
const { ClapModel } = require('@clapjs/model');
const { Trainer, resolveModule } = require('../dist/index.cjs');

(async () => {
  await selectBackend('cpu');
  const captions = ['a dog', 'a cat', 'rain', 'wind'];
  const model = await ClapModel.create(
    {
      audio: { preset: 'fast', nMels: 16, clipSeconds: 0.5 },
      audioEncoder: { name: 'cnn-small', channels: [4], outputDim: 8, dropout: 0 },
      textEncoder: { name: 'bag-of-embeddings', width: 8 },
      tokenizer: { name: 'word', maxLength: 4 },
      audioProjection: { name: 'linear', dim: 8 },
      textProjection: { name: 'linear', dim: 8 },
    },
    { seed: 1, captions },
  );
  const batch = {
    logMel: Float32Array.from({ length: 4 * 32 * 16 }, (_, i) => Math.sin(i)),
    frames: 32,
    melBins: 16,
    captions,
    ids: [],
    labels: [],
  };
  const trainer = new Trainer(
    model,
    { getState: () => ({}), setState() {}, async *[Symbol.asyncIterator]() {} },
    { steps: 10, workers: 2, modelLoader: resolveModule('@clapjs/model/load', __filename) },
  );
  const losses = [];
  for (let i = 0; i < 3; i++) losses.push(await trainer.trainStep(batch));
  console.log(JSON.stringify({ losses, tensors: tf.memory().numTensors }));
  trainer.dispose();
  model.dispose();
})();
