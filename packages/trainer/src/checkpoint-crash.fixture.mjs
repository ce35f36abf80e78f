// Child process for checkpoint.test.ts: writes one checkpoint, reports it, then rewrites
// checkpoints of a large model in a loop until the parent kills it with SIGKILL mid-write.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { writeCheckpoint, checkpointName } from '../dist/index.js';
import { join } from 'node:path';

const root = process.argv[2];
await tf.setBackend('cpu');
const variables = [
  { path: 'big', variable: tf.variable(tf.fill([4_000_000], 1)), trainable: true, decay: true },
  { path: 'small', variable: tf.variable(tf.fill([3], 7)), trainable: true, decay: false },
];
await writeCheckpoint(join(root, checkpointName(1)), variables, undefined, { step: 1 });
process.stdout.write('saved\n');
for (let step = 2; ; step++) {
  await writeCheckpoint(join(root, checkpointName(step)), variables, undefined, { step });
}
