"""Full-size CNN14 inference in PyTorch: msclap 2022's audio encoder (PANNs' Cnn14 up to fc1,
the part clapjs' `cnn14` plugin runs), random weights with PANNs' own init, eval mode, no grad.
Input: log-mel (batch, 1, 690 frames, 64 mel) = 5 s at 44.1 kHz, hop 320. One JSON line per figure.
Usage: /usr/bin/python3 cnn14.py <batch> <measured> [warmup] [threads]
Set OMP_NUM_THREADS / OPENBLAS_NUM_THREADS to the same thread count (run.sh does)."""
import json
import os
import resource
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

batch = int(sys.argv[1])
measured = int(sys.argv[2])
warmup = int(sys.argv[3]) if len(sys.argv) > 3 else 1
threads = int(sys.argv[4]) if len(sys.argv) > 4 else torch.get_num_threads()
torch.set_num_threads(threads)
FRAMES, MELS = 690, 64


class ConvBlock(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1, bias=False)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.bn2 = nn.BatchNorm2d(cout)
        nn.init.xavier_uniform_(self.conv1.weight)
        nn.init.xavier_uniform_(self.conv2.weight)

    def forward(self, x, pool):
        x = F.relu_(self.bn1(self.conv1(x)))
        x = F.relu_(self.bn2(self.conv2(x)))
        return F.avg_pool2d(x, pool) if pool != (1, 1) else x


class Cnn14(nn.Module):
    def __init__(self):
        super().__init__()
        self.bn0 = nn.BatchNorm2d(MELS)
        widths = [1, 64, 128, 256, 512, 1024, 2048]
        self.blocks = nn.ModuleList(ConvBlock(a, b) for a, b in zip(widths, widths[1:]))
        self.fc1 = nn.Linear(2048, 2048)
        nn.init.xavier_uniform_(self.fc1.weight)
        nn.init.zeros_(self.fc1.bias)

    def forward(self, x):  # (batch, 1, frames, mels)
        x = self.bn0(x.transpose(1, 3)).transpose(1, 3)
        for i, block in enumerate(self.blocks):
            x = block(x, (2, 2) if i < 5 else (1, 1))
        x = x.mean(dim=3)
        x = x.max(dim=2).values + x.mean(dim=2)
        return F.relu_(self.fc1(x))


torch.manual_seed(0)
model = Cnn14().eval()
# Parameters + BatchNorm running statistics (clapjs counts those among its variables).
params = sum(p.numel() for p in model.parameters()) + sum(
    b.numel() for n, b in model.named_buffers() if not n.endswith("num_batches_tracked"))
x = torch.randn(batch, 1, FRAMES, MELS)
# The allocator setting (bench/peer-env.sh) is part of the peer's name, so the ratio can pick the best.
engine = f"pytorch-{torch.__version__.split('+')[0]}-cpu" + (
    ", kept heap" if os.environ.get("PEER_ALLOCATOR") == "kept" else "")
times = []
cpu_times = []  # process CPU time (all threads) per call, see cnn14.mjs
with torch.inference_mode():
    for rep in range(warmup + measured):
        start, cpu_start = time.perf_counter(), time.process_time()
        out = model(x)
        ms = (time.perf_counter() - start) * 1000
        cpu_ms = (time.process_time() - cpu_start) * 1000
        if rep >= warmup:
            times.append(ms)
            cpu_times.append(cpu_ms)
        print(json.dumps({"bench": "cnn14-inference", "engine": engine, "threads": threads,
                          "batch": batch, "figure": "rep", "rep": rep, "warm": rep >= warmup,
                          "ms": round(ms), "cpuMs": round(cpu_ms)}), flush=True)
median = sorted(times)[len(times) // 2]
print(json.dumps({
    "bench": "cnn14-inference", "engine": engine, "threads": threads, "batch": batch,
    "figure": "summary", "params": params, "input": [batch, 1, FRAMES, MELS],
    "measured": measured, "warmup": warmup, "medianMs": round(median),
    "clipsPerS": round(1000 * batch / median, 3), "times": [round(t) for t in times],
    "cpuTimes": [round(t) for t in cpu_times],
    "maxAbsEmbedding": float(f"{out.abs().max().item():.4g}"),
    "peakRssMiB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
}))
