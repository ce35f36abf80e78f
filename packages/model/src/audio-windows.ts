import * as tf from '@tensorflow/tfjs-core';
import { clipWindows, windowClip, type LogMelConfig } from '@clapjs/audio';

/** Windows of one long clip that go through the encoder together (bounds peak memory). */
const WINDOWS_PER_BATCH = 8;

/**
 * Projected audio embeddings `[clips, dim]` of raw clips at `config.sampleRate`: each row is the
 * mean of the projected embeddings of the clip's windows (`clipWindows`: one window for a clip no
 * longer than `config.clipSeconds`, otherwise the fewest evenly spaced windows that cover it), so
 * a long file gives the same embedding on every call instead of depending on a crop. Each window
 * is fitted by the preset's `padMode` (`windowClip`). When every clip is a single window the
 * clips go through `project` as one batch, as before. Anything that is not a non-empty
 * Float32Array goes through unchanged, so `project` reports it.
 *
 * @param project projected (not normalised) embeddings `[n, dim]` of n clips of one window each
 */
export function projectClipWindows(
  clips: readonly Float32Array[],
  config: LogMelConfig,
  project: (windows: readonly Float32Array[]) => tf.Tensor2D,
): tf.Tensor2D {
  const rate = config.sampleRate;
  const valid = clips.every((clip) => clip instanceof Float32Array && clip.length > 0);
  if (!valid) return project(clips);
  const spans = clips.map((clip) => clipWindows(clip.length, rate, config));
  const fit = (clip: Float32Array, i: number): Float32Array[] =>
    spans[i]!.map((span) => windowClip(clip, span, rate, config));
  if (spans.every((s) => s.length === 1)) return project(clips.flatMap(fit));
  return tf.tidy(() => {
    const rows = clips.map((clip, i) => {
      const windows = spans[i]!;
      let sum: tf.Tensor1D | undefined;
      for (let at = 0; at < windows.length; at += WINDOWS_PER_BATCH) {
        // Window copies are made per batch: a long file's windows are never all in memory at once.
        const batch = windows
          .slice(at, at + WINDOWS_PER_BATCH)
          .map((span) => windowClip(clip, span, rate, config));
        sum = addBatch(sum, batch, project);
      }
      return tf.div(sum!, windows.length) as tf.Tensor1D;
    });
    return tf.stack(rows) as tf.Tensor2D;
  });
}

/** `sum` (disposed) plus the summed projected embeddings of `batch`. */
function addBatch(
  sum: tf.Tensor1D | undefined,
  batch: readonly Float32Array[],
  project: (windows: readonly Float32Array[]) => tf.Tensor2D,
): tf.Tensor1D {
  const part = tf.tidy(() => tf.sum(project(batch), 0) as tf.Tensor1D);
  if (sum === undefined) return part;
  const next = tf.add(sum, part) as tf.Tensor1D;
  tf.dispose([sum, part]);
  return next;
}

/**
 * The projected embedding `[1, dim]` of one clip given window by window (each window one
 * `clipSeconds` long, as `@clapjs/audio`'s `readAudioWindows` yields them): the mean of the
 * windows' projected embeddings, encoded `WINDOWS_PER_BATCH` at a time in the order
 * {@link projectClipWindows} uses, so it equals that function's row for the whole clip. Only one
 * batch of windows is held.
 *
 * @throws ModelError `AUDIO_EMPTY` when the stream yields no window
 */
export async function projectWindowStream(
  windows: AsyncIterable<Float32Array>,
  project: (windows: readonly Float32Array[]) => tf.Tensor2D,
  empty: () => Error,
): Promise<tf.Tensor2D> {
  let sum: tf.Tensor1D | undefined;
  let count = 0;
  let batch: Float32Array[] = [];
  try {
    for await (const window of windows) {
      batch.push(window);
      count++;
      if (batch.length === WINDOWS_PER_BATCH) {
        sum = addBatch(sum, batch, project);
        batch = [];
      }
    }
    if (batch.length > 0) sum = addBatch(sum, batch, project);
  } catch (error) {
    sum?.dispose();
    throw error;
  }
  if (sum === undefined) throw empty();
  const mean = sum;
  const row = tf.tidy(() => tf.reshape(tf.div(mean, count), [1, -1]) as tf.Tensor2D);
  mean.dispose();
  return row;
}
