import * as tf from '@tensorflow/tfjs-core';
import { Rng, selectBackend } from '@clapjs/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Params } from './params.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

describe('Params', () => {
  it('names weights by path and marks decay only on matrices', () => {
    const params = new Params('proj', new Rng(0));
    params.child('fc1').weight('kernel', [4, 3], { kind: 'glorot', fanIn: 4, fanOut: 3 });
    params.child('fc1').weight('bias', [3], { kind: 'zeros' });
    params.weight('mean', [3], { kind: 'zeros' }, { trainable: false });
    expect(params.variables().map((v) => [v.path, v.trainable, v.decay])).toEqual([
      ['proj/fc1/kernel', true, true],
      ['proj/fc1/bias', true, false],
      ['proj/mean', false, false],
    ]);
    params.dispose();
  });

  it('initialises identically for the same seed, independent of creation order elsewhere', async () => {
    const a = new Params('m', new Rng(9));
    const b = new Params('m', new Rng(9));
    b.weight('other', [2, 2], { kind: 'normal', std: 1 });
    const wa = a.weight('w', [3, 3], { kind: 'he', fanIn: 3 });
    const wb = b.weight('w', [3, 3], { kind: 'he', fanIn: 3 });
    expect(Array.from(await wa.data())).toEqual(Array.from(await wb.data()));
    a.dispose();
    b.dispose();
  });

  it('leaves no tensor behind once disposed', () => {
    const before = tf.memory().numTensors;
    const params = new Params('x', new Rng(0));
    params.weight('a', [3, 3], { kind: 'glorot', fanIn: 3, fanOut: 3 });
    params.weight('b', [3], { kind: 'zeros' });
    expect(tf.memory().numTensors).toBe(before + 2);
    params.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a weight created twice', () => {
    const params = new Params('x', new Rng(0));
    params.weight('w', [1], { kind: 'ones' });
    expect(() => params.weight('w', [1], { kind: 'ones' })).toThrow(/created twice/);
    params.dispose();
  });
});
