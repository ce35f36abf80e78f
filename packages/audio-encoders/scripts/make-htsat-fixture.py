"""Golden fixture for the `htsat` audio encoder: HTS-AT as LAION-CLAP builds it (the module layout,
state_dict names and forward pass of laion_clap/clap_module/htsat.py, from the log-mel on: bn0 over
mel bins, bicubic time resize, the fold into a square image, 4x4 patches + LayerNorm, Swin stages
with (shifted) window attention, relative position bias and patch merging, final LayerNorm, and
the mean over the last stage's tokens), in a tiny non-default config with random weights (every
LayerNorm, BatchNorm, bias and relative position bias table drawn).

Writes fixtures/htsat-tiny.json: the state_dict under LAION's names (`audio_branch.` prefix, fused
qkv, buffers included) and the same weights under Hugging Face ClapModel's names
(`audio_model.audio_encoder.` prefix, separate query/key/value), the input log-mel, and PyTorch's
outputs: the pooled embedding in eval mode for a short input (time resize) and an input of exactly
the image's frames (no resize), the patch-embedding and per-stage tokens of the first clip, and the
embedding in training mode (bn0 batch statistics) with the moving statistics it leaves behind.

Run with Debian's torch: /usr/bin/python3 scripts/make-htsat-fixture.py (CI never runs this).
A one-off check at full size (not committed: ~150 MB): `--preset tiny|base --out FILE` writes the
same fixture for HTSAT-tiny/base, 64 mel bins and a 10 s input (1,001 frames), LAION names only;
then `HTSAT_FIXTURE=FILE npx vitest run src/htsat/htsat-parity.test.ts`.
"""
import sys
import base64
import json
import pathlib

import torch
import torch.nn as nn
import torch.nn.functional as F

CONFIG = {
    "name": "htsat",
    "specSize": 128,
    "embedDim": 4,
    "depths": [2, 2, 2],
    "heads": [1, 2, 2],
    "windowSize": 8,
    "dropPath": 0,
}
MEL_BINS = 32
FRAMES = 100
PRESETS = {
    "tiny": {"embedDim": 96, "depths": [2, 2, 6, 2], "heads": [4, 8, 16, 32]},
    "base": {"embedDim": 128, "depths": [2, 2, 12, 2], "heads": [4, 8, 16, 32]},
}
OUT = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "htsat-tiny.json"
if "--preset" in sys.argv:
    CONFIG = {"name": "htsat", **PRESETS[sys.argv[sys.argv.index("--preset") + 1]], "dropPath": 0}
    MEL_BINS, FRAMES = 64, 1001
    OUT = pathlib.Path(sys.argv[sys.argv.index("--out") + 1])
FULL = "--preset" in sys.argv
SPEC = CONFIG.get("specSize", 256)
WINDOW = CONFIG.get("windowSize", 8)


