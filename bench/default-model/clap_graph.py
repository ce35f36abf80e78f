"""The default clapjs model's graph in PyTorch (cnn-small audio encoder, pre-LN transformer or
bag-of-embeddings text encoder, linear or MLP projections) over weights exported from clapjs under
their clapjs paths and layouts. Shared by default_model.py (training steps) and
bench/index/embed_peer.py (embedding files for an index).
"""
import math

import torch.nn.functional as F


def to_torch(path, value):
    """A clapjs weight in PyTorch's layout: conv [kh, kw, in, out] → [out, in, kh, kw], dense
    [in, out] → Linear.weight [out, in]; embeddings and vectors unchanged."""
    if value.dim() == 4:
        return value.permute(3, 2, 0, 1).contiguous()
    if value.dim() == 2 and not path.startswith("textEncoder/embeddings/"):
        return value.t().contiguous()
    return value


class DefaultModelGraph:
    """The forward pass of a clapjs model config over `W` (clapjs path → PyTorch tensor).
    `training` selects BatchNorm's batch statistics (and updates the running ones) as in a
    training step; False uses the running statistics, as inference does."""

    def __init__(self, W, config, training):
        self.W, self.config, self.training = W, config, training
        self.ae, self.te = config["audioEncoder"], config["textEncoder"]

    def batch_norm(self, x, prefix):
        W = self.W
        return F.batch_norm(x, W[prefix + "/running_mean"], W[prefix + "/running_var"], W[prefix + "/weight"],
                            W[prefix + "/bias"], training=self.training, momentum=self.ae["bnMomentum"],
                            eps=self.ae["bnEpsilon"])

    def audio_encoder(self, x):  # PANNs' layout: [B, 1, T, M]
        ae, W = self.ae, self.W
        x = self.batch_norm(x.transpose(1, 3), "audioEncoder/bn0").transpose(1, 3)
        if ae["inputPool"] != [1, 1]:
            x = F.avg_pool2d(x, ae["inputPool"])
        for b in range(len(ae["channels"])):
            p = f"audioEncoder/conv_block{b + 1}"
            x = F.relu(self.batch_norm(F.conv2d(x, W[p + "/conv1/weight"], padding=1), p + "/bn1"))
            x = F.avg_pool2d(x, 2)
        x = x.mean(dim=3)
        x = x.max(dim=2).values + x.mean(dim=2)
        return F.relu(F.linear(x, W["audioEncoder/fc1/weight"], W["audioEncoder/fc1/bias"]))

    def dense(self, x, prefix):
        return F.linear(x, self.W[prefix + "/kernel"], self.W[prefix + "/bias"])

    def layer_norm(self, x, prefix):
        return F.layer_norm(x, (x.shape[-1],), self.W[prefix + "/gamma"], self.W[prefix + "/beta"],
                            self.te["layerNormEpsilon"])

    def attention(self, x, prefix, mask_bias):
        b, length, width = x.shape
        heads = self.te["heads"]
        split = lambda t: t.reshape(b, length, heads, width // heads).transpose(1, 2)  # noqa: E731
        q, k, v = (split(self.dense(x, f"{prefix}/{n}")) for n in ("query", "key", "value"))
        scores = q @ k.transpose(-1, -2) / math.sqrt(width // heads) + mask_bias
        context = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, length, width)
        return self.dense(context, prefix + "/output")

    def transformer(self, ids, mask):  # pre-LN, CLS pooling (the default model's textEncoder)
        W = self.W
        x = F.embedding(ids, W["textEncoder/embeddings/word"]) + W["textEncoder/embeddings/position"][: ids.shape[1]]
        mask_bias = ((1 - mask) * -1e9).reshape(ids.shape[0], 1, 1, -1)
        for i in range(self.te["layers"]):
            p = f"textEncoder/layer{i}"
            x = x + self.attention(self.layer_norm(x, p + "/attention/norm"), p + "/attention", mask_bias)
            h = F.gelu(self.dense(self.layer_norm(x, p + "/ffn/norm"), p + "/ffn/intermediate"))
            x = x + self.dense(h, p + "/ffn/output")
        return self.layer_norm(x, "textEncoder/norm")[:, 0]

    def bag_of_embeddings(self, ids, mask):  # masked mean of the word embeddings (the tiny config's)
        weights = mask.unsqueeze(2)
        total = (F.embedding(ids, self.W["textEncoder/embeddings/word"]) * weights).sum(dim=1)
        return total / weights.sum(dim=1).clamp(min=1)

    def projection(self, x, prefix, kind):
        if kind == "linear":
            return self.dense(x, prefix + "/fc")
        return self.dense(F.relu(self.dense(x, prefix + "/fc1")), prefix + "/fc2")

    def audio_embedding(self, log_mel):
        """Projected audio features of log-mel [B, 1, T, M] (not normalised)."""
        return self.projection(self.audio_encoder(log_mel), "audioProjection", self.config["audioProjection"]["name"])

    def text_embedding(self, ids, mask):
        """Projected text features of token ids and mask [B, L] (not normalised)."""
        features = self.transformer(ids, mask) if self.te["name"] == "transformer" else self.bag_of_embeddings(ids, mask)
        return self.projection(features, "textProjection", self.config["textProjection"]["name"])
