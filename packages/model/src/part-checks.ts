import * as tf from '@tensorflow/tfjs-core';
import { get } from '@clapjs/core';
import type { CallOptions, PluginKind } from '@clapjs/core';
import { PART_SLOTS, SLOT_KINDS, type ClapParts, type PartSlot } from './build.js';
import { PartContractError } from './errors.js';

const PROBE_BATCH = 2;
const INFERENCE: CallOptions = { training: false };

/** Who built a slot's part, for messages: `audioEncoder: audio-encoder "x" from pkg@1.0.0`. */
function describe(slot: PartSlot | 'tokenizer', parts: ClapParts): string {
  const kind: PluginKind = SLOT_KINDS[slot];
  const name = (parts.config[slot] as { name: string }).name;
  let source = 'an unregistered plugin';
  try {
    const plugin = get(kind, name);
    source = `${plugin.origin}@${plugin.version}`;
  } catch {
    // a part built from a plugin unregistered since: say so
  }
  return `${slot}: ${kind} "${name}" from ${source}`;
}

function fail(slot: PartSlot | 'tokenizer', parts: ClapParts, problem: string): never {
  const who = describe(slot, parts);
  throw new PartContractError(
    slot,
    `${who} breaks the part contract: ${problem}. Fix the plugin (see docs/plugins.md), or report it to its package.`,
  );
}

function requireMethods(
  slot: PartSlot | 'tokenizer',
  parts: ClapParts,
  methods: readonly string[],
): void {
  const part = parts[slot] as unknown as Record<string, unknown> | null | undefined;
  if (typeof part !== 'object' || part === null)
    fail(slot, parts, `create() returned ${part === null ? 'null' : typeof part}, not an object`);
  const missing = methods.filter((m) => typeof part[m] !== 'function');
  if (missing.length > 0) fail(slot, parts, `it has no ${missing.join(', ')} method`);
}

function requireDim(slot: PartSlot, parts: ClapParts): number {
  const dim = (parts[slot] as { outputDim?: unknown }).outputDim;
  if (typeof dim !== 'number' || !Number.isInteger(dim) || dim < 1)
    fail(slot, parts, `outputDim is ${String(dim)}, expected a positive integer`);
  return dim;
}

/** Runs `probe` inside tidy and checks its output's shape and dtype. */
function probeShape(
  slot: PartSlot,
  parts: ClapParts,
  what: string,
  expected: readonly number[],
  probe: () => unknown,
): void {
  tf.tidy(() => {
    let out: unknown;
    try {
      out = probe();
    } catch (error) {
      fail(slot, parts, `${what} threw ${(error as Error).message.split('\n')[0]}`);
    }
    if (!(out instanceof tf.Tensor)) fail(slot, parts, `${what} returned no tensor`);
    if (
      out.shape.length !== expected.length ||
      out.shape.some((d: number, i: number) => d !== expected[i])
    )
      fail(
        slot,
        parts,
        `${what} gave shape [${out.shape.join(', ')}], expected [${expected.join(', ')}]`,
      );
    if (out.dtype !== 'float32')
      fail(slot, parts, `${what} gave dtype ${out.dtype}, expected float32`);
  });
}

/**
 * Checks every built part once against its contract (core's contracts.ts): the methods exist, the
 * declared dims are positive integers, and a probe batch of 2 (zeros; the tokenizer's padding ids)
 * gives `[2, outputDim]` float32 from each encoder and projection and `[2, 2]` from the
 * similarity. The probes run in inference mode inside `tf.tidy`: they draw no random numbers and
 * leave BatchNorm statistics alone, so seeded runs and exact resume are unchanged.
 * @throws PartContractError naming the slot, the plugin and its package
 */
export function checkParts(parts: ClapParts): void {
  requireMethods('tokenizer', parts, ['encode', 'toJSON', 'getConfig']);
  for (const slot of PART_SLOTS) requireMethods(slot, parts, ['variables', 'dispose', 'getConfig']);
  requireMethods('audioEncoder', parts, ['encode']);
  requireMethods('textEncoder', parts, ['encode']);
  requireMethods('audioProjection', parts, ['call']);
  requireMethods('textProjection', parts, ['call']);
  requireMethods('similarity', parts, ['call', 'afterUpdate']);
  const audioDim = requireDim('audioEncoder', parts);
  const textDim = requireDim('textEncoder', parts);
  const jointDim = requireDim('audioProjection', parts);
  requireDim('textProjection', parts);

  const frames = parts.frontEnd.frames();
  const melBins = parts.frontEnd.config.nMels;
  const length = (parts.config.tokenizer as { maxLength: number }).maxLength;
  const padId = parts.tokenizer.padId;
  const n = PROBE_BATCH;
  const channels = parts.audioEncoder.input === 'fusion' ? 4 : 1;
  probeShape(
    'audioEncoder',
    parts,
    `encode() of a [${n}, ${frames}, ${melBins}, ${channels}] batch`,
    [n, audioDim],
    () => parts.audioEncoder.encode(tf.zeros([n, frames, melBins, channels]), INFERENCE),
  );
  probeShape(
    'textEncoder',
    parts,
    `encode() of ${n} padded texts of ${length} tokens`,
    [n, textDim],
    () =>
      parts.textEncoder.encode(
        {
          ids: tf.fill([n, length], padId, 'int32') as tf.Tensor2D,
          mask: tf.ones([n, length]) as tf.Tensor2D,
        },
        INFERENCE,
      ),
  );
  probeShape('audioProjection', parts, `call() of a [${n}, ${audioDim}] batch`, [n, jointDim], () =>
    parts.audioProjection.call(tf.zeros([n, audioDim]), INFERENCE),
  );
  probeShape('textProjection', parts, `call() of a [${n}, ${textDim}] batch`, [n, jointDim], () =>
    parts.textProjection.call(tf.zeros([n, textDim]), INFERENCE),
  );
  probeShape('similarity', parts, `call() of two [${n}, ${jointDim}] batches`, [n, n], () =>
    parts.similarity.call(tf.ones([n, jointDim]), tf.ones([n, jointDim])),
  );
}
