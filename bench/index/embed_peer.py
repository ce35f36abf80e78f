#!/usr/bin/python3
"""PyTorch peer of `clapjs index build`'s embedding: the same model (exported by export-model.mjs,
run through bench/default-model/clap_graph.py) on the same files — decode (torchaudio/sox),
repeat-pad to the clip length, log-mel (torchaudio, the model's front-end settings), audio encoder
and projection, L2-normalised — in batches of 16 windows as the index build encodes them. Checks
its vectors against clapjs's (reference.json). Prints one JSON line.

Usage: embed_peer.py <export dir> <file list> <threads>
Pin OMP_NUM_THREADS / OPENBLAS_NUM_THREADS / MKL_NUM_THREADS to <threads> too (bench/peer-env.sh).
"""
import json
import math
import os
import resource
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "default-model"))

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
import torchaudio  # noqa: E402

from clap_graph import DefaultModelGraph, to_torch  # noqa: E402

BATCH = 16  # the index build's encode chunk (packages/index/src/embed.ts)
export_dir, list_file, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
torch.set_num_threads(threads)
meta = json.load(open(os.path.join(export_dir, "meta.json")))
blob = np.fromfile(os.path.join(export_dir, "weights.bin"), dtype=np.float32)
W = {v["path"]: to_torch(v["path"], torch.from_numpy(blob[v["offset"]:v["offset"] + math.prod(v["shape"])].copy())
                         .reshape(v["shape"])) for v in meta["variables"]}
config = meta["config"]
graph = DefaultModelGraph(W, config, training=False)
a = config["audio"]
assert a["melSampleRate"] is None and a["padMode"] == "repeat-pad", "embed_peer.py implements the fast preset's front end"
mel = torchaudio.transforms.MelSpectrogram(
    sample_rate=a["sampleRate"], n_fft=a["nFft"], win_length=a["winLength"], hop_length=a["hopLength"],
    f_min=a["fMin"], f_max=a["fMax"], n_mels=a["nMels"], power=a["power"], center=a["center"], pad_mode="reflect",
    norm=a["norm"], mel_scale=a["melScale"])
to_db = torchaudio.transforms.AmplitudeToDB(stype="power", top_db=a["topDb"])
clip = round(a["clipSeconds"] * a["sampleRate"])
paths = [p for p in open(list_file).read().split("\n") if p]


def window(path):
    x, rate = torchaudio.load(path)
    x = x.mean(dim=0)
    if rate != a["sampleRate"]:
        x = torchaudio.functional.resample(x, rate, a["sampleRate"])
    if x.shape[0] < clip:  # repeat-pad: whole copies, then the rest zero
        x = x.repeat(clip // x.shape[0])
        x = F.pad(x, (0, clip - x.shape[0]))
    return x[:clip]  # gm-speech clips are one window long


def embed(batch_paths):
    with torch.no_grad():
        x = torch.stack([window(p) for p in batch_paths])
        log_mel = to_db(mel(x)).transpose(1, 2).unsqueeze(1)  # [B, 1, T, M]
        return F.normalize(graph.audio_embedding(log_mel), dim=-1)


ref = json.load(open(os.path.join(export_dir, "reference.json")))
diff = (embed(ref["paths"]) - torch.tensor(ref["vectors"])).abs().max().item()
wall0, cpu0 = time.perf_counter(), time.process_time()
for i in range(0, len(paths), BATCH):
    embed(paths[i:i + BATCH])
wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
print(json.dumps({"bench": "index-embed", "engine": f"pytorch-{torch.__version__}-cpu", "threads": torch.get_num_threads(),
                  "allocator": os.environ.get("PEER_ALLOCATOR", "default"), "clips": len(paths),
                  "seconds": round(wall, 2), "cpuSeconds": round(cpu, 2), "clipsPerSecond": round(len(paths) / wall, 1),
                  "clipsPerCpuSecond": round(len(paths) / cpu, 1), "maxAbsDiffVsClapjs": diff,
                  "peakRssMiB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}), flush=True)
