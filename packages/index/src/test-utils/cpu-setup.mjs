// Imported by each sandboxed processor in the tests: the deterministic tfjs cpu backend.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';

export async function setup() {
  await tf.setBackend('cpu');
  await tf.ready();
}
