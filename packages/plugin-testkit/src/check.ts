import * as tf from '@tensorflow/tfjs-core';
import { register } from '@clapjs/core';
import type { AnyPlugin, Plugin, PluginKind, z } from '@clapjs/core';
import { ClapModel } from '@clapjs/model';
import {
  BASE_MODEL,
  CAPTIONS,
  maxDifference,
  PluginContractError,
  probeFor,
  SLOTS,
  slotVariables,
  type ContractCheck,
  type PluginContractOptions,
} from './contract.js';

const label = (p: AnyPlugin) => `${p.kind} plugin "${p.name}" from ${p.origin}@${p.version}`;

/**
 * Runs the contract checks on a model-part plugin (audio encoder, text encoder, projection,
 * similarity), built into a small model of built-in parts:
 * - `registers`: the registry accepts it (shape, schema, coreVersion);
 * - `builds`: a model with it builds (the model's own part checks pass);
 * - `shape`: a probe batch of 3 gives the declared shape, float32, finite values;
 * - `variables`: unique non-empty paths, `trainable` matching the variable's;
 * - `seeded`: the same seed builds the same weights;
 * - `save/load`: the saved and reloaded model gives the same output (≤ 1e-6) and weights;
 * - `gradients`: in training mode every trainable weight gets a finite, non-zero gradient;
 * - `no leaks`: repeated inference and gradient calls leave the tensor count unchanged.
 * @returns every check with its outcome (use {@link assertPluginContract} in a test)
 */
export async function checkPluginContract<K extends PluginKind, S extends z.ZodType>(
  definition: Plugin<K, S>,
  options: PluginContractOptions = {},
): Promise<ContractCheck[]> {
  const plugin = definition as unknown as AnyPlugin;
  const slots = SLOTS[plugin.kind];
  if (slots === undefined)
    throw new TypeError(`The testkit checks model parts; ${label(plugin)} is a ${plugin.kind}.`);
  const checks: ContractCheck[] = [];
  const record = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail });
  try {
    register(plugin);
    record('registers', true, 'accepted by the registry');
  } catch (error) {
    record('registers', false, (error as Error).message);
    return checks;
  }
  const part = { name: plugin.name, ...(options.config ?? {}) };
  const config = {
    ...BASE_MODEL,
    ...(options.model ?? {}),
    ...Object.fromEntries(slots.map((s) => [s, part])),
  };
  const seed = options.seed ?? 1;
  const build = () => ClapModel.create(config, { seed, captions: CAPTIONS });
  let model: ClapModel;
  try {
    model = await build();
    record('builds', true, 'a model with this part builds');
  } catch (error) {
    record('builds', false, (error as Error).message);
    return checks;
  }
  const probe = probeFor(plugin.kind, model, seed);
  const others: ClapModel[] = [];
  try {
    const expected = probe.shape(model);
    const out = probe.run(model, false);
    const finite = tf.tidy(() => tf.all(tf.isFinite(out)).dataSync()[0] === 1);
    const shapeOk =
      out.dtype === 'float32' &&
      out.shape.length === expected.length &&
      out.shape.every((d, i) => d === expected[i]);
    record(
      'shape',
      shapeOk && finite,
      `[${out.shape.join(', ')}] ${out.dtype}${finite ? '' : ' with NaN/Infinity'}, expected [${expected.join(', ')}] float32`,
    );

    const variables = slotVariables(model, slots);
    const paths = variables.map((v) => v.path);
    const badTrainable = variables.filter((v) => v.trainable !== v.variable.trainable);
    record(
      'variables',
      new Set(paths).size === paths.length && badTrainable.length === 0,
      `${paths.length} weights${badTrainable.length > 0 ? `; trainable flag wrong for ${badTrainable.map((v) => v.path).join(', ')}` : ''}${new Set(paths).size === paths.length ? '' : '; duplicate paths'}`,
    );

    const again = await build();
    others.push(again);
    const twin = slotVariables(again, slots);
    let seededDiff = twin.length === variables.length ? 0 : Number.POSITIVE_INFINITY;
    for (let i = 0; i < Math.min(twin.length, variables.length); i++)
      seededDiff = Math.max(
        seededDiff,
        await maxDifference(variables[i]!.variable, twin[i]!.variable),
      );
    record('seeded', seededDiff === 0, `max weight difference ${seededDiff} for the same seed`);

    const files = await model.toFiles();
    const loaded = await ClapModel.load({
      fetch: (path) => {
        const bytes = files.get(path);
        if (bytes === undefined) return Promise.reject(new Error(`${path} was not saved`));
        return Promise.resolve(
          bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
        );
      },
    });
    others.push(loaded);
    const reloaded = probe.run(loaded, false);
    const roundTrip = await maxDifference(out, reloaded);
    tf.dispose([out, reloaded]);
    record('save/load', roundTrip <= 1e-6, `max output difference ${roundTrip} after reload`);

    // The probe runs the first slot's part (a projection's audio side).
    const trainable = slotVariables(model, slots.slice(0, 1)).filter((v) => v.trainable);
    const loss = () => tf.sum(tf.square(probe.run(model, true))) as tf.Scalar;
    const { value, grads } = tf.variableGrads(
      loss,
      trainable.map((v) => v.variable),
    );
    const dead: string[] = [];
    for (const v of trainable) {
      const g = grads[v.variable.name];
      const ok =
        g !== undefined &&
        tf.tidy(
          () => tf.all(tf.isFinite(g)).dataSync()[0] === 1 && tf.max(tf.abs(g)).dataSync()[0]! > 0,
        );
      if (!ok) dead.push(v.path);
    }
    tf.dispose([value, ...Object.values(grads)]);
    record(
      'gradients',
      dead.length === 0,
      dead.length === 0
        ? `${trainable.length} trainable weights get gradients`
        : `no finite non-zero gradient for ${dead.join(', ')}`,
    );

    const before = tf.memory().numTensors;
    for (let i = 0; i < (options.repeats ?? 3); i++) {
      probe.run(model, false).dispose();
      const step = tf.variableGrads(
        loss,
        trainable.map((v) => v.variable),
      );
      tf.dispose([step.value, ...Object.values(step.grads)]);
    }
    const leaked = tf.memory().numTensors - before;
    record('no leaks', leaked === 0, `${leaked} tensors left after repeated calls`);
  } finally {
    probe.dispose();
    for (const m of [model, ...others]) m.dispose();
  }
  return checks;
}

/**
 * {@link checkPluginContract}, throwing when a check fails: the one call a plugin's test needs.
 * @example await assertPluginContract(myEncoderPlugin, { config: { outputDim: 32 } });
 * @throws PluginContractError listing each failed check
 */
export async function assertPluginContract<K extends PluginKind, S extends z.ZodType>(
  plugin: Plugin<K, S>,
  options: PluginContractOptions = {},
): Promise<void> {
  const failures = (await checkPluginContract(plugin, options)).filter((c) => !c.ok);
  if (failures.length > 0)
    throw new PluginContractError(label(plugin as unknown as AnyPlugin), failures);
}
