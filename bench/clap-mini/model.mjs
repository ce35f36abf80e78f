// The CLAP-mini model (bench/README.md) in plain tfjs-core ops, shared by clap_mini.mjs (CPU) and ../gpu:
// four 3×3 convs with avg-pools, bag-of-embeddings text tower, projections, symmetric CE.
// MEL and FRAMES can be shrunk through the environment for smoke tests on SwiftShader only.
const MEL = Number(process.env.CLAP_MINI_MEL ?? 64),
  FRAMES = Number(process.env.CLAP_MINI_FRAMES ?? 256);
const TOKENS = 32,
  VOCAB = 5000,
  WIDTH = 512,
  DIM = 256;

/**
 * Variables, random inputs and the loss closure for one batch size. `symmetricLoss`, when given,
 * replaces the two tf.losses.softmaxCrossEntropy calls (same math: ½(CE rows + CE columns)).
 */
export function buildClapMini(tf, rng, batch, symmetricLoss) {
  const he = (shape, fanIn) =>
    tf.variable(
      tf.tensor(
        rng.normalArray(
          shape.reduce((a, b) => a * b),
          0,
          Math.sqrt(2 / fanIn),
        ),
        shape,
      ),
    );
  const glorot = (fanIn, fanOut) => {
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    return tf.variable(
      tf.tensor2d(rng.uniformArray(fanIn * fanOut, -limit, limit), [fanIn, fanOut]),
    );
  };
  const channels = [1, 64, 128, 256, 512];
  const convs = channels.slice(1).map((c, i) => he([3, 3, channels[i], c], 9 * channels[i]));
  const embedding = tf.variable(tf.tensor2d(rng.normalArray(VOCAB * WIDTH), [VOCAB, WIDTH]));
  const textDense = glorot(WIDTH, WIDTH);
  const audioProj = glorot(WIDTH, DIM);
  const textProj = glorot(WIDTH, DIM);
  const logitScale = tf.variable(tf.scalar(Math.log(1 / 0.07)));
  const variables = [...convs, embedding, textDense, audioProj, textProj, logitScale];
  const logMel = tf.tensor4d(rng.normalArray(batch * MEL * FRAMES), [batch, MEL, FRAMES, 1]);
  const ids = tf.tensor2d(
    Int32Array.from({ length: batch * TOKENS }, () => rng.int(VOCAB)),
    [batch, TOKENS],
    'int32',
  );
  // int32 one-hot then cast: a float oneHot is wrong on some backends
  // (docs/engineering-notes.md, "tfjs-wasm: float oneHot").
  const labels = tf.cast(tf.oneHot(tf.range(0, batch, 1, 'int32'), batch), 'float32');
  const l2Normalize = (x) => tf.div(x, tf.sqrt(tf.maximum(tf.sum(tf.square(x), -1, true), 1e-24)));
  function loss() {
    let h = logMel;
    convs.forEach((w, i) => {
      h = tf.relu(tf.conv2d(h, w, 1, 'same'));
      if (i < convs.length - 1) h = tf.avgPool(h, 2, 2, 'valid');
    });
    const audio = tf.mean(h, [1, 2]);
    const text = tf.relu(tf.matMul(tf.mean(tf.gather(embedding, ids), 1), textDense));
    const ea = l2Normalize(tf.matMul(audio, audioProj));
    const et = l2Normalize(tf.matMul(text, textProj));
    const logits = tf.mul(tf.exp(logitScale), tf.matMul(et, ea, false, true));
    if (symmetricLoss) return symmetricLoss(logits);
    const rows = tf.losses.softmaxCrossEntropy(labels, logits);
    const cols = tf.losses.softmaxCrossEntropy(labels, tf.transpose(logits));
    return tf.mul(tf.add(rows, cols), 0.5);
  }
  return { variables, loss };
}
