#!/usr/bin/python3
"""Golden values for @clapjs/losses from PyTorch (Debian python3-torch).

Run from packages/losses: /usr/bin/python3 scripts/make_fixtures.py
Writes fixtures/torch-losses.json: logits matrices (float32 values) with the losses and the
gradients of each loss w.r.t. the logits, computed in float64 from the float32 inputs so the
reference itself carries no float32 rounding.
"""
import json
import math
import pathlib

import torch
import torch.nn.functional as F

torch.manual_seed(20261128)


def clip_loss(c):
    target = torch.arange(c.shape[0])
    return (F.cross_entropy(c, target) + F.cross_entropy(c.t(), target)) / 2


def info_nce(c, direction):
    target = torch.arange(c.shape[0])
    return F.cross_entropy(c if direction == "text-to-audio" else c.t(), target)


def siglip(c):
    # open_clip SigLipLoss: -F.logsigmoid(labels * logits).sum() / batch_size
    n = c.shape[0]
    labels = 2 * torch.eye(n, dtype=c.dtype) - 1
    return -F.logsigmoid(labels * c).sum() / n


LOSSES = {
    "symmetric-clap": clip_loss,
    "infonce-text-to-audio": lambda c: info_nce(c, "text-to-audio"),
    "infonce-audio-to-text": lambda c: info_nce(c, "audio-to-text"),
    "siglip": siglip,
}


def case(name, c32):
    c64 = c32.double()
    out = {"name": name, "n": c32.shape[0], "logits": c32.flatten().tolist(), "losses": {}, "grads": {}}
    for key, fn in LOSSES.items():
        c = c64.clone().requires_grad_(True)
        loss = fn(c)
        loss.backward()
        out["losses"][key] = loss.item()
        out["grads"][key] = c.grad.flatten().tolist()
    return out


def embeddings_logits(n, d, scale, bias=0.0):
    t = F.normalize(torch.randn(n, d), dim=1)
    a = F.normalize(t + 0.7 * torch.randn(n, d), dim=1)
    return (scale * t @ a.t() + bias).float()


cases = [
    case("random-3", torch.randn(3, 3)),
    case("one", torch.tensor([[2.5]])),
    case("clip-init-16", embeddings_logits(16, 32, 1 / 0.07)),
    case("max-scale-32", embeddings_logits(32, 16, 100.0)),
    case("siglip-init-24", embeddings_logits(24, 16, 10.0, -10.0)),
    # Extreme logits: a naive exp() would overflow float32 here.
    case("extreme-8", (torch.randn(8, 8) * 100).clamp(-100, 100)),
]

path = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "torch-losses.json"
path.write_text(json.dumps({"torch": torch.__version__, "cases": cases}))
print(f"wrote {path} ({path.stat().st_size} bytes, torch {torch.__version__})")
