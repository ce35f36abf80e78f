import * as tf from '@tensorflow/tfjs-core';
import {
  ConfigError,
  definePlugin,
  z,
  type CallOptions,
  type NamedVariable,
  type PluginContexts,
  type Rng,
  type TextEncoder,
  type TokenBatch,
} from '@clapjs/core';
import { Params, dense, dropout, geluTanh, layerNorm } from '@clapjs/layers';
import { checkTextEncoderContext, checkTokenBatch } from './context.js';
import { embeddingLookup } from './embedding-lookup.js';
import { lastTokenPool } from './pooling.js';
import { BERT_INIT_STD, multiHeadAttention } from './transformer-block.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';

const int = (what: string) => z.int(`${what} must be an integer`).positive(`${what} must be > 0`);

/**
 * Config of the `gpt2` text encoder; the keys are Hugging Face's GPT2Config fields (in brackets),
 * the defaults GPT-2 small's (msclap 2023's text tower) and msclap's pooling.
 */
export const gpt2ConfigSchema = z
  .strictObject({
    /** Decoder blocks (`n_layer`). */
    layers: int('layers').default(12),
    /** Hidden size (`n_embd`). */
    width: int('width').default(768),
    /** Attention heads (`n_head`); must divide width. */
    heads: int('heads').default(12),
    /** Feed-forward inner size (`n_inner`; GPT-2: 4 × width). */
    ffn: int('ffn').default(3072),
    /** Rows of the position table (`n_positions`): the most tokens per text. */
    maxPositions: int('maxPositions').default(1024),
    /** LayerNorm epsilon (`layer_norm_epsilon`). */
    layerNormEpsilon: z.number().positive('layerNormEpsilon must be > 0').default(1e-5),
    /** Dropout on embeddings, attention probabilities and residual branches when training (`resid_pdrop` = `embd_pdrop` = `attn_pdrop`). */
    dropout: z
      .number()
      .min(0, 'dropout must be in [0, 1)')
      .lt(1, 'dropout must be in [0, 1)')
      .default(0.1),
    /**
     * Which position's hidden state is the text's vector. `pad-count` (msclap 2023): position
     * (number of ids ≠ padTokenId) − 1, so each pad-id token inside a text (msclap pads with `!`,
     * id 0) moves it one position earlier, and a count of 0 wraps to the last position as
     * PyTorch's index −1 does. `mask`: the last position whose mask is 1.
     */
    pooling: z.enum(['pad-count', 'mask']).default('pad-count'),
    /** The id `pad-count` pooling counts out (msclap 2023: 0, GPT-2's `!`). */
    padTokenId: z.int('padTokenId must be an integer').min(0, 'padTokenId must be ≥ 0').default(0),
  })
  .superRefine((c, ctx) => {
    if (c.width % c.heads !== 0)
      ctx.addIssue({
        code: 'custom',
        path: ['heads'],
        message: `heads (${c.heads}) must divide width (${c.width})`,
      });
  });

/** A validated `gpt2` config. */
export type Gpt2Config = z.output<typeof gpt2ConfigSchema> & { readonly name: string };

/** A Conv1D of Hugging Face's GPT-2: `weight` [in, out] (already our kernel layout), `bias` [out]. */
interface Conv1d {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;
}

interface Norm {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;
}

interface Gpt2Block {
  readonly ln1: Norm;
  readonly attention: Conv1d; // attn.c_attn: [W, 3W], q | k | v column blocks
  readonly attentionOut: Conv1d; // attn.c_proj
  readonly ln2: Norm;
  readonly fc: Conv1d; // mlp.c_fc
  readonly fcOut: Conv1d; // mlp.c_proj
}

function conv1d(params: Params, inDim: number, outDim: number, std: number): Conv1d {
  return {
    weight: params.weight('weight', [inDim, outDim], { kind: 'normal', std }),
    bias: params.weight('bias', [outDim], { kind: 'zeros' }),
  };
}

