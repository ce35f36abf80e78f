#!/usr/bin/python3
"""Writes fixtures/resample-torchaudio.json: torchaudio.functional.resample outputs that
resampleTorchaudio (src/resample-torchaudio.ts) is checked against.

Run with Debian's python3-torch 1.13 and python3-torchaudio 0.13.1:
    /usr/bin/python3 packages/audio/scripts/make_resample_reference.py
For each rate pair: a 25 ms input (seeded noise + a chirp up to the input's Nyquist rate + a
click, so the anti-aliasing filter and the edges both matter), torchaudio's output computed in
float64 (the reference) and in float32 (what msclap's float32 pipeline gets; its distance to the
float64 output is the "float32 noise" the test allows). CI never runs this script.
"""
import base64
import json
import math
import os

import torch
import torchaudio
import torchaudio.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "fixtures", "resample-torchaudio.json")
PAIRS = [(16000, 48000), (44100, 48000), (48000, 44100), (16000, 44100), (32000, 16000)]


def b64(t: torch.Tensor) -> str:
    return base64.b64encode(t.to(torch.float32).contiguous().numpy().tobytes()).decode()


def signal(rate: int) -> torch.Tensor:
    n = int(rate * 0.025)
    t = torch.arange(n, dtype=torch.float64) / rate
    gen = torch.Generator().manual_seed(rate)
    noise = 0.2 * torch.randn(n, generator=gen, dtype=torch.float64)
    duration = n / rate
    chirp = 0.5 * torch.sin(2 * math.pi * (100 * t + (rate / 2 - 100) * t * t / (2 * duration)))
    x = noise + chirp
    x[n // 2] += 0.8
    # Round to float32 first: both sides start from the same float32 samples.
    return x.to(torch.float32)


def main() -> None:
    cases = []
    for src, dst in PAIRS:
        x = signal(src)
        ref64 = F.resample(x.to(torch.float64), src, dst)
        ref32 = F.resample(x, src, dst)
        cases.append(
            dict(
                fromRate=src,
                toRate=dst,
                input=b64(x),
                float64=base64.b64encode(ref64.contiguous().numpy().tobytes()).decode(),
                float32=b64(ref32),
                float32NoiseMax=float((ref32.double() - ref64).abs().max()),
            )
        )
    meta = f"torch {torch.__version__}, torchaudio {torchaudio.__version__}"
    with open(OUT, "w") as f:
        json.dump(dict(generator=meta, cases=cases), f)
    print("wrote", OUT, [(c["fromRate"], c["toRate"], c["float32NoiseMax"]) for c in cases])


if __name__ == "__main__":
    main()
