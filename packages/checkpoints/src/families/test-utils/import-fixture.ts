import { importCheckpoint } from '../../import/import-checkpoint.js';
import { openCheckpoint } from '../../readers/open.js';

/** max|ours − reference| / max|reference|. */
export function relativeError(ours: ArrayLike<number>, want: ArrayLike<number>): number {
  let diff = 0;
  let peak = 0;
  for (let i = 0; i < want.length; i++) {
    diff = Math.max(diff, Math.abs(ours[i]! - want[i]!));
    peak = Math.max(peak, Math.abs(want[i]!));
  }
  return diff / peak;
}

/** Imports a checkpoint file as the CLI does (open, import, close the reader). */
export async function importFile(path: string, options: { from: string; set: readonly string[] }) {
  const reader = await openCheckpoint(path);
  try {
    return await importCheckpoint(reader, { ...options, source: path });
  } finally {
    await reader.close();
  }
}