function norm(params: Params, dim: number): Norm {
  return {
    weight: params.weight('weight', [dim], { kind: 'ones' }),
    bias: params.weight('bias', [dim], { kind: 'zeros' }),
  };
}

const apply = <T extends tf.Tensor>(x: T, c: Conv1d): T =>
  dense(x, c.weight as tf.Tensor2D, c.bias as tf.Tensor1D);

/**
 * GPT-2 (Hugging Face GPT2Model; msclap 2023's text tower): token + learned position embeddings
 * (positions 0 … L − 1), pre-LN decoder blocks with causal self-attention (a query sees itself and
 * earlier real tokens), Conv1D projections stored [in, out], tanh GELU (`gelu_new`), a final
 * LayerNorm `ln_f`, then the hidden state at the last real token (see `pooling`). Weight paths are
 * GPT2Model's state_dict names with `/` for `.` ({@link gpt2NameMap}).
 */
export class Gpt2TextEncoder implements TextEncoder<Gpt2Config> {
  readonly name = 'gpt2';
  readonly outputDim: number;
  private readonly config: Gpt2Config;
  private readonly params: Params;
  private readonly wte: tf.Variable;
  private readonly wpe: tf.Variable;
  private readonly blocks: Gpt2Block[];
  private readonly lnF: Norm;
  private readonly dropoutRng: Rng;

  constructor(config: Gpt2Config, context: PluginContexts['text-encoder']) {
    checkTextEncoderContext('gpt2', context);
    if (context.maxLength > config.maxPositions) {
      throw new ConfigError(
        'tokenizer.maxLength',
        `The gpt2 encoder has ${config.maxPositions} positions but the tokenizer gives ${context.maxLength} tokens per text. ` +
          'Lower tokenizer.maxLength (msclap 2023: 77) or raise textEncoder.maxPositions.',
      );
    }
    this.config = { ...config };
    this.outputDim = config.width;
    this.params = new Params('', context.rng);
    this.dropoutRng = context.rng.fork('gpt2/dropout');
    const { width, ffn, layers } = config;
    const init = { kind: 'normal', std: BERT_INIT_STD } as const;
    this.wte = this.params.child('wte').weight('weight', [context.vocabSize, width], init);
    this.wpe = this.params.child('wpe').weight('weight', [config.maxPositions, width], init);
    // GPT-2 scales the residual projections' init by 1/√(2 · layers).
    const residualStd = BERT_INIT_STD / Math.sqrt(2 * layers);
    this.blocks = Array.from({ length: layers }, (_, i) => {
      const h = this.params.child('h').child(String(i));
      const attn = h.child('attn');
      const mlp = h.child('mlp');
      return {
        ln1: norm(h.child('ln_1'), width),
        attention: conv1d(attn.child('c_attn'), width, 3 * width, BERT_INIT_STD),
        attentionOut: conv1d(attn.child('c_proj'), width, width, residualStd),
        ln2: norm(h.child('ln_2'), width),
        fc: conv1d(mlp.child('c_fc'), width, ffn, BERT_INIT_STD),
        fcOut: conv1d(mlp.child('c_proj'), ffn, width, residualStd),
      };
    });
    this.lnF = norm(this.params.child('ln_f'), width);
  }

  /** Token batch `[B, L]` → the pooled hidden state `[B, width]`. */
  encode(tokens: TokenBatch, options: CallOptions): tf.Tensor2D {
    const hidden = this.hidden(tokens, options);
    const pooled = tf.tidy(() => lastTokenPool(hidden, this.poolIndex(tokens)));
    hidden.dispose();
    return pooled;
  }

