#!/usr/bin/python3
"""Writes the golden fixtures that @clapjs/audio's tests compare against.

Run with Debian's python3-torch 1.13 and python3-torchaudio 0.13:
    /usr/bin/python3 packages/audio/scripts/make_golden.py
It writes packages/audio/fixtures/golden.json (torchaudio log-mel outputs for several signals
and settings) and small compressed-codec fixtures (FLAC and Ogg Vorbis through torchaudio's
sox backend, MP3 through the `lame` encoder when it is installed). CI never runs this script;
the fixtures are committed.
"""
import base64
import json
import math
import os
import shutil
import subprocess

import torch
import torchaudio

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "fixtures")
DURATION = 0.12  # seconds: short keeps the fixture small; longer than any n_fft // 2 used below

# Each setting: LogMelConfig field names (as the TypeScript side spells them) -> torchaudio.
SETTINGS = [
    dict(name="msclap-2022", sampleRate=44100, nFft=1024, hopLength=320, winLength=1024, nMels=64,
         fMin=50, fMax=14000, power=2, melScale="slaney", norm="slaney", center=True, topDb=None),
    dict(name="msclap-2023", sampleRate=32000, nFft=1024, hopLength=320, winLength=1024, nMels=64,
         fMin=50, fMax=14000, power=2, melScale="slaney", norm="slaney", center=True, topDb=None),
    dict(name="laion", sampleRate=48000, nFft=1024, hopLength=480, winLength=1024, nMels=64,
         fMin=50, fMax=14000, power=2, melScale="htk", norm=None, center=True, topDb=None),
    dict(name="fast", sampleRate=16000, nFft=512, hopLength=256, winLength=512, nMels=64,
         fMin=50, fMax=8000, power=2, melScale="slaney", norm="slaney", center=True, topDb=None),
    dict(name="htk-slaney-norm", sampleRate=16000, nFft=512, hopLength=160, winLength=512,
         nMels=40, fMin=0, fMax=8000, power=2, melScale="htk", norm="slaney", center=True,
         topDb=None),
    dict(name="slaney-no-norm", sampleRate=16000, nFft=512, hopLength=160, winLength=512,
         nMels=64, fMin=20, fMax=7600, power=2, melScale="slaney", norm=None, center=True,
         topDb=None),
    dict(name="power-1", sampleRate=16000, nFft=512, hopLength=256, winLength=512, nMels=64,
         fMin=50, fMax=8000, power=1, melScale="slaney", norm="slaney", center=True, topDb=None),
    dict(name="top-db-80", sampleRate=16000, nFft=512, hopLength=256, winLength=512, nMels=64,
         fMin=50, fMax=8000, power=2, melScale="slaney", norm="slaney", center=True, topDb=80),
    dict(name="short-window-no-center", sampleRate=16000, nFft=512, hopLength=160, winLength=400,
         nMels=80, fMin=0, fMax=8000, power=2, melScale="htk", norm=None, center=False,
         topDb=None),
]


def b64(t: torch.Tensor) -> str:
    return base64.b64encode(t.detach().to(torch.float32).contiguous().numpy().tobytes()).decode()


def signals(rate: int) -> dict:
    n = int(rate * DURATION)
    t = torch.arange(n, dtype=torch.float64) / rate
    gen = torch.Generator().manual_seed(rate)
    impulse = torch.zeros(n, dtype=torch.float64)
    impulse[n // 3] = 1.0
    # A linear chirp 100 Hz -> 0.45 rate over the clip.
    f0, f1 = 100.0, 0.45 * rate
    chirp = 0.3 * torch.sin(2 * math.pi * (f0 * t + (f1 - f0) / (2 * DURATION) * t * t))
    return {
        "tones": 0.5 * torch.sin(2 * math.pi * 440 * t) + 0.25 * torch.sin(2 * math.pi * 3000 * t),
        "chirp": chirp,
        "noise": 0.1 * torch.randn(n, generator=gen, dtype=torch.float64),
        "impulse": impulse,
    }


def log_mel(x: torch.Tensor, s: dict, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    # The default dtype decides the precision torchaudio builds its window and filterbank in.
    torch.set_default_dtype(dtype)
    mel = torchaudio.transforms.MelSpectrogram(
        sample_rate=s["sampleRate"], n_fft=s["nFft"], win_length=s["winLength"],
        hop_length=s["hopLength"], f_min=float(s["fMin"]), f_max=float(s["fMax"]),
        n_mels=s["nMels"], power=float(s["power"]), center=s["center"], pad_mode="reflect",
        norm=s["norm"], mel_scale=s["melScale"])
    to_db = torchaudio.transforms.AmplitudeToDB(
        stype="power" if s["power"] == 2 else "magnitude", top_db=s["topDb"])
    # (n_mels, frames) -> (frames, n_mels): clapjs keeps time-major rows.
    y = to_db(mel(x.to(dtype))).T.contiguous()
    torch.set_default_dtype(torch.float32)
    return y


def float32_noise(y32: torch.Tensor, y64: torch.Tensor) -> float:
    """Max |float32 - float64| torchaudio output where the reference is above -80 dB."""
    mask = y64 > -80
    return float((y32.double() - y64)[mask].abs().max()) if mask.any() else 0.0


def golden() -> None:
    rates = sorted({s["sampleRate"] for s in SETTINGS})
    # Signals are stored as float32 and the reference is computed from exactly those values.
    sigs = {r: {k: v.to(torch.float32) for k, v in signals(r).items()} for r in rates}
    out = {
        "generator": f"torch {torch.__version__}, torchaudio {torchaudio.__version__}, float64",
        "signals": {str(r): {k: b64(v) for k, v in s.items()} for r, s in sigs.items()},
        "cases": [],
    }
    for s in SETTINGS:
        for name, x in sigs[s["sampleRate"]].items():
            # The reference runs torchaudio in float64: in float32 its own rounding noise reaches
            # several hundredths of a dB in cells 120 dB below a pure tone's peak (recorded
            # per case as float32NoiseDb), more than the 1e-2 dB tolerance being tested.
            y = log_mel(x, s)
            noise = float32_noise(log_mel(x, s, torch.float32), y)
            out["cases"].append({"setting": s, "signal": name, "frames": y.shape[0],
                                 "melBins": y.shape[1], "float32NoiseDb": round(noise, 6),
                                 "logMel": b64(y)})
    with open(os.path.join(OUT, "golden.json"), "w") as f:
        json.dump(out, f, separators=(",", ":"))


def codecs() -> None:
    """A 0.25 s stereo 440 Hz tone (left 0.5, right 0.3 amplitude) at 16 kHz in each codec."""
    rate = 16000
    t = torch.arange(int(rate * 0.25), dtype=torch.float32) / rate
    tone = torch.sin(2 * math.pi * 440 * t)
    x = torch.stack([0.5 * tone, 0.3 * tone])
    torchaudio.save(os.path.join(OUT, "tone.flac"), x, rate)
    torchaudio.save(os.path.join(OUT, "tone.ogg"), x, rate)
    if shutil.which("lame"):
        wav = os.path.join(OUT, "_tmp.wav")
        torchaudio.save(wav, x, rate, encoding="PCM_S", bits_per_sample=16)
        subprocess.run(["lame", "--quiet", "-b", "64", wav, os.path.join(OUT, "tone.mp3")],
                       check=True)
        os.remove(wav)


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    golden()
    codecs()
    for f in sorted(os.listdir(OUT)):
        print(f, os.path.getsize(os.path.join(OUT, f)), "bytes")
