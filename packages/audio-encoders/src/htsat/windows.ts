import * as tf from '@tensorflow/tfjs-core';

/** torch.roll of `[batch, H, W, C]` by `shift` along both H and W (negative: towards index 0). */
export function roll2d(x: tf.Tensor4D, shift: number): tf.Tensor4D {
  return tf.tidy(() => {
    const rollAxis = (t: tf.Tensor4D, axis: 1 | 2): tf.Tensor4D => {
      const size = t.shape[axis];
      const s = ((shift % size) + size) % size;
      if (s === 0) return t;
      const begin = [0, 0, 0, 0];
      const head = [...t.shape] as number[];
      head[axis] = size - s;
      const tail = [...t.shape] as number[];
      tail[axis] = s;
      const tailBegin = [...begin];
      tailBegin[axis] = size - s;
      // roll by +s: the last s rows come first.
      return tf.concat([tf.slice(t, tailBegin, tail), tf.slice(t, begin, head)], axis);
    };
    return rollAxis(rollAxis(x, 1), 2);
  });
}

/**
 * Swin's window_partition: `[batch, H, W, C]` → `[batch · (H/w) · (W/w), w·w, C]`, windows in
 * row-major order per image, tokens row-major in each window (only rank-4 transposes).
 */
export function windowPartition(x: tf.Tensor4D, window: number): tf.Tensor3D {
  return tf.tidy(() => {
    const [batch, height, width, channels] = x.shape;
    const rows = tf.reshape(x, [
      (batch * height) / window,
      window,
      width / window,
      window * channels,
    ]);
    return tf.reshape(tf.transpose(rows, [0, 2, 1, 3]), [
      -1,
      window * window,
      channels,
    ]) as tf.Tensor3D;
  });
}

/** Swin's window_reverse: the inverse of {@link windowPartition}. */
export function windowReverse(
  windows: tf.Tensor3D,
  window: number,
  height: number,
  width: number,
): tf.Tensor4D {
  return tf.tidy(() => {
    const channels = windows.shape[2];
    const batch = windows.shape[0] / ((height / window) * (width / window));
    const grouped = tf.reshape(windows, [
      (batch * height) / window,
      width / window,
      window,
      window * channels,
    ]);
    return tf.reshape(tf.transpose(grouped, [0, 2, 1, 3]), [
      batch,
      height,
      width,
      channels,
    ]) as tf.Tensor4D;
  });
}

/**
 * The shifted-window attention mask of Swin (and HTSAT): `[windows, w·w · w·w]`, 0 where query
 * and key come from the same region of the rolled image, −100 (upstream's value, not −∞) where
 * the roll brought them together from different regions.
 */
export function shiftedWindowMask(resolution: number, window: number, shift: number): Float32Array {
  const region = (i: number) => (i < resolution - window ? 0 : i < resolution - shift ? 1 : 2);
  const perSide = resolution / window;
  const n = window * window;
  const mask = new Float32Array(perSide * perSide * n * n);
  for (let wh = 0; wh < perSide; wh++) {
    for (let ww = 0; ww < perSide; ww++) {
      const labels: number[] = [];
      for (let r = 0; r < window; r++)
        for (let c = 0; c < window; c++)
          labels.push(region(wh * window + r) * 3 + region(ww * window + c));
      const offset = (wh * perSide + ww) * n * n;
      for (let q = 0; q < n; q++)
        for (let k = 0; k < n; k++) if (labels[q] !== labels[k]) mask[offset + q * n + k] = -100;
    }
  }
  return mask;
}

/**
 * `[w·w · w·w, (2w − 1)²]` one-hot rows selecting, for each (query, key) pair of a window, its
 * row of the relative position bias table (Swin's relative_position_index). The bias is this
 * matrix times the table: a matMul, whose gradient reaches the table on every backend (tfjs-wasm
 * has no kernel for gather's gradient).
 */
export function relativePositionOneHot(window: number): Float32Array {
  const n = window * window;
  const side = 2 * window - 1;
  const out = new Float32Array(n * n * side * side);
  for (let q = 0; q < n; q++) {
    for (let k = 0; k < n; k++) {
      const dh = Math.floor(q / window) - Math.floor(k / window) + window - 1;
      const dw = (q % window) - (k % window) + window - 1;
      out[(q * n + k) * side * side + dh * side + dw] = 1;
    }
  }
  return out;
}
