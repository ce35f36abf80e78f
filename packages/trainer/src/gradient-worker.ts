// The gradient worker (a worker_threads entry, dist/gradient-worker.js): holds a copy of the model,
// and per step computes the gradients of the full-batch loss with respect to its shard's path.
// It embeds its rows, publishes them, waits for the other workers' rows at a barrier (inside the
// gradient tape, so the tape stays open), and scores all rows against all rows: the contrastive
// loss sees every negative of the batch, exactly as single-thread training does. Summed over the
// workers, the encoder gradients are the single-thread gradients; the similarity's gradient is
// complete in every worker (the main thread takes worker 0's).
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { create, register, selectBackend } from '@clapjs/core';
import type {
  BackendName,
  CallOptions,
  ContrastiveLoss,
  ModelLoader,
  NamedVariable,
  PartsModel,
} from '@clapjs/core';
import { lossPlugins } from '@clapjs/losses';
import { arriveAndWait, BarrierAborted } from './gradient-protocol.js';
import type {
  InitMessage,
  LayoutEntry,
  StepMessage,
  StepTimings,
  WorkerReply,
} from './gradient-protocol.js';

const TRAINING: CallOptions = { training: true };

interface State {
  readonly init: InitMessage;
  readonly model: PartsModel;
  readonly loss: ContrastiveLoss;
  /** The model's variable for each layout entry. */
  readonly variables: readonly NamedVariable[];
  readonly dim: number;
}

let state: State | undefined;

function reply(message: WorkerReply): void {
  parentPort?.postMessage(message);
}

function describe(error: unknown): string {
  return error instanceof Error
    ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}`
    : String(error);
}

function toSpecifier(spec: string): string {
  return isAbsolute(spec) ? pathToFileURL(spec).href : spec;
}

/**
 * Gives workers after the first their own dropout streams. A loaded model's parts all start from
 * seed 0, so without this every worker would draw the same masks for its rows: each part that
 * draws random numbers re-seeds itself (core's `Part.reseed`) from a fork labelled with the
 * worker index.
 */
function reseedDropout(model: PartsModel, index: number): void {
  for (const part of [
    model.audioEncoder,
    model.textEncoder,
    model.audioProjection,
    model.textProjection,
    model.similarity,
  ])
    part.reseed?.(`gradient-worker-${index}`);
}

/** The `loadModel` export of the model loader module (core's `ModelLoader` contract). */
async function loadModel(loader: string): Promise<ModelLoader> {
  let module: { loadModel?: unknown };
  try {
    module = (await import(/* @vite-ignore */ toSpecifier(loader))) as { loadModel?: unknown };
  } catch (error) {
    throw new Error(`cannot import the model loader "${loader}": ${describe(error)}`, {
      cause: error,
    });
  }
  if (typeof module.loadModel !== 'function')
    throw new Error(
      `the model loader "${loader}" exports no loadModel(dir) function (core's ModelLoader)`,
    );
  return module.loadModel as ModelLoader;
}

async function start(init: InitMessage): Promise<void> {
  for (const spec of init.setup) {
    try {
      await import(/* @vite-ignore */ toSpecifier(spec));
    } catch (error) {
      throw new Error(`cannot import the setup module "${spec}": ${describe(error)}`, {
        cause: error,
      });
    }
  }
  const selection = await selectBackend(init.backend as BackendName);
  if (selection.name !== init.backend)
    throw new Error(`backend ${init.backend} did not load in the worker`);
  const model = await (await loadModel(init.loader))(init.modelDir);
  for (const plugin of lossPlugins) register(plugin);
  const loss = create('loss', init.loss, {}, 'loss');
  const byPath = new Map(model.variables().map((v) => [v.path, v]));
  const variables = init.layout.entries.map((entry) => {
    const v = byPath.get(entry.path);
    if (v === undefined || v.variable.size !== entry.size || v.trainable !== entry.trainable) {
      throw new Error(
        `the loaded model's variable "${entry.path}" does not match the main thread's`,
      );
    }
    return v;
  });
  if (init.index > 0) reseedDropout(model, init.index);
  state = { init, model, loss, variables, dim: model.audioProjection.outputDim };
  reply({ type: 'ready', dim: state.dim });
}

/** This step's full-batch embeddings: the other workers' rows as constants around our live rows. */
function fullBatch(
  own: tf.Tensor2D,
  view: Float32Array,
  step: StepMessage,
  dim: number,
): tf.Tensor2D {
  const rows = own.shape[0];
  const end = step.rowStart + rows;
  const pieces: tf.Tensor2D[] = [];
  if (step.rowStart > 0)
    pieces.push(tf.tensor2d(view.slice(0, step.rowStart * dim), [step.rowStart, dim]));
  pieces.push(own);
  if (end < step.batchSize)
    pieces.push(
      tf.tensor2d(view.slice(end * dim, step.batchSize * dim), [step.batchSize - end, dim]),
    );
  return pieces.length === 1 ? own : tf.concat(pieces, 0);
}