  /** The last hidden states after `ln_f`, `[B, L, width]` (HF `last_hidden_state`). */
  hidden(tokens: TokenBatch, options: CallOptions): tf.Tensor3D {
    checkTokenBatch(this.name, tokens, this.config.maxPositions);
    const { heads, layerNormEpsilon: epsilon, dropout: rate, width } = this.config;
    const drop = <T extends tf.Tensor>(x: T): T =>
      dropout(x, rate, this.dropoutRng, options.training);
    const ln = (x: tf.Tensor3D, n: Norm) =>
      layerNorm(x, n.weight as tf.Tensor1D, n.bias as tf.Tensor1D, epsilon);
    return tf.tidy(() => {
      const [batch, length] = tokens.ids.shape;
      const ids = tokens.ids.dtype === 'int32' ? tokens.ids : tf.cast(tokens.ids, 'int32');
      let x = embeddingLookup(this.wte as tf.Tensor2D, ids) as tf.Tensor3D;
      x = drop(tf.add(x, tf.slice(this.wpe, [0, 0], [length, width])));
      const maskBias = attentionBias(tokens.mask, batch, length);
      for (const block of this.blocks) {
        const qkv = apply(ln(x, block.ln1), block.attention);
        const [query, key, value] = tf.split(qkv, 3, 2) as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
        const attended = multiHeadAttention(query, key, value, maskBias, heads, drop);
        x = tf.add(x, drop(apply(attended, block.attentionOut)));
        const inner = geluTanh(apply(ln(x, block.ln2), block.fc));
        x = tf.add(x, drop(apply(inner, block.fcOut)));
      }
      return ln(x, this.lnF);
    });
  }

  /** The position each text is pooled at, `[B]` int32 (see the `pooling` config key). */
  poolIndex(tokens: TokenBatch): tf.Tensor1D {
    return tf.tidy(() => {
      const length = tokens.ids.shape[1];
      const counted =
        this.config.pooling === 'mask'
          ? tf.cast(tokens.mask, 'int32')
          : tf.cast(tf.notEqual(tokens.ids, this.config.padTokenId), 'int32');
      const last = tf.sub(tf.sum(counted, 1), 1);
      // PyTorch reads index −1 as the last position.
      return tf.cast(
        tf.where(tf.less(last, 0), tf.add(last, length), last),
        'int32',
      ) as tf.Tensor1D;
    });
  }

  getConfig(): Gpt2Config {
    return { ...this.config };
  }

  variables(): NamedVariable[] {
    return this.params.variables();
  }

  /** Moves the dropout stream onto its fork labelled `label` (core's `Part.reseed`). */
  reseed(label: string): void {
    this.dropoutRng.reseed(label);
  }

  dispose(): void {
    this.params.dispose();
  }
}

/**
 * GPT-2's attention bias `[B, 1, L, L]`: 0 where query i may see key j (j ≤ i and j a real token
 * by the mask), −1e9 elsewhere, as GPT2Model combines its causal mask with `attention_mask`.
 */
function attentionBias(mask: tf.Tensor2D, batch: number, length: number): tf.Tensor4D {
  return tf.tidy(() => {
    const causal = tf.linalg.bandPart(tf.ones([length, length]), -1, 0);
    const padding = tf.reshape(tf.cast(mask, 'float32'), [batch, 1, 1, length]);
    const allowed = tf.mul(tf.reshape(causal, [1, 1, length, length]), padding);
    return tf.mul(tf.sub(1, allowed), -1e9) as tf.Tensor4D;
  });
}

/** The `gpt2` text-encoder plugin. */
export const gpt2Plugin = definePlugin({
  kind: 'text-encoder',
  name: 'gpt2',
  version: PACKAGE_VERSION,
  coreVersion: '^0.1.0',
  origin: PACKAGE_NAME,
  configSchema: gpt2ConfigSchema,
  description:
    'GPT-2 (HF GPT2Model; msclap 2023): causal pre-LN blocks, gelu_new, ln_f, pooled at the last real token; defaults GPT-2 small',
  create: (config, context) => new Gpt2TextEncoder(config, context),
});
