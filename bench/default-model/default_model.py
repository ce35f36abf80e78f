"""The peer of default_model.mjs: the same model in PyTorch, from the weights and batch that
default_model.mjs exported (clapjs paths, clapjs layouts: dense kernels [in, out], convolution
kernels [kh, kw, in, out]), the same AdamW, clipping and logit-scale clamp. Every dropout is 0 on
both sides, so the losses must agree to float32 noise. Prints one JSON line per figure.

Usage: /usr/bin/python3 default_model.py <export dir> <batch> <measured steps> <warmup steps> <threads> [profile]
Pin OPENBLAS_NUM_THREADS / OMP_NUM_THREADS to <threads> in the environment too (run.sh does).
"""
import json
import math
import os
import resource
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

from clap_graph import DefaultModelGraph, to_torch

export_dir, batch, steps, warmup, threads = sys.argv[1], *map(int, sys.argv[2:6])
profile = len(sys.argv) > 6 and sys.argv[6] == "profile"
torch.set_num_threads(threads)
meta = json.load(open(os.path.join(export_dir, "meta.json")))
blob = np.fromfile(os.path.join(export_dir, "weights.bin"), dtype=np.float32)
config = meta["config"]
opt = meta["optimizer"]
engine = f"pytorch-{torch.__version__}-cpu"


def emit(record):
    print(json.dumps({"bench": "default-model", "config": config_name, "engine": engine, "batch": batch,
                      "threads": torch.get_num_threads(), "allocator": os.environ.get("PEER_ALLOCATOR", "default"),
                      **record}), flush=True)


def array(offset, shape):
    size = math.prod(shape)
    return torch.from_numpy(blob[offset:offset + size].copy()).reshape(shape)


W = {}
decay, no_decay, buffers = [], [], {}
for v in meta["variables"]:
    t = to_torch(v["path"], array(v["offset"], v["shape"]))
    if v["trainable"]:
        p = torch.nn.Parameter(t)
        (decay if v["decay"] else no_decay).append(p)
        W[v["path"]] = p
    else:
        W[v["path"]] = t
params = decay + no_decay
config_name = "tiny" if config["textEncoder"]["name"] == "bag-of-embeddings" else "default"
log_mel = array(meta["logMel"]["offset"], meta["logMel"]["shape"]).permute(0, 3, 1, 2).contiguous()  # [B, 1, T, M]
ids = torch.tensor(meta["ids"], dtype=torch.long).reshape(meta["tokenShape"])
mask = torch.tensor(meta["mask"], dtype=torch.float32).reshape(meta["tokenShape"])
labels = torch.arange(batch)


graph = DefaultModelGraph(W, config, training=True)


def loss_fn():
    audio = graph.audio_embedding(log_mel)
    text = graph.text_embedding(ids, mask)
    logits = W["similarity/logit_scale"].exp() * F.normalize(text, dim=-1) @ F.normalize(audio, dim=-1).t()
    return 0.5 * (F.cross_entropy(logits, labels) + F.cross_entropy(logits.t(), labels))


optimizer = torch.optim.AdamW(
    [{"params": decay, "weight_decay": opt["weightDecay"]}, {"params": no_decay, "weight_decay": 0.0}],
    lr=opt["lr"], betas=(opt["beta1"], opt["beta2"]), eps=opt["epsilon"])
max_scale = config["similarity"]["maxScale"]


def step():
    optimizer.zero_grad(set_to_none=True)
    loss = loss_fn()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(params, opt["clipNorm"])
    value = loss.item()
    optimizer.step()
    with torch.no_grad():
        W["similarity/logit_scale"].clamp_(0, max_scale)
    return value


if profile:
    step()
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
        step()
    rows = sorted(prof.key_averages(), key=lambda e: e.self_cpu_time_total, reverse=True)
    emit({"figure": "profile", "totalSelfMs": round(sum(e.self_cpu_time_total for e in rows) / 1000, 1),
          "kernels": [{"name": e.key, "ms": round(e.self_cpu_time_total / 1000, 2), "calls": e.count} for e in rows[:20]]})
    sys.exit(0)

times, cpu_times, losses = [], [], []
for i in range(warmup + steps):
    start, cpu_start = time.perf_counter(), time.process_time()
    losses.append(step())
    ms, cpu_ms = (time.perf_counter() - start) * 1000, (time.process_time() - cpu_start) * 1000
    if i >= warmup:
        times.append(ms)
        cpu_times.append(cpu_ms)
median = sorted(times)[len(times) // 2]
# CPU time of the whole process (every thread): steadier than wall time on a loaded machine.
emit({"figure": "summary", "msPerStep": round(median, 1), "cpuMsPerStep": round(sorted(cpu_times)[len(times) // 2], 1),
      "samplesPerSecond": round(1000 * batch / median, 2),
      "losses": losses, "peakRssMiB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
      "cpus": os.cpu_count()})
