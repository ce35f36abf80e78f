#!/usr/bin/python3
"""PyTorch CPU side of bench/losses: writes the shared logits matrix, then times loss + gradient.

Usage: /usr/bin/python3 torch_losses.py LOGITS_PATH N REPS THREADS
Prints one JSON line per loss. run.sh calls it once per peer setting (bench/peer-env.sh). The matrix is 100 · cos(text, audio) for correlated random
embeddings (a CLAP batch at the largest logit scale), written as raw float32 for the clapjs side.
"""
import json
import os
import sys
import time

import torch
import torch.nn.functional as F

path, n, reps, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
allocator = os.environ.get("PEER_ALLOCATOR", "default")
torch.manual_seed(0)
text = F.normalize(torch.randn(n, 512), dim=1)
audio = F.normalize(text + torch.randn(n, 512), dim=1)
logits = (100.0 * text @ audio.t()).contiguous()
logits.numpy().tofile(path)
target = torch.arange(n)
labels = 2 * torch.eye(n) - 1


def clap(c):
    return (F.cross_entropy(c, target) + F.cross_entropy(c.t(), target)) / 2


def siglip(c):
    return -F.logsigmoid(labels * c).sum() / n


torch.set_num_threads(threads)
for name, fn in [("symmetric-clap", clap), ("siglip", siglip)]:
    times = []
    for i in range(reps + 1):
        c = logits.clone().requires_grad_(True)
        start = time.perf_counter()
        loss = fn(c)
        loss.backward()
        elapsed = (time.perf_counter() - start) * 1000
        if i > 0:  # the first call warms up allocators and thread pools
            times.append(elapsed)
    times.sort()
    print(json.dumps({
        "bench": "losses", "engine": f"pytorch {torch.__version__} cpu", "allocator": allocator, "loss": name, "n": n,
        "threads": torch.get_num_threads(), "ms_median": round(times[len(times) // 2], 1),
        "reps": reps, "value": loss.item(), "grad_sum_abs": c.grad.abs().sum().item(),
    }), flush=True)
