import type { ByteSource } from './byte-source.js';
import { CheckpointError } from './errors.js';
import { openLegacy } from './legacy.js';
import type { OpenedFile } from './reader.js';
import { openSafetensors } from './safetensors.js';
import { openTorchZip } from './torch-zip.js';

/** The magic number that opens a legacy (pre-1.6, non-zip) torch.save file (a pickled LONG1). */
const LEGACY_MAGIC = [
  0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19,
];

/**
 * Opens one checkpoint file by its first bytes: `PK` → torch zip; torch's legacy magic → the
 * legacy (pre-1.6) reader; an 8-byte length followed by `{` → safetensors.
 * @throws CheckpointError (`CHECKPOINT_FORMAT_UNKNOWN`, `CHECKPOINT_LEGACY_FORMAT`, …)
 */
export async function openByContent(source: ByteSource): Promise<OpenedFile> {
  const head = await source.read(0, Math.min(16, source.size), 'the first bytes');
  if (head[0] === 0x50 && head[1] === 0x4b) return openTorchZip(source);
  if (LEGACY_MAGIC.every((byte, i) => head[i] === byte)) return openLegacy(source);
  if (head.byteLength > 8 && head[8] === 0x7b && head[6] === 0 && head[7] === 0) {
    return openSafetensors(source);
  }
  const hex = [...head.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  throw new CheckpointError(
    'CHECKPOINT_FORMAT_UNKNOWN',
    `${source.name} is not a checkpoint clapjs reads (first bytes ${hex || 'none: empty file'}); expected a torch.save zip (.pt/.pth/.ckpt/.bin), a .safetensors file or a *.index.json of shards.`,
  );
}
