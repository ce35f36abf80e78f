/** FNV-1a over a string: a stable 32-bit hash for split assignment and per-item seeds. */
export function fnv1a(text: string, seed = 2166136261): number {
  let hash = seed >>> 0;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619);
  return hash >>> 0;
}

/** Mixes integers into one 32-bit seed (for per-epoch and per-item random streams). */
export function mixSeed(...parts: number[]): number {
  let hash = 0x811c9dc5;
  for (const part of parts) {
    hash = Math.imul(hash ^ (part >>> 0), 0x01000193);
    hash ^= hash >>> 15;
    hash = Math.imul(hash, 0x2c1b3c6d);
    hash ^= hash >>> 12;
  }
  return hash >>> 0;
}

/** A number in [0, 1) fixed by a string, for assigning rows to splits by id. */
export function unitHash(text: string): number {
  return fnv1a(text) / 4294967296;
}
