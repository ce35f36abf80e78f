// A saved model directory from someone else is untrusted input: its manifest may name files
// outside the directory, devices, symlinks, malformed groups, or NaN weights. Each is refused
// with a typed error before anything large is read.
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '@clapjs/core';
import { mkdtemp, readFile, rm, symlink, writeFile, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClapModel, ModelFormatError } from './index.js';
import { CAPTIONS, tinyConfig } from './test-helpers.js';

interface Manifest {
  weightsManifest: { paths: unknown[]; weights: { dtype: unknown; shape: unknown }[] }[];
}

describe('loading an untrusted model directory', () => {
  let root: string;
  let saved: string;
  let model: ClapModel;

  beforeAll(async () => {
    await selectBackend('cpu');
    root = await mkdtemp(join(tmpdir(), 'clapjs-model-dir-'));
    model = await ClapModel.create(tinyConfig(), { seed: 3, captions: CAPTIONS });
    saved = join(root, 'saved');
    await model.save(saved);
  });
  afterAll(async () => {
    model.dispose();
    await rm(root, { recursive: true, force: true });
  });

  /** A copy of the saved model with its manifest changed by `edit`. */
  async function variant(name: string, edit: (manifest: Manifest) => void): Promise<string> {
    const dir = join(root, name);
    await cp(saved, dir, { recursive: true });
    const manifest = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as Manifest;
    edit(manifest);
    await writeFile(join(dir, 'model.json'), JSON.stringify(manifest));
    return dir;
  }

  const refused = async (dir: string, code: string, message: RegExp) => {
    const before = tf.memory().numTensors;
    const error = await ClapModel.load(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelFormatError);
    expect((error as ModelFormatError).code).toBe(code);
    expect((error as Error).message).toMatch(message);
    expect(tf.memory().numTensors).toBe(before);
  };

  it('refuses shard paths outside the model directory, devices and escaping symlinks', async () => {
    for (const path of ['../../etc/passwd', '/dev/zero', '..', 'a/b.bin']) {
      await refused(
        await variant(`path-${path.replace(/\W/g, '_')}`, (m) => {
          m.weightsManifest[0]!.paths = [path];
        }),
        'MODEL_FORMAT',
        /not a file name inside the model directory/,
      );
    }
    const dev = await variant('dev-link', (m) => {
      m.weightsManifest[0]!.paths = ['zero.bin'];
    });
    await symlink('/dev/zero', join(dev, 'zero.bin'));
    await refused(dev, 'MODEL_PATH', /outside the model directory/);
    const out = await variant('out-link', (m) => {
      m.weightsManifest[0]!.paths = ['outside.bin'];
    });
    await symlink(join(saved, 'weights.1-of-1.bin'), join(out, 'outside.bin'));
    await refused(out, 'MODEL_PATH', /outside the model directory/);
  });

  it('refuses a shard larger than the weights it holds before reading it', async () => {
    const dir = await variant('big', () => {});
    await writeFile(join(dir, 'weights.1-of-1.bin'), new Uint8Array(64 * 1024 * 1024 + 3));
    await refused(dir, 'MODEL_FORMAT', /bytes, more than the \d+ expected/);
  });

  it('refuses null groups, bad shapes and unsupported dtypes naming the weight', async () => {
    await refused(
      await variant('null-group', (m) => {
        m.weightsManifest.push(null as never);
      }),
      'MODEL_FORMAT',
      /group 1 is null/,
    );
    await refused(
      await variant('dtype', (m) => {
        m.weightsManifest[0]!.weights[0]!.dtype = 'complex64';
      }),
      'MODEL_FORMAT',
      /has dtype "complex64"; supported: float32, int32/,
    );
    await refused(
      await variant('shape', (m) => {
        m.weightsManifest[0]!.weights[0]!.shape = [-1, 4];
      }),
      'MODEL_FORMAT',
      /has shape \[-1,4\]/,
    );
  });

  it('refuses NaN weights on load, and never saves them', async () => {
    const dir = join(root, 'nan');
    await cp(saved, dir, { recursive: true });
    const bytes = await readFile(join(dir, 'weights.1-of-1.bin'));
    new Float32Array(bytes.buffer, bytes.byteOffset, 4).fill(NaN);
    await writeFile(join(dir, 'weights.1-of-1.bin'), bytes);
    await refused(dir, 'MODEL_NON_FINITE', /holds NaN or Infinity/);

    const broken = await ClapModel.create(tinyConfig(), { seed: 3, captions: CAPTIONS });
    const first = broken.variables()[0]!.variable;
    first.assign(tf.fill(first.shape, Infinity));
    const error = await broken.save(join(root, 'never')).catch((e: unknown) => e);
    broken.dispose();
    expect((error as ModelFormatError).code).toBe('MODEL_NON_FINITE');
    await expect(readFile(join(root, 'never', 'model.json'))).rejects.toThrow();
  });
});
