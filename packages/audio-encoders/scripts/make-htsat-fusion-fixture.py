"""Golden fixture for the fused `htsat` (LAION-CLAP's fusion models, Hugging Face `enable_fusion`):
the 4-channel front end and the encoder as laion_clap builds them, in a tiny non-default config with
random weights (every LayerNorm, BatchNorm, bias and bias table drawn, the fusion block's too).

- Front end, as `training/data.py` `get_audio_features` (`data_truncating="fusion"`) and Hugging
  Face's `_random_mel_fusion` build it: a log-mel longer than one window gives [the whole log-mel
  shrunk to the window's frames, front, middle, back crops]; the shrink is
  `F.interpolate(mode="bilinear", align_corners=False)` (Hugging Face's call; LAION's
  torchvision `Resize` on a tensor is the same op without antialias, torchvision < 0.17). The crops
  are given (upstream draws them with np.random.choice from the thirds of the offset range). A
  log-mel of exactly one window gives four copies (`longer` false).
- Encoder: laion_clap's HTSAT with `enable_fusion=True, fusion_type="aff_2d"`: bn0 over the four
  channels, bicubic time resize and fold of each, the patch conv on channel 0, `mel_conv2d`
  (kernel and stride p x 3p) on the three crops placed side by side and zero-padded to the patch
  grid, the AFF block (`feature_fusion.py` AFF, type 2D) fusing them for the longer clips only.

Writes fixtures/htsat-fused.json: the 4-channel inputs PyTorch built, the state_dict under LAION's (`audio_branch.`) and Hugging Face's
(`audio_model.audio_encoder.`) names, and the embeddings of: a batch [long clip, short clip] with
longer = [True, False] (eval); one short clip with longer = [True] (what Hugging Face's feature
extractor does to a batch with no long clip); the batch in training mode with both clips marked
longer (batch statistics) and the gradients of sum(latent^2) for a few weights, in float64.
And ../audio/fixtures/fusion-front-end.json: the whole-clip log-mels, the crops and the same inputs,
for @clapjs/audio's front-end test.

Run with Debian's torch: /usr/bin/python3 scripts/make-htsat-fusion-fixture.py (CI never runs this).
`--full --out FILE` writes the same for HTSAT-tiny (64 mel bins, 1,001-frame windows, a 15 s
log-mel; ~120 MB, not committed); then `HTSAT_FUSED_FIXTURE=FILE npx vitest run
src/htsat/htsat-fusion-parity.test.ts`.
"""
import importlib.util
import json
import pathlib
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = pathlib.Path(__file__).resolve().parent
spec = importlib.util.spec_from_file_location("htsat_fixture", HERE / "make-htsat-fixture.py")
base = importlib.util.module_from_spec(spec)
spec.loader.exec_module(base)

FULL = "--full" in sys.argv
CONFIG = {
    "name": "htsat",
    "specSize": 128,
    "embedDim": 8,
    "depths": [2, 2, 2],
    "heads": [1, 2, 2],
    "windowSize": 8,
    "dropPath": 0,
    "fusion": True,
}
MEL_BINS, FRAMES, LONG_FRAMES, CROPS = 32, 100, 160, [7, 33, 60]
OUT = HERE.parent / "fixtures" / "htsat-fused.json"
FRONT_OUT = HERE.parent.parent / "audio" / "fixtures" / "fusion-front-end.json"
if FULL:
    CONFIG = {"name": "htsat", "embedDim": 96, "depths": [2, 2, 6, 2], "heads": [4, 8, 16, 32], "dropPath": 0, "fusion": True}
    MEL_BINS, FRAMES, LONG_FRAMES, CROPS = 64, 1001, 1501, [100, 300, 480]
    OUT = pathlib.Path(sys.argv[sys.argv.index("--out") + 1])
    FRONT_OUT = OUT.with_name(OUT.stem + "-front-end.json")
SPEC = CONFIG.get("specSize", 256)
PATCH = 4


class AFF(nn.Module):
    """feature_fusion.py AFF(type='2D'), r = 4 (a batch of one is doubled for the BatchNorms, as upstream)."""

    def __init__(self, channels, r=4):
        super().__init__()
        inter = channels // r
        self.local_att = nn.Sequential(
            nn.Conv2d(channels, inter, 1), nn.BatchNorm2d(inter), nn.ReLU(inplace=True),
            nn.Conv2d(inter, channels, 1), nn.BatchNorm2d(channels),
        )
        self.global_att = nn.Sequential(
            nn.AdaptiveAvgPool2d(1), nn.Conv2d(channels, inter, 1), nn.BatchNorm2d(inter),
            nn.ReLU(inplace=True), nn.Conv2d(inter, channels, 1), nn.BatchNorm2d(channels),
        )

    def forward(self, x, residual):
        xa = x + residual
        single = xa.size(0) == 1
        if single:
            xa = torch.cat([xa, xa], dim=0)
        wei = torch.sigmoid(self.local_att(xa) + self.global_att(xa))
        if single:
            wei = wei[0:1]
        return 2 * x * wei + 2 * residual * (1 - wei)


