#!/usr/bin/python3
"""Builds the CNN14 parity fixture for @clapjs/model's safetensors import test.

A randomly initialised PyTorch CNN14 (the PANNs architecture, Kong et al. 2020,
github.com/qiuqiangkong/audioset_tagging_cnn pytorch/models.py, without its STFT/log-mel front
end and SpecAugment), in eval mode, at a width multiplier that keeps the fixture small. The
widths follow @clapjs/audio-encoders exactly: each block's channels are round(c * width) (at least
1) for c in 64, 128, 256, 512, 1024, 2048, and fc1 maps the last block's channels to themselves.

Writes fixtures/cnn14-tiny.safetensors holding the weights under PANNs' state_dict names plus
the input log-mel (`input.logmel`, [batch, 1, frames, mels] as PANNs feeds it) and the expected
embedding (`output.embedding`, fc1 + ReLU, [batch, channels]). The safetensors file is written by
hand (8-byte little-endian header length, JSON header, raw little-endian float32 data) because
Debian has no python3-safetensors.

Run: /usr/bin/python3 packages/model/scripts/make_cnn14_fixture.py
"""
import json
import os
import struct
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

WIDTH = 1 / 32
MEL_BINS = 64
FRAMES = 96
BATCH = 2
SEED = 1234


def scaled(channels):
    return max(1, round(channels * WIDTH))


class ConvBlock(nn.Module):
    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=1, padding=1, bias=False)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.bn2 = nn.BatchNorm2d(out_channels)

    def forward(self, x, pool_size=(2, 2)):
        x = F.relu_(self.bn1(self.conv1(x)))
        x = F.relu_(self.bn2(self.conv2(x)))
        return F.avg_pool2d(x, kernel_size=pool_size)


class Cnn14(nn.Module):
    def __init__(self, mel_bins=64, classes=527):
        super().__init__()
        widths = [scaled(c) for c in (64, 128, 256, 512, 1024, 2048)]
        self.bn0 = nn.BatchNorm2d(mel_bins)
        previous = 1
        for i, channels in enumerate(widths, start=1):
            setattr(self, f'conv_block{i}', ConvBlock(previous, channels))
            previous = channels
        self.fc1 = nn.Linear(previous, previous, bias=True)
        self.fc_audioset = nn.Linear(previous, classes, bias=True)

    def forward(self, x):
        """x: [batch, 1, frames, mels] log-mel. Returns the embedding (fc1 + ReLU)."""
        x = x.transpose(1, 3)
        x = self.bn0(x)
        x = x.transpose(1, 3)
        for i in range(1, 6):
            x = getattr(self, f'conv_block{i}')(x, pool_size=(2, 2))
            x = F.dropout(x, p=0.2, training=self.training)
        x = self.conv_block6(x, pool_size=(1, 1))
        x = F.dropout(x, p=0.2, training=self.training)
        x = torch.mean(x, dim=3)
        (x1, _) = torch.max(x, dim=2)
        x2 = torch.mean(x, dim=2)
        x = x1 + x2
        x = F.dropout(x, p=0.5, training=self.training)
        return F.relu_(self.fc1(x))


def randomise_batch_norms(model, generator):
    # Fresh BatchNorms are the identity in eval mode; random statistics make the test see them.
    for module in model.modules():
        if isinstance(module, nn.BatchNorm2d):
            n = module.num_features
            module.weight.data = 1 + 0.2 * torch.randn(n, generator=generator)
            module.bias.data = 0.2 * torch.randn(n, generator=generator)
            module.running_mean.data = 0.2 * torch.randn(n, generator=generator)
            module.running_var.data = 0.5 + torch.rand(n, generator=generator)


def write_safetensors(path, tensors):
    header = {}
    offset = 0
    for name in sorted(tensors):
        t = tensors[name]
        size = t.numel() * 4
        header[name] = {'dtype': 'F32', 'shape': list(t.shape), 'data_offsets': [offset, offset + size]}
        offset += size
    header['__metadata__'] = {'format': 'pt', 'source': 'packages/model/scripts/make_cnn14_fixture.py'}
    text = json.dumps(header, separators=(',', ':'))
    text += ' ' * ((8 - (8 + len(text.encode())) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text.encode())))
        f.write(text.encode())
        for name in sorted(tensors):
            f.write(tensors[name].detach().contiguous().to(torch.float32).numpy().astype('<f4').tobytes())


def main():
    torch.manual_seed(SEED)
    generator = torch.Generator().manual_seed(SEED)
    model = Cnn14(mel_bins=MEL_BINS)
    randomise_batch_norms(model, generator)
    model.eval()
    logmel = torch.randn(BATCH, 1, FRAMES, MEL_BINS, generator=generator) * 3 - 20
    with torch.no_grad():
        embedding = model(logmel)
    tensors = {name: value for name, value in model.state_dict().items() if not name.endswith('num_batches_tracked')}
    tensors['input.logmel'] = logmel
    tensors['output.embedding'] = embedding
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures', 'cnn14-tiny.safetensors')
    os.makedirs(os.path.dirname(out), exist_ok=True)
    write_safetensors(out, tensors)
    print(f'wrote {os.path.relpath(out)}: {os.path.getsize(out)} bytes, embedding {list(embedding.shape)}, '
          f'torch {torch.__version__}, mean |embedding| {embedding.abs().mean().item():.4f}', file=sys.stderr)


if __name__ == '__main__':
    main()
