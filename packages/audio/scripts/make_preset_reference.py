#!/usr/bin/python3
"""Writes fixtures/preset-reference.json: each published front end's log-mel, computed the way
the original pipeline computes it, for @clapjs/audio's presets to be checked against
(src/presets.parity.test.ts).

Run with Debian's python3-torch 1.13, python3-torchaudio 0.13.1 and numpy:
    /usr/bin/python3 packages/audio/scripts/make_preset_reference.py
CI never runs it. The pipelines, written from the upstream code (no upstream code is copied):
- msclap 2022 / 2023 (microsoft/CLAP msclap CLAPWrapper.load_audio_into_tensor + torchlibrosa):
  torchaudio Resample to 44.1 kHz; shorter clips tiled ceil(L / n) times and cut to L; longer
  ones cropped (here at an explicit offset); Spectrogram (periodic Hann, centre, reflect pad,
  power 2) + LogmelFilterBank = librosa.filters.mel (Slaney scale, Slaney norm) written out in
  numpy below, built for 44.1 kHz (2022) or for 32 kHz and applied to 44.1 kHz bins (2023, HTSAT's
  own config); 10·log10(max(x, 1e-10)).
- LAION unfused / Hugging Face rand_trunc (ClapFeatureExtractor): audio at 48 kHz (resampled with
  torchaudio here); shorter clips repeated int(L / n) times then zero-padded; the feature
  extractor's numpy maths written out below (periodic Hann, centre reflect, power 2, the Slaney
  mel_filter_bank with Slaney norm, 10·log10(max(x, 1e-10))).
- LAION fused / Hugging Face fusion (laion_clap data.get_mel): torchaudio MelSpectrogram (HTK,
  norm None) + AmplitudeToDB(top_db=None) on the same repeat-padded audio.
Everything runs in float64 from float32 input samples: the reference is the exact maths.
Clips are 0.15 s instead of 5–10 s to keep the fixture small; the maths does not depend on it.
"""
import base64
import json
import math
import os

import numpy as np
import torch
import torchaudio
import torchaudio.functional as AF
import torchaudio.transforms as T

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "fixtures", "preset-reference.json")
CLIP_SECONDS = 0.15


def b64(a) -> str:
    return base64.b64encode(np.ascontiguousarray(a, dtype=np.float32).tobytes()).decode()


def signal(rate: int, seconds: float, seed: int) -> np.ndarray:
    n = int(round(rate * seconds))
    t = np.arange(n) / rate
    rng = np.random.default_rng(seed)
    x = 0.05 * rng.standard_normal(n)
    x += 0.4 * np.sin(2 * math.pi * (200 * t + (rate / 2.2 - 200) * t * t / (2 * seconds)))
    x += 0.2 * np.sin(2 * math.pi * 1000 * t) * np.exp(-t * 8)
    return x.astype(np.float32)  # both sides start from the same float32 samples


def resample(x: np.ndarray, src: int, dst: int) -> np.ndarray:
    if src == dst:
        return x.astype(np.float64)
    return AF.resample(torch.from_numpy(x.astype(np.float64)), src, dst).numpy()


# --- librosa.filters.mel (Slaney scale, Slaney norm), as torchlibrosa's LogmelFilterBank builds it
def slaney_hz_to_mel(f):
    f = np.asarray(f, dtype=np.float64)
    min_log_hz, lin = 1000.0, 200.0 / 3
    logstep = math.log(6.4) / 27.0
    return np.where(f >= min_log_hz, 15.0 + np.log(np.maximum(f, 1e-10) / min_log_hz) / logstep, f / lin)


def slaney_mel_to_hz(m):
    m = np.asarray(m, dtype=np.float64)
    lin, logstep = 200.0 / 3, math.log(6.4) / 27.0
    return np.where(m >= 15.0, 1000.0 * np.exp(logstep * (m - 15.0)), lin * m)