function runStep(s: State, step: StepMessage): { loss: number; timings: StepTimings } {
  const { init, model, loss, variables, dim } = s;
  const t0 = performance.now();
  let t1 = t0;
  let t2 = t0;
  const { layout, buffers } = init;
  const weights = new Float32Array(buffers.weights);
  // tfjs-wasm copies a new tensor's values into its heap at once; other backends (tfjs-cpu) may
  // keep the array as the tensor's storage, so they get a private copy of the shared memory.
  // Not copying on wasm keeps the worker from allocating megabytes per step (GC time).
  const own = (view: Float32Array): Float32Array => (init.backend === 'wasm' ? view : view.slice());
  tf.tidy(() => {
    layout.entries.forEach((entry, i) => {
      variables[i]!.variable.assign(
        tf.tensor(own(weights.subarray(entry.offset, entry.offset + entry.size)), [...entry.shape]),
      );
    });
  });
  const tWeights = performance.now();
  const trainable = layout.entries.flatMap((e, i) => (e.trainable ? [variables[i]!.variable] : []));
  const rows = step.captions.length;
  const audioView = new Float32Array(step.embeddings, 0, step.batchSize * dim);
  const textView = new Float32Array(
    step.embeddings,
    step.batchSize * dim * 4,
    step.batchSize * dim,
  );
  const control = new Int32Array(buffers.control);
  const { value, grads } = tf.tidy(() => {
    const perRow = step.frames * step.melBins;
    const shard = new Float32Array(step.logMel, 4 * step.rowStart * perRow, rows * perRow);
    const logMel = tf.tensor4d(own(shard), [rows, step.frames, step.melBins, 1]);
    const tokens = model.tokenize(step.captions);
    return tf.variableGrads(() => {
      const audio = model.audioProjection.call(
        model.audioEncoder.encode(logMel, TRAINING),
        TRAINING,
      );
      const text = model.textProjection.call(model.textEncoder.encode(tokens, TRAINING), TRAINING);
      audioView.set(audio.dataSync(), step.rowStart * dim);
      textView.set(text.dataSync(), step.rowStart * dim);
      t1 = performance.now();
      arriveAndWait(control, init.count);
      t2 = performance.now();
      const texts = fullBatch(text, textView, step, dim);
      const audios = fullBatch(audio, audioView, step, dim);
      const logits = model.similarity.call(texts, audios);
      if (model.similarity.scalesPerDirection !== true) return loss.call(logits);
      return loss.call(logits, model.similarity.call(texts, audios, 'audio-to-text'));
    }, trainable);
  });
  const t3 = performance.now();
  const gradSlab = new Float32Array(
    buffers.grads,
    init.index * layout.gradSize * 4,
    layout.gradSize,
  );
  const statSlab = new Float32Array(
    buffers.stats,
    init.index * layout.statSize * 4,
    layout.statSize,
  );
  const hasGrad = new Uint8Array(
    buffers.hasGrad,
    init.index * layout.trainableCount,
    layout.trainableCount,
  );
  let t = 0;
  layout.entries.forEach((entry: LayoutEntry, i) => {
    const variable = variables[i]!.variable;
    if (entry.trainable) {
      const g = grads[variable.name];
      hasGrad[t] = g === undefined ? 0 : 1;
      if (g !== undefined) gradSlab.set(g.dataSync() as Float32Array, entry.gradOffset);
      t += 1;
    } else {
      // The BatchNorm moving statistics this shard's forward pass updated.
      statSlab.set(variable.dataSync() as Float32Array, entry.statOffset);
    }
  });
  const lossValue = value.dataSync()[0] ?? NaN;
  tf.dispose([value, ...Object.values(grads)]);
  const timings = {
    weights: tWeights - t0,
    forward: t1 - tWeights,
    wait: t2 - t1,
    backward: t3 - t2,
    output: performance.now() - t3,
    tensors: tf.memory().numTensors,
  };
  return { loss: lossValue, timings };
}

parentPort?.on('message', (message: InitMessage | StepMessage | { type: 'close' }) => {
  if (message.type === 'init') {
    start(message).catch((error: unknown) => reply({ type: 'error', message: describe(error) }));
  } else if (message.type === 'step') {
    try {
      if (state === undefined) throw new Error('step before init');
      reply({ type: 'done', id: message.id, ...runStep(state, message) });
    } catch (error) {
      reply({
        type: 'error',
        message:
          error instanceof BarrierAborted
            ? 'stopped: another gradient worker failed'
            : describe(error),
      });
    }
  } else {
    state?.model.dispose();
    parentPort?.close();
  }
});
