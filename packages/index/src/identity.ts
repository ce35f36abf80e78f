import { createHash } from 'node:crypto';
import type { ClapModel } from '@clapjs/model';
import type { ModelIdentity } from './errors.js';

/** JSON with object keys sorted at every level, so that equal configs hash equally. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The identity of a loaded model: sha256 of its config and of its weights. Two models with one
 * config but different weights (e.g. fine-tuned) are different models.
 */
export async function modelIdentity(model: ClapModel, source?: string): Promise<ModelIdentity> {
  const configHash = createHash('sha256').update(canonicalJson(model.config)).digest('hex');
  const weights = createHash('sha256');
  const variables = [...model.variables()].sort((a, b) =>
    a.path < b.path ? -1 : a.path > b.path ? 1 : 0,
  );
  for (const { path, variable } of variables) {
    const data = await variable.data();
    weights.update(`${path}:${variable.dtype}:${variable.shape.join('x')}\n`);
    weights.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  return {
    configHash,
    weightsHash: weights.digest('hex'),
    ...(source === undefined ? {} : { source }),
  };
}

/** Whether two identities name the same model (the source path does not matter). */
export function sameModel(a: ModelIdentity, b: ModelIdentity): boolean {
  return a.configHash === b.configHash && a.weightsHash === b.weightsHash;
}
