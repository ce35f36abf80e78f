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


# clapjs layout → PyTorch layout, per kind of weight.
def to_torch(path, value):
    if value.dim() == 4:  # conv [kh, kw, in, out] → [out, in, kh, kw]
        return value.permute(3, 2, 0, 1).contiguous()
    if value.dim() == 2 and not path.startswith("textEncoder/embeddings/"):
        return value.t().contiguous()  # dense [in, out] → Linear.weight [out, in]
    return value


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
ae = config["audioEncoder"]
te = config["textEncoder"]


def batch_norm(x, prefix):
    return F.batch_norm(x, W[prefix + "/running_mean"], W[prefix + "/running_var"], W[prefix + "/weight"],
                        W[prefix + "/bias"], training=True, momentum=ae["bnMomentum"], eps=ae["bnEpsilon"])


def audio_encoder(x):  # PANNs' layout: [B, 1, T, M]
    x = batch_norm(x.transpose(1, 3), "audioEncoder/bn0").transpose(1, 3)
    if ae["inputPool"] != [1, 1]:
        x = F.avg_pool2d(x, ae["inputPool"])
    for b in range(len(ae["channels"])):
        p = f"audioEncoder/conv_block{b + 1}"
        x = F.relu(batch_norm(F.conv2d(x, W[p + "/conv1/weight"], padding=1), p + "/bn1"))
        x = F.avg_pool2d(x, 2)
    x = x.mean(dim=3)
    x = x.max(dim=2).values + x.mean(dim=2)
    return F.relu(F.linear(x, W["audioEncoder/fc1/weight"], W["audioEncoder/fc1/bias"]))


def dense(x, prefix):
    return F.linear(x, W[prefix + "/kernel"], W[prefix + "/bias"])


def layer_norm(x, prefix):
    return F.layer_norm(x, (x.shape[-1],), W[prefix + "/gamma"], W[prefix + "/beta"], te["layerNormEpsilon"])


def attention(x, prefix, mask_bias):
    b, length, width = x.shape
    heads = te["heads"]
    split = lambda t: t.reshape(b, length, heads, width // heads).transpose(1, 2)  # noqa: E731
    q, k, v = (split(dense(x, f"{prefix}/{n}")) for n in ("query", "key", "value"))
    scores = q @ k.transpose(-1, -2) / math.sqrt(width // heads) + mask_bias
    context = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, length, width)
    return dense(context, prefix + "/output")


def transformer():  # pre-LN, CLS pooling (the default model's textEncoder)
    x = F.embedding(ids, W["textEncoder/embeddings/word"]) + W["textEncoder/embeddings/position"][: ids.shape[1]]
    mask_bias = ((1 - mask) * -1e9).reshape(batch, 1, 1, -1)
    for i in range(te["layers"]):
        p = f"textEncoder/layer{i}"
        x = x + attention(layer_norm(x, p + "/attention/norm"), p + "/attention", mask_bias)
        h = F.gelu(dense(layer_norm(x, p + "/ffn/norm"), p + "/ffn/intermediate"))
        x = x + dense(h, p + "/ffn/output")
    return layer_norm(x, "textEncoder/norm")[:, 0]


def bag_of_embeddings():  # masked mean of the word embeddings (the tiny config's textEncoder)
    weights = mask.unsqueeze(2)
    total = (F.embedding(ids, W["textEncoder/embeddings/word"]) * weights).sum(dim=1)
    return total / weights.sum(dim=1).clamp(min=1)


def projection(x, prefix, kind):
    if kind == "linear":
        return dense(x, prefix + "/fc")
    return dense(F.relu(dense(x, prefix + "/fc1")), prefix + "/fc2")


def loss_fn():
    audio = projection(audio_encoder(log_mel), "audioProjection", config["audioProjection"]["name"])
    text_features = transformer() if te["name"] == "transformer" else bag_of_embeddings()
    text = projection(text_features, "textProjection", config["textProjection"]["name"])
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
