"""Golden fixtures for @clapjs/audio-encoders: PANNs-layout CNNs in PyTorch (the layer
declarations and forward pass of PANNs' Cnn6/Cnn14, github.com/qiuqiangkong/audioset_tagging_cnn
pytorch/models.py, from the log-mel on), randomly initialised, in eval mode. Writes each model's
full state_dict (float32, base64), an input, PyTorch's embedding and clipwise output in eval mode,
and the embedding and moving statistics after one training-mode pass.

Run with Debian's torch: /usr/bin/python3 scripts/make-panns-fixtures.py (CI never runs this).
"""
import base64
import json
import pathlib

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, cin, cout, kernel, convs):
        super().__init__()
        pad = (kernel - 1) // 2
        self.convs = convs
        self.conv1 = nn.Conv2d(cin, cout, kernel, 1, pad, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        if convs == 2:
            self.conv2 = nn.Conv2d(cout, cout, kernel, 1, pad, bias=False)
            self.bn2 = nn.BatchNorm2d(cout)

    def forward(self, x, pool):
        x = F.relu_(self.bn1(self.conv1(x)))
        if self.convs == 2:
            x = F.relu_(self.bn2(self.conv2(x)))
        return F.avg_pool2d(x, kernel_size=pool)


class Cnn(nn.Module):
    def __init__(self, channels, kernel, convs, mel_bins, classes, last_pool):
        super().__init__()
        self.bn0 = nn.BatchNorm2d(mel_bins)
        self.pools = [(2, 2)] * (len(channels) - 1) + [last_pool]
        cin = 1
        for i, c in enumerate(channels):
            setattr(self, f"conv_block{i + 1}", Block(cin, c, kernel, convs))
            cin = c
        self.fc1 = nn.Linear(cin, cin, bias=True)
        self.fc_audioset = nn.Linear(cin, classes, bias=True)

    def forward(self, x):  # x: (batch, 1, time, mel) log-mel
        x = self.bn0(x.transpose(1, 3)).transpose(1, 3)
        for i, pool in enumerate(self.pools):
            x = getattr(self, f"conv_block{i + 1}")(x, pool)
        x = torch.mean(x, dim=3)
        x = torch.max(x, dim=2)[0] + torch.mean(x, dim=2)
        x = F.relu_(self.fc1(x))
        return x, torch.sigmoid(self.fc_audioset(x))


def b64(t):
    return base64.b64encode(t.detach().to(torch.float32).contiguous().numpy().tobytes()).decode()


def make(name, config, channels, kernel, convs, last_pool, mel_bins, frames, classes, seed):
    torch.manual_seed(seed)
    model = Cnn(channels, kernel, convs, mel_bins, classes, last_pool)
    with torch.no_grad():
        for key, value in model.state_dict().items():
            if key.endswith("num_batches_tracked"):
                continue
            if key.endswith("running_var"):
                value.uniform_(0.5, 2.0)
            elif key.endswith("running_mean") or key.endswith(".bias"):
                value.normal_(0, 0.3)
            elif key.endswith(".weight") and value.dim() == 1:
                value.uniform_(0.5, 1.5)
            else:
                value.normal_(0, (2.0 / value[0].numel()) ** 0.5)
    model.eval()
    x = torch.randn(2, 1, frames, mel_bins) * 10 - 40
    with torch.no_grad():
        embedding, clipwise = model(x)
    state = {
        k: {"shape": list(v.shape), "data": b64(v.float())} for k, v in model.state_dict().items()
    }
    # One training-mode pass (batch statistics; this trunk has no dropout): output and the
    # moving statistics it leaves behind (momentum 0.1, unbiased variance).
    model.train()
    with torch.no_grad():
        train_embedding, _ = model(x)
    running = {
        k: b64(v) for k, v in model.state_dict().items() if k.endswith("running_mean") or k.endswith("running_var")
    }
    fixture = {
        "config": config,
        "melBins": mel_bins,
        "inputShape": [2, frames, mel_bins, 1],
        "input": b64(x),
        "stateDict": state,
        "embedding": b64(embedding),
        "clipwise": b64(clipwise),
        "trainEmbedding": b64(train_embedding),
        "runningAfterTrain": running,
    }
    out = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / f"{name}.json"
    out.write_text(json.dumps(fixture))
    print(out, out.stat().st_size, "bytes")


make("panns-cnn14-w1-64", {"name": "cnn14", "width": 1 / 64, "classes": 3}, [1, 2, 4, 8, 16, 32], 3, 2, (1, 1), 32, 40, 3, 0)
make("panns-cnn6-w1-16", {"name": "cnn6", "width": 1 / 16, "classes": 5}, [4, 8, 16, 32], 5, 1, (2, 2), 24, 37, 5, 1)
