"""HTSAT-tiny + RoBERTa-base CLAP inference in PyTorch 1.13: the peer of htsat_roberta.mjs.

Audio: LAION-CLAP's HTS-AT (the module of packages/audio-encoders/scripts/make-htsat-fixture.py,
a reimplementation of laion_clap/clap_module/htsat.py: bn0, bicubic resize, fold to 256x256,
Swin stages, final LayerNorm, mean of the last stage's tokens) at the tiny preset, then LAION's
projection Linear(768, 512) -> ReLU -> Linear(512, 512) and L2 normalisation, on log-mel
[batch, 1, 1001, 64] (10 s at 48 kHz, hop 480). Text: RoBERTa-base (embeddings with positions from
padding_idx + 1, 12 post-LN layers, GELU, pooler tanh(dense(<s>))) on 77 tokens, then the same
projection. Random weights (timing only), eval mode, torch.no_grad().
Usage: python3 htsat_roberta.py <audio batch> <text batch> <measured> <warmup> <threads>
Prints one JSON line per figure.
"""
import importlib.util
import json
import os
import pathlib
import resource
import sys
import time

import torch
import torch.nn as nn

HERE = pathlib.Path(__file__).resolve().parent
spec = importlib.util.spec_from_file_location(
    "htsat_fixture", HERE.parent.parent / "packages/audio-encoders/scripts/make-htsat-fixture.py"
)
htsat = importlib.util.module_from_spec(spec)
spec.loader.exec_module(htsat)

audio_batch, text_batch, measured, warmup, threads = (int(a) for a in sys.argv[1:6])
torch.set_num_threads(threads)
torch.manual_seed(0)
VOCAB, WIDTH, LAYERS, HEADS, FFN, POSITIONS, PAD, TOKENS = 50265, 768, 12, 12, 3072, 514, 1, 77


class RobertaEmbeddings(nn.Module):
    def __init__(self):
        super().__init__()
        self.word_embeddings = nn.Embedding(VOCAB, WIDTH, padding_idx=PAD)
        self.position_embeddings = nn.Embedding(POSITIONS, WIDTH, padding_idx=PAD)
        self.token_type_embeddings = nn.Embedding(1, WIDTH)
        self.LayerNorm = nn.LayerNorm(WIDTH, eps=1e-5)

    def forward(self, ids):
        mask = ids.ne(PAD).int()
        positions = torch.cumsum(mask, dim=1) * mask + PAD  # HF create_position_ids_from_input_ids
        x = self.word_embeddings(ids) + self.position_embeddings(positions)
        return self.LayerNorm(x + self.token_type_embeddings(torch.zeros_like(ids)))


class Roberta(nn.Module):
    def __init__(self):
        super().__init__()
        self.embeddings = RobertaEmbeddings()
        layer = nn.TransformerEncoderLayer(WIDTH, HEADS, FFN, dropout=0.0, activation="gelu", batch_first=True, layer_norm_eps=1e-5)
        self.encoder = nn.TransformerEncoder(layer, LAYERS, enable_nested_tensor=False)
        self.pooler = nn.Linear(WIDTH, WIDTH)

    def forward(self, ids):
        x = self.encoder(self.embeddings(ids), src_key_padding_mask=ids.eq(PAD))
        return torch.tanh(self.pooler(x[:, 0]))


def projection(dim_in):
    return nn.Sequential(nn.Linear(dim_in, 512), nn.ReLU(), nn.Linear(512, 512))


audio = htsat.Htsat(256, 96, [2, 2, 6, 2], [4, 8, 16, 32], 8, 64).eval()
audio_projection = projection(768).eval()
text = Roberta().eval()
text_projection = projection(WIDTH).eval()
params = sum(p.numel() for m in (audio, audio_projection, text, text_projection) for p in m.parameters())

mel = torch.randn(audio_batch, 1, 1001, 64)
ids = torch.full((text_batch, TOKENS), PAD, dtype=torch.long)
for row in range(text_batch):  # <s> + 10–17 pieces + </s>, as short captions
    length = 12 + row % 8
    ids[row, 0], ids[row, 1 : length - 1], ids[row, length - 1] = 0, torch.randint(4, VOCAB, (length - 2,)), 2


def emit(record):
    # The allocator setting (bench/peer-env.sh) is part of the peer's name, so the ratio can pick the best.
    engine = "pytorch-" + torch.__version__ + (", kept heap" if os.environ.get("PEER_ALLOCATOR") == "kept" else "")
    print(json.dumps({"bench": "htsat-inference", "engine": engine, "threads": threads, **record}), flush=True)


def time_it(fn, items):
    times = []
    for rep in range(warmup + measured):
        start = time.perf_counter()
        with torch.no_grad():
            out = fn()
        ms = (time.perf_counter() - start) * 1000
        if rep >= warmup:
            times.append(ms)
    times.sort()
    median = times[len(times) // 2]
    return {"ms": round(median, 1), "itemsPerSecond": round(items * 1000 / median, 3), "maxAbs": float(out.abs().max())}


audio_fn = lambda: nn.functional.normalize(audio_projection(audio(mel)[0]), dim=-1)
text_fn = lambda: nn.functional.normalize(text_projection(text(ids)), dim=-1)
emit({"figure": "audio", "batch": audio_batch, "params": params, **time_it(audio_fn, audio_batch)})
emit({"figure": "text", "batch": text_batch, **time_it(text_fn, text_batch)})
emit({"figure": "peak-rss", "batch": audio_batch, "mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)})