def window_partition(x, ws):
    b, h, w, c = x.shape
    x = x.view(b, h // ws, ws, w // ws, ws, c)
    return x.permute(0, 1, 3, 2, 4, 5).contiguous().view(-1, ws, ws, c)


def window_reverse(windows, ws, h, w):
    b = int(windows.shape[0] / (h * w / ws / ws))
    x = windows.view(b, h // ws, w // ws, ws, ws, -1)
    return x.permute(0, 1, 3, 2, 4, 5).contiguous().view(b, h, w, -1)


class WindowAttention(nn.Module):
    def __init__(self, dim, ws, heads):
        super().__init__()
        self.ws, self.heads = ws, heads
        self.scale = (dim // heads) ** -0.5
        self.relative_position_bias_table = nn.Parameter(torch.zeros((2 * ws - 1) ** 2, heads))
        coords = torch.stack(torch.meshgrid([torch.arange(ws), torch.arange(ws)], indexing="ij"))
        flat = torch.flatten(coords, 1)
        rel = (flat[:, :, None] - flat[:, None, :]).permute(1, 2, 0).contiguous()
        rel[:, :, 0] += ws - 1
        rel[:, :, 1] += ws - 1
        rel[:, :, 0] *= 2 * ws - 1
        self.register_buffer("relative_position_index", rel.sum(-1))
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x, mask):
        b, n, c = x.shape
        qkv = self.qkv(x).reshape(b, n, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0] * self.scale, qkv[1], qkv[2]
        attn = q @ k.transpose(-2, -1)
        bias = self.relative_position_bias_table[self.relative_position_index.view(-1)].view(n, n, -1)
        attn = attn + bias.permute(2, 0, 1).contiguous().unsqueeze(0)
        if mask is not None:
            nw = mask.shape[0]
            attn = attn.view(b // nw, nw, self.heads, n, n) + mask.unsqueeze(1).unsqueeze(0)
            attn = attn.view(-1, self.heads, n, n)
        attn = attn.softmax(-1)
        return self.proj((attn @ v).transpose(1, 2).reshape(b, n, c))


class Mlp(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.fc1 = nn.Linear(dim, 4 * dim)
        self.fc2 = nn.Linear(4 * dim, dim)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class SwinBlock(nn.Module):
    def __init__(self, dim, resolution, heads, ws, shift):
        super().__init__()
        self.resolution = resolution
        if min(resolution) <= ws:  # upstream: no partition when the window covers the image
            shift, ws = 0, min(resolution)
        self.ws, self.shift = ws, shift
        self.norm1 = nn.LayerNorm(dim)
        self.attn = WindowAttention(dim, ws, heads)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = Mlp(dim)
        mask = None
        if shift > 0:
            h, w = resolution
            img = torch.zeros((1, h, w, 1))
            cnt = 0
            for hs in (slice(0, -ws), slice(-ws, -shift), slice(-shift, None)):
                for wsl in (slice(0, -ws), slice(-ws, -shift), slice(-shift, None)):
                    img[:, hs, wsl, :] = cnt
                    cnt += 1
            windows = window_partition(img, ws).view(-1, ws * ws)
            mask = windows.unsqueeze(1) - windows.unsqueeze(2)
            mask = mask.masked_fill(mask != 0, -100.0).masked_fill(mask == 0, 0.0)
        self.register_buffer("attn_mask", mask)

    def forward(self, x):
        h, w = self.resolution
        b, _, c = x.shape
        shortcut = x
        x = self.norm1(x).view(b, h, w, c)
        if self.shift > 0:
            x = torch.roll(x, shifts=(-self.shift, -self.shift), dims=(1, 2))
        windows = window_partition(x, self.ws).view(-1, self.ws * self.ws, c)
        windows = self.attn(windows, self.attn_mask).view(-1, self.ws, self.ws, c)
        x = window_reverse(windows, self.ws, h, w)
        if self.shift > 0:
            x = torch.roll(x, shifts=(self.shift, self.shift), dims=(1, 2))
        x = shortcut + x.view(b, h * w, c)
        return x + self.mlp(self.norm2(x))


class PatchMerging(nn.Module):
    def __init__(self, resolution, dim):
        super().__init__()
        self.resolution = resolution
        self.reduction = nn.Linear(4 * dim, 2 * dim, bias=False)
        self.norm = nn.LayerNorm(4 * dim)

    def forward(self, x):
        h, w = self.resolution
        b, _, c = x.shape
        x = x.view(b, h, w, c)
        x = torch.cat([x[:, 0::2, 0::2], x[:, 1::2, 0::2], x[:, 0::2, 1::2], x[:, 1::2, 1::2]], -1)
        return self.reduction(self.norm(x.view(b, -1, 4 * c)))


class Stage(nn.Module):
    def __init__(self, dim, resolution, depth, heads, ws, last):
        super().__init__()
        self.blocks = nn.ModuleList(
            [SwinBlock(dim, resolution, heads, ws, 0 if i % 2 == 0 else ws // 2) for i in range(depth)]
        )
        self.downsample = None if last else PatchMerging(resolution, dim)

    def forward(self, x):
        for block in self.blocks:
            x = block(x)
        return x if self.downsample is None else self.downsample(x)


class PatchEmbed(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.proj = nn.Conv2d(1, dim, kernel_size=4, stride=4)
        self.norm = nn.LayerNorm(dim)

    def forward(self, x):
        return self.norm(self.proj(x).flatten(2).transpose(1, 2))


class Htsat(nn.Module):
    def __init__(self, spec, dim, depths, heads, ws, mel_bins):
        super().__init__()
        self.spec, self.freq_ratio = spec, spec // mel_bins
        self.bn0 = nn.BatchNorm2d(mel_bins)
        self.patch_embed = PatchEmbed(dim)
        grid = spec // 4
        self.layers = nn.ModuleList(
            [
                Stage(dim * 2**i, (grid // 2**i, grid // 2**i), d, h, ws, i == len(depths) - 1)
                for i, (d, h) in enumerate(zip(depths, heads))
            ]
        )
        self.norm = nn.LayerNorm(dim * 2 ** (len(depths) - 1))

    def wav2img(self, x):  # LAION's reshape_wav2img
        target_t, target_f = self.spec * self.freq_ratio, self.spec // self.freq_ratio
        if x.shape[2] < target_t:
            x = F.interpolate(x, (target_t, x.shape[3]), mode="bicubic", align_corners=True)
        assert x.shape[3] == target_f
        x = x.permute(0, 1, 3, 2).contiguous()
        x = x.reshape(x.shape[0], x.shape[1], x.shape[2], self.freq_ratio, x.shape[3] // self.freq_ratio)
        x = x.permute(0, 1, 3, 2, 4).contiguous()
        return x.reshape(x.shape[0], x.shape[1], x.shape[2] * x.shape[3], x.shape[4])

    def forward(self, x):  # x: (batch, 1, time, mel)
        x = self.bn0(x.transpose(1, 3)).transpose(1, 3)
        x = self.patch_embed(self.wav2img(x))
        trace = [x]
        for layer in self.layers:
            x = layer(x)
            trace.append(x)
        x = self.norm(x)
        return x.mean(1), trace  # == avgpool over the flattened (regrouped) last-stage tokens


def b64(t):
    return base64.b64encode(t.detach().to(torch.float32).contiguous().numpy().tobytes()).decode()


def hf_name(key):
    """LAION HTSAT key (after `audio_branch.`) → Hugging Face ClapAudioEncoder key(s)."""
    key = key.replace("bn0.", "batch_norm.")
    for laion, hf in [
        (".norm1.", ".layernorm_before."),
        (".norm2.", ".layernorm_after."),
        (".attn.relative_position_bias_table", ".attention.self.relative_position_bias_table"),
        (".attn.relative_position_index", ".attention.self.relative_position_index"),
        (".attn.proj.", ".attention.output.dense."),
        (".mlp.fc1.", ".intermediate.dense."),
        (".mlp.fc2.", ".output.dense."),
    ]:
        key = key.replace(laion, hf)
    return key


def main():
    torch.manual_seed(7)
    c = CONFIG
    model = Htsat(SPEC, c["embedDim"], c["depths"], c["heads"], WINDOW, MEL_BINS)
    with torch.no_grad():
        for key, value in model.state_dict().items():
            if not value.is_floating_point() or key.endswith("attn_mask"):
                continue
            if key.endswith("running_var"):
                value.uniform_(0.5, 2.0)
            elif key.endswith("running_mean"):
                value.normal_(-30, 5)
            elif key.endswith("relative_position_bias_table") or key.endswith(".bias"):
                value.normal_(0, 0.5)
            elif value.dim() == 1:
                value.uniform_(0.5, 1.5)
            else:
                value.normal_(0, (1.0 / value[0].numel()) ** 0.5)
    model.eval()
    x = torch.randn(2, 1, FRAMES, MEL_BINS) * 8 - 30
    full_frames = SPEC * model.freq_ratio
    # An input of exactly the image's frames (no time resize), built from x the way the test does.
    parts, total = [], 0
    while total < full_frames:
        piece = x[len(parts) % 2, 0][: full_frames - total]
        parts.append(piece)
        total += piece.shape[0]
    x_full = torch.cat(parts, 0)[None, None]
    with torch.no_grad():
        embedding, trace = model(x)
        full_embedding, _ = model(x_full)
    state = {k: v.clone() for k, v in model.state_dict().items()}  # before training moves bn0's statistics
    laion = {f"audio_branch.{k}": v for k, v in state.items()}
    hf = {}
    for key, value in state.items():
        name = f"audio_model.audio_encoder.{hf_name(key)}"
        if key.endswith("attn_mask"):
            continue  # Hugging Face computes the mask in forward, it is no buffer there
        if ".attn.qkv." in key:
            for part, chunk in zip(["query", "key", "value"], value.chunk(3, 0)):
                hf[name.replace(".attn.qkv.", f".attention.self.{part}.")] = chunk
        else:
            hf[name] = value
    model.train()
    with torch.no_grad():
        train_embedding, _ = model(x)
    running = {f"audio_branch.bn0.{k}": b64(getattr(model.bn0, k)) for k in ["running_mean", "running_var"]}
    # One training step's gradients of sum(latent²) (batch statistics, no drop path) for a few
    # weights along the path: bn0, the patch conv, a shifted block's bias table and fused qkv, a
    # patch merging, the final norm.
    checked = ["bn0.weight", "patch_embed.proj.weight", "layers.0.blocks.1.attn.relative_position_bias_table",
               "layers.0.blocks.1.attn.qkv.weight", "layers.1.downsample.reduction.weight", "norm.bias"]
    model.zero_grad()
    (model(x)[0] ** 2).sum().backward()
    params = dict(model.named_parameters())
    gradients = {f"audio_branch.{k}": b64(params[k].grad) for k in checked}

    def dump(state):
        # Buffers clapjs recomputes (relative_position_index, attn_mask, num_batches_tracked) keep
        # their names and shapes but not their data, which would be most of the file.
        return {
            k: {"shape": list(v.shape), "data": b64(v) if v.is_floating_point() and "attn_mask" not in k else None}
            for k, v in state.items()
        }

    fixture = {
        "config": c,
        "melBins": MEL_BINS,
        "inputShape": [2, FRAMES, MEL_BINS, 1],
        "input": b64(x),
        "laion": dump(laion),
        **({} if FULL else {"hf": dump(hf)}),
        "embedding": b64(embedding),
        "fullFramesEmbedding": b64(full_embedding),
        "stages": [{"shape": list(t[0].shape), "data": b64(t[0])} for t in trace],
        "trainEmbedding": b64(train_embedding),
        "runningAfterTrain": running,
        "gradients": gradients,
    }
    OUT.write_text(json.dumps(fixture))
    print(OUT, OUT.stat().st_size, "bytes", "embedding", embedding[0, :4].tolist())


if __name__ == "__main__":  # make-htsat-fusion-fixture.py imports the modules above
    main()