def librosa_mel(sr: int, n_fft: int, n_mels: int, fmin: float, fmax: float) -> np.ndarray:
    fftfreqs = np.linspace(0, sr / 2, 1 + n_fft // 2)
    mel_f = slaney_mel_to_hz(np.linspace(slaney_hz_to_mel(fmin), slaney_hz_to_mel(fmax), n_mels + 2))
    fdiff = np.diff(mel_f)
    ramps = np.subtract.outer(mel_f, fftfreqs)
    weights = np.zeros((n_mels, 1 + n_fft // 2))
    for i in range(n_mels):
        lower = -ramps[i] / fdiff[i]
        upper = ramps[i + 2] / fdiff[i + 1]
        weights[i] = np.maximum(0, np.minimum(lower, upper))
    enorm = 2.0 / (mel_f[2 : n_mels + 2] - mel_f[:n_mels])
    return weights * enorm[:, None]  # (n_mels, n_freqs)


def power_stft(x: np.ndarray, n_fft: int, hop: int) -> np.ndarray:
    """Periodic Hann, centred frames with reflect padding, |FFT|^2: (frames, n_freqs)."""
    window = 0.5 - 0.5 * np.cos(2 * math.pi * np.arange(n_fft) / n_fft)
    padded = np.pad(x.astype(np.float64), n_fft // 2, mode="reflect")
    frames = 1 + (len(padded) - n_fft) // hop
    idx = np.arange(n_fft)[None, :] + hop * np.arange(frames)[:, None]
    return np.abs(np.fft.rfft(padded[idx] * window, axis=1)) ** 2


def db(x: np.ndarray) -> np.ndarray:
    return 10 * np.log10(np.maximum(x, 1e-10))


def msclap_fit(x: np.ndarray, length: int, offset: int) -> np.ndarray:
    if length >= len(x):
        return np.tile(x, int(np.ceil(length / len(x))))[:length]
    return x[offset : offset + length]


def msclap(x, src, *, mel_rate, offset=0):
    audio = resample(x, src, 44100)
    audio = msclap_fit(audio, int(CLIP_SECONDS * 44100), offset)
    fb = librosa_mel(mel_rate, 1024, 64, 50, 14000)
    return db(power_stft(audio, 1024, 320) @ fb.T)


# --- Hugging Face ClapFeatureExtractor (numpy): audio_utils.mel_filter_bank(slaney, slaney)
def hf_mel_filter_bank(n_freqs, n_mels, fmin, fmax, sr):
    fft_freqs = np.linspace(0, sr // 2, n_freqs)
    filter_freqs = slaney_mel_to_hz(np.linspace(slaney_hz_to_mel(fmin), slaney_hz_to_mel(fmax), n_mels + 2))
    fdiff = np.diff(filter_freqs)
    slopes = np.expand_dims(filter_freqs, 0) - np.expand_dims(fft_freqs, 1)
    down = -slopes[:, :-2] / fdiff[:-1]
    up = slopes[:, 2:] / fdiff[1:]
    fb = np.maximum(np.zeros(1), np.minimum(down, up))
    enorm = 2.0 / (filter_freqs[2 : n_mels + 2] - filter_freqs[:n_mels])
    return fb * np.expand_dims(enorm, 0)  # (n_freqs, n_mels)


def laion_fit(x: np.ndarray, length: int, offset: int) -> np.ndarray:
    if len(x) > length:
        return x[offset : offset + length]
    if len(x) < length:
        x = np.tile(x, int(length / len(x)))
        x = np.pad(x, (0, length - len(x)), mode="constant", constant_values=0)
    return x


def laion_unfused(x, src, offset=0):
    audio = laion_fit(resample(x, src, 48000), int(CLIP_SECONDS * 48000), offset)
    fb = hf_mel_filter_bank(513, 64, 50, 14000, 48000)
    return db(np.maximum(1e-10, power_stft(audio, 1024, 480) @ fb))


def laion_fused(x, src, offset=0):
    audio = laion_fit(resample(x, src, 48000), int(CLIP_SECONDS * 48000), offset)
    mel = T.MelSpectrogram(sample_rate=48000, n_fft=1024, win_length=1024, hop_length=480,
                           center=True, pad_mode="reflect", power=2.0, norm=None, onesided=True,
                           n_mels=64, f_min=50, f_max=14000).double()
    out = T.AmplitudeToDB(top_db=None)(mel(torch.from_numpy(audio)))
    return out.numpy().T


def main() -> None:
    short16 = signal(16000, 0.06, 1)
    short48 = signal(48000, 0.06, 2)
    long44 = signal(44100, 0.22, 3)
    long48 = signal(48000, 0.22, 4)
    names = {id(short16): "short16", id(short48): "short48", id(long44): "long44", id(long48): "long48"}
    signals = {name: None for name in names.values()}
    cases = [
        dict(preset="msclap-2022", rate=16000, input=short16, offset=None,
             logMel=msclap(short16, 16000, mel_rate=44100)),
        dict(preset="msclap-2022", rate=44100, input=long44, offset=2000,
             logMel=msclap(long44, 44100, mel_rate=44100, offset=2000)),
        dict(preset="msclap-2023", rate=44100, input=long44, offset=1500,
             logMel=msclap(long44, 44100, mel_rate=32000, offset=1500)),
        dict(preset="msclap-2023", rate=48000, input=short48, offset=None,
             logMel=msclap(short48, 48000, mel_rate=32000)),
        dict(preset="laion-unfused", rate=16000, input=short16, offset=None,
             logMel=laion_unfused(short16, 16000)),
        dict(preset="laion-unfused", rate=48000, input=long48, offset=777,
             logMel=laion_unfused(long48, 48000, 777)),
        dict(preset="laion-fused", rate=16000, input=short16, offset=None,
             logMel=laion_fused(short16, 16000)),
    ]
    out = []
    for c in cases:
        mel = np.asarray(c["logMel"])
        name = names[id(c["input"])]
        signals[name] = b64(c["input"])
        out.append(dict(preset=c["preset"], rate=c["rate"], offset=c["offset"],
                        signal=name, frames=int(mel.shape[0]), melBins=int(mel.shape[1]),
                        logMel=b64(mel)))
    meta = f"torch {torch.__version__}, torchaudio {torchaudio.__version__}, numpy {np.__version__}, float64"
    with open(OUT, "w") as f:
        json.dump(dict(generator=meta, clipSeconds=CLIP_SECONDS, signals=signals, cases=out), f)
    print("wrote", OUT, [(c["preset"], c["frames"]) for c in out])


if __name__ == "__main__":
    main()