class FusedPatchEmbed(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.proj = nn.Conv2d(1, dim, kernel_size=PATCH, stride=PATCH)
        self.norm = nn.LayerNorm(dim)
        self.mel_conv2d = nn.Conv2d(1, dim, kernel_size=(PATCH, 3 * PATCH), stride=(PATCH, 3 * PATCH))
        self.fusion_model = AFF(dim)

    def forward(self, x, longer_idx):
        global_x = self.proj(x[:, 0:1])
        tw = global_x.size(-1)
        if len(longer_idx) > 0:
            local_x = x[longer_idx, 1:].contiguous()
            b, c, h, w = local_x.shape
            local_x = self.mel_conv2d(local_x.view(b * c, 1, h, w))
            local_x = local_x.view(b, c, *local_x.shape[1:]).permute(0, 2, 3, 1, 4).contiguous().flatten(3)
            if local_x.size(-1) < tw:
                pad = torch.zeros(*local_x.shape[:3], tw - local_x.size(-1))
                local_x = torch.cat([local_x, pad], dim=-1)
            else:
                local_x = local_x[..., :tw]
            global_x[longer_idx] = self.fusion_model(global_x[longer_idx], local_x)
        return self.norm(global_x.flatten(2).transpose(1, 2))


class FusedHtsat(base.Htsat):
    def __init__(self):
        super().__init__(SPEC, CONFIG["embedDim"], CONFIG["depths"], CONFIG["heads"], CONFIG.get("windowSize", 8), MEL_BINS)
        self.patch_embed = FusedPatchEmbed(CONFIG["embedDim"])

    def forward(self, x, longer):  # x: (batch, 4, time, mel) = upstream's mel_fusion
        x = self.bn0(x.transpose(1, 3)).transpose(1, 3)
        x = self.patch_embed(self.wav2img(x), torch.where(torch.tensor(longer))[0])
        for layer in self.layers:
            x = layer(x)
        return self.norm(x).mean(1)


def mel_fusion(mel, crops):
    """get_audio_features' fusion branch with the crops given; mel: (frames, mel_bins)."""
    if mel.shape[0] == FRAMES:
        return torch.stack([mel, mel, mel, mel], dim=0)
    shrink = F.interpolate(mel[None, None], size=[FRAMES, MEL_BINS], mode="bilinear", align_corners=False)[0, 0]
    chunks = [mel[c : c + FRAMES] for c in crops]
    return torch.stack([shrink, *chunks], dim=0)


def main():
    torch.manual_seed(11)
    model = FusedHtsat()
    with torch.no_grad():
        for key, value in model.state_dict().items():
            if not value.is_floating_point() or key.endswith("attn_mask"):
                continue
            if key.endswith("running_var"):
                value.uniform_(0.5, 2.0)
            elif key.endswith("running_mean"):
                value.normal_(-30, 5) if key.startswith("bn0.") else value.normal_(0, 0.5)
            elif key.endswith("relative_position_bias_table") or key.endswith(".bias"):
                value.normal_(0, 0.5)
            elif value.dim() == 1:
                value.uniform_(0.5, 1.5)
            else:
                value.normal_(0, (1.0 / value[0].numel()) ** 0.5)
    model.eval()
    long_mel = torch.randn(LONG_FRAMES, MEL_BINS) * 8 - 30
    short_mel = torch.randn(FRAMES, MEL_BINS) * 8 - 30
    x = torch.stack([mel_fusion(long_mel, CROPS), mel_fusion(short_mel, CROPS)])
    with torch.no_grad():
        embedding = model(x, [True, False])
        quirk = model(x[1:], [True])
    state = {k: v.clone() for k, v in model.state_dict().items()}
    # Training: both clips marked longer (with one, the global branch's BatchNorms see a single
    # value per channel and pass no gradient; with two, only the last one's weight and bias get
    # one), computed in float64 so the reference carries no float32 rounding of its own.
    model.train()
    model.double()
    checked = ["patch_embed.mel_conv2d.weight", "patch_embed.fusion_model.local_att.0.weight",
               "patch_embed.fusion_model.global_att.5.weight",
               "patch_embed.proj.weight", "bn0.weight"]
    model.zero_grad()
    train_embedding = model(x.double(), [True, True])
    (train_embedding ** 2).sum().backward()
    params = dict(model.named_parameters())
    laion = {f"audio_branch.{k}": v for k, v in state.items()}
    hf = {}
    for key, value in state.items():
        if key.endswith("attn_mask"):
            continue
        name = f"audio_model.audio_encoder.{base.hf_name(key)}"
        if ".attn.qkv." in key:
            for part, chunk in zip(["query", "key", "value"], value.chunk(3, 0)):
                hf[name.replace(".attn.qkv.", f".attention.self.{part}.")] = chunk
        else:
            hf[name] = value

    def dump(sd):
        return {
            k: {"shape": list(v.shape), "data": base.b64(v) if v.is_floating_point() and "attn_mask" not in k else None}
            for k, v in sd.items()
        }

    fixture = {
        "config": CONFIG,
        "melBins": MEL_BINS,
        "frames": FRAMES,
        "crops": CROPS,
        # PyTorch's (batch, 4, frames, mels) input, channels moved last as clapjs takes it.
        "input": {"shape": [2, FRAMES, MEL_BINS, 4], "data": base.b64(x.permute(0, 2, 3, 1))},
        "laion": dump(laion),
        **({} if FULL else {"hf": dump(hf)}),
        "embedding": base.b64(embedding),
        "quirkEmbedding": base.b64(quirk),
        "trainEmbedding": base.b64(train_embedding),
        "gradients": {f"audio_branch.{k}": base.b64(params[k].grad) for k in checked},
    }
    OUT.write_text(json.dumps(fixture))
    # The front end's part, for @clapjs/audio's fusion tests: the log-mels, the crops and the
    # 4-channel inputs built from them (the same numbers as `input` above).
    front = {
        "frames": FRAMES,
        "crops": CROPS,
        "longMel": {"shape": list(long_mel.shape), "data": base.b64(long_mel)},
        "shortMel": {"shape": list(short_mel.shape), "data": base.b64(short_mel)},
        "input": fixture["input"],
    }
    FRONT_OUT.write_text(json.dumps(front))
    print(OUT, OUT.stat().st_size, "bytes", "embedding", embedding[:, :3].tolist())


if __name__ == "__main__":  # the checkpoints fixtures import the modules above
    main()
