"""CLAP-mini (bench/README.md) in PyTorch on CUDA, fp32 with TF32 off: the peer of
clap_mini_webgpu.mjs (same model as ../clap-mini/clap_mini.py). Prints one JSON line per figure.
Falls back to the CPU (and says so) where no GPU is visible, for smoke tests.

Usage: python3 clap_mini_cuda.py <batch|matmul> <measured_steps|size> [warmup_steps]
"""
import json
import math
import resource
import sys
import time

import torch
import torch.nn.functional as F

torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
engine = f"pytorch-{torch.__version__}-{device.type}"
MEL, FRAMES, TOKENS, VOCAB, WIDTH, DIM = 64, 256, 32, 5000, 512, 256


def emit(record):
    print(json.dumps({"bench": "clap-mini", "engine": engine, **record}), flush=True)


def sync():
    if device.type == "cuda":
        torch.cuda.synchronize()


if sys.argv[1] == "matmul":
    n = int(sys.argv[2])
    a = torch.randn(n, n, device=device)
    b = torch.randn(n, n, device=device)
    for _ in range(3):
        a @ b
    sync()
    reps = 10
    start = time.perf_counter()
    for _ in range(reps):
        a @ b
    sync()
    ms = (time.perf_counter() - start) * 1000 / reps
    emit({"figure": "matmul", "size": n, "msPerMatmul": round(ms, 2), "tflops": round(2 * n**3 / ms / 1e9, 2),
          "gpu": torch.cuda.get_device_name() if device.type == "cuda" else None})
    sys.exit(0)

batch = int(sys.argv[1])
steps = int(sys.argv[2]) if len(sys.argv) > 2 else 20
warmup = int(sys.argv[3]) if len(sys.argv) > 3 else 5
torch.manual_seed(1)
channels = [1, 64, 128, 256, 512]


def param(t):
    return torch.nn.Parameter(t.to(device))


convs = [param(torch.randn(c, channels[i], 3, 3) * math.sqrt(2 / (9 * channels[i]))) for i, c in enumerate(channels[1:])]


def glorot(fan_in, fan_out):
    limit = math.sqrt(6 / (fan_in + fan_out))
    return param(torch.empty(fan_out, fan_in).uniform_(-limit, limit))


embedding = param(torch.randn(VOCAB, WIDTH))
text_dense = glorot(WIDTH, WIDTH)
audio_proj = glorot(WIDTH, DIM)
text_proj = glorot(WIDTH, DIM)
logit_scale = param(torch.tensor(math.log(1 / 0.07)))
params = [*convs, embedding, text_dense, audio_proj, text_proj, logit_scale]
optimizer = torch.optim.Adam(params, lr=1e-4)
log_mel = torch.randn(batch, 1, MEL, FRAMES, device=device)
ids = torch.randint(0, VOCAB, (batch, TOKENS), device=device)
labels = torch.arange(batch, device=device)


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
losses = []
for step in range(warmup + steps):
    start = time.perf_counter()
    optimizer.zero_grad(set_to_none=True)
    loss = loss_fn()
    loss.backward()
    optimizer.step()
    value = loss.item()  # synchronises, as the tfjs side reads its loss back each step
    ms = (time.perf_counter() - start) * 1000
    losses.append(round(value, 6))
    if step >= warmup:
        times.append(ms)

times.sort()
median = times[len(times) // 2]
emit({
    "figure": "summary", "batch": batch, "msPerStep": round(median, 2), "samplesPerSecond": round(1000 * batch / median, 1),
    "measuredSteps": len(times), "warmupSteps": warmup, "losses": losses, "tf32": False,
    "peakRssMiB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    "gpu": torch.cuda.get_device_name() if device.type == "cuda" else None,
})
