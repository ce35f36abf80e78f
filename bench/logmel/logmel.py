#!/usr/bin/python3
"""torchaudio 0.13 peer for bench/logmel: log-mel of the same 10 s, 32 kHz clips.
Usage: logmel.py <clipDir> <clips> <reps> <threads|default> [refOut.f32]"""
import json
import os
import statistics
import sys
import time

import numpy as np
import torch
import torchaudio

clip_dir, n_clips, reps, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
ref_out = sys.argv[5] if len(sys.argv) > 5 else None
if threads != "default":
    torch.set_num_threads(int(threads))
clips = [torch.from_numpy(np.fromfile(f"{clip_dir}/clip{i}.f32", dtype=np.float32)) for i in range(n_clips)]
mel = torchaudio.transforms.MelSpectrogram(
    sample_rate=32000, n_fft=1024, win_length=1024, hop_length=320, f_min=50.0, f_max=14000.0,
    n_mels=64, power=2.0, center=True, pad_mode="reflect", norm="slaney", mel_scale="slaney")
to_db = torchaudio.transforms.AmplitudeToDB(stype="power", top_db=None)


def log_mel(x):
    return to_db(mel(x))


def timed(calls, per_call_clips):
    """Median CPU (all threads) and wall ms per clip over `calls`. CPU time is the primary figure:
    other jobs on a shared machine stretch wall time, not CPU time."""
    wall, cpu = [], []
    for call in calls:
        c0, t0 = time.process_time(), time.perf_counter()
        call()
        wall.append((time.perf_counter() - t0) * 1e3 / per_call_clips)
        cpu.append((time.process_time() - c0) * 1e3 / per_call_clips)
    return statistics.median(cpu), statistics.median(wall)


with torch.inference_mode():
    batch = torch.stack(clips)
    for x in clips[:2]:
        log_mel(x)
    log_mel(batch)
    # torchaudio used two ways: one clip per call, and all clips as one [clips, samples] batch
    # (its STFT is several times cheaper per clip batched on this build). Both are reported; the
    # ratio is taken against the faster.
    modes = {
        "one clip per call": timed([lambda x=x: log_mel(x) for _ in range(reps) for x in clips], 1),
        f"batch of {n_clips}": timed([lambda: log_mel(batch) for _ in range(reps)], n_clips),
    }
    if ref_out:
        log_mel(clips[0]).T.contiguous().numpy().astype(np.float32).tofile(ref_out)
# Debian's torch calls whatever libblas.so.3 resolves to; report what is actually mapped.
with open("/proc/self/maps") as maps:
    blas = "openblas" if "openblas" in maps.read() else "reference libblas"
for mode, (cpu_ms, wall_ms) in modes.items():
    print(json.dumps({"bench": "logmel", "figure": "logmel-10s-32k", "engine": f"torchaudio {torchaudio.__version__}",
                      "mode": mode, "threads": torch.get_num_threads(),
                      "allocator": os.environ.get("PEER_ALLOCATOR", "default"), "clips": n_clips, "reps": reps,
                      "cpuMsPerClip": round(cpu_ms, 2), "wallMsPerClip": round(wall_ms, 2), "blas": blas}))
