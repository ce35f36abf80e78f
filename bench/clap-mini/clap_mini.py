"""CLAP-mini (bench/README.md) in PyTorch: the peer of clap_mini.mjs. Prints one JSON line per figure.

Usage: /usr/bin/python3 clap_mini.py <batch> <measured_steps> [warmup_steps] [threads]
"""
import json
import math
import os
import resource
import sys
import time

import torch
import torch.nn.functional as F

batch = int(sys.argv[1]) if len(sys.argv) > 1 else 16
steps = int(sys.argv[2]) if len(sys.argv) > 2 else 10
warmup = int(sys.argv[3]) if len(sys.argv) > 3 else 2
if len(sys.argv) > 4:
    torch.set_num_threads(int(sys.argv[4]))
threads = torch.get_num_threads()
engine = f"pytorch-{torch.__version__}-cpu"
MEL, FRAMES, TOKENS, VOCAB, WIDTH, DIM = 64, 256, 32, 5000, 512, 256


def emit(record):
    print(json.dumps({"bench": "clap-mini", "engine": engine, "batch": batch, "threads": threads,
                      "allocator": os.environ.get("PEER_ALLOCATOR", "default"), **record}), flush=True)


torch.manual_seed(1)
channels = [1, 64, 128, 256, 512]
# He-normal convs, Glorot-uniform dense, as in clap_mini.mjs (values do not affect speed).
convs = [torch.nn.Parameter(torch.randn(c, channels[i], 3, 3) * math.sqrt(2 / (9 * channels[i]))) for i, c in enumerate(channels[1:])]


def glorot(fan_in, fan_out):
    limit = math.sqrt(6 / (fan_in + fan_out))
    return torch.nn.Parameter(torch.empty(fan_out, fan_in).uniform_(-limit, limit))


embedding = torch.nn.Parameter(torch.randn(VOCAB, WIDTH))
text_dense = glorot(WIDTH, WIDTH)
audio_proj = glorot(WIDTH, DIM)
text_proj = glorot(WIDTH, DIM)
logit_scale = torch.nn.Parameter(torch.tensor(math.log(1 / 0.07)))
params = [*convs, embedding, text_dense, audio_proj, text_proj, logit_scale]
optimizer = torch.optim.Adam(params, lr=1e-4)

log_mel = torch.randn(batch, 1, MEL, FRAMES)
ids = torch.randint(0, VOCAB, (batch, TOKENS))
labels = torch.arange(batch)


def loss_fn():
    h = log_mel
    for i, w in enumerate(convs):
        h = F.relu(F.conv2d(h, w, padding=1))
        if i < len(convs) - 1:
            h = F.avg_pool2d(h, 2)
    audio = h.mean(dim=(2, 3))
    text = F.relu(F.linear(F.embedding(ids, embedding).mean(dim=1), text_dense))
    ea = F.normalize(F.linear(audio, audio_proj), dim=-1)
    et = F.normalize(F.linear(text, text_proj), dim=-1)
    logits = logit_scale.exp() * et @ ea.t()
    return 0.5 * (F.cross_entropy(logits, labels) + F.cross_entropy(logits.t(), labels))


times = []
for step in range(warmup + steps):
    start = time.perf_counter()
    optimizer.zero_grad(set_to_none=True)
    loss = loss_fn()
    loss.backward()
    optimizer.step()
    value = loss.item()
    ms = (time.perf_counter() - start) * 1000
    if step >= warmup:
        times.append(ms)
    emit({"figure": "step", "step": step, "ms": round(ms), "loss": value})

times.sort()
median = times[len(times) // 2]
emit({
    "figure": "summary",
    "msPerStep": round(median),
    "samplesPerSecond": round(1000 * batch / median, 2),
    "measuredSteps": len(times),
    "warmupSteps": warmup,
    "peakRssMiB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    "cpus": os.cpu_count(),
})
