#!/usr/bin/env python3
"""W7 with PyTorch: one training step of the shipped Fashion-MNIST Vision Transformer (models/fashion-vit,
recipes/vision-vit.json): 28x28 images cut into 16 patches of 7x7 (Linear 49 -> 64), learned positions,
nn.TransformerEncoder of 4 pre-LN layers (4 heads, d_ff 128, GELU, dropout 0) with a final LayerNorm,
mean over the patches, Linear 64 -> 10: 138,890 parameters. Batch 64, each image mirrored left-right
with probability 1/2, normalised as the model does ((x/255 - mean) / std), cross-entropy, clip_grad_norm_ 1,
AdamW (lr 2e-3, betas 0.9/0.999, weight decay 0.05 on the matrices but not the positions), warmup 400
then cosine (LambdaLR). Images per second = batch / median step time.

The parameter count and the FLOPs of the matmuls one step runs (2*m*k*n each, forward and backward,
counted at aten.mm/addmm/bmm/baddbmm with a TorchDispatchMode) are reported beside the figure, as
bench/w7-vit.ts reports llmcore's, so the two are seen to train the same model.

    /usr/bin/python3 bench/pytorch/w7_vit.py [--json] [--threads N]
"""
import json
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils._python_dispatch import TorchDispatchMode

from common import best_over_threads, emit, median_seconds

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
with open(os.path.join(ROOT, "models", "fashion-vit", "config.json")) as f:
    M = json.load(f)["model"]
with open(os.path.join(ROOT, "recipes", "vision-vit.json")) as f:
    R = json.load(f)["training"]
S, P, C, H, L, FF, K = M["imageSize"], M["patchSize"], M["dModel"], M["nhead"], M["numLayers"], M["dimFeedforward"], M["numClasses"]
N = (S // P) ** 2
B = R["batchSize"]
assert M["pool"] == "mean" and M["dropout"] == 0 and M["labelSmoothing"] == 0


class ViT(nn.Module):
    def __init__(self):
        super().__init__()
        self.patch_embed = nn.Linear(P * P, C)
        self.pos_embed = nn.Parameter(torch.randn(1, N, C) * 0.02)
        layer = nn.TransformerEncoderLayer(C, H, FF, dropout=0.0, activation="gelu", batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, L, norm=nn.LayerNorm(C), enable_nested_tensor=False)
        self.head = nn.Linear(C, K)

    def forward(self, images):
        b = images.shape[0]
        patches = images.reshape(b, S // P, P, S // P, P).permute(0, 1, 3, 2, 4).reshape(b, N, P * P)
        h = self.encoder(self.patch_embed(patches) + self.pos_embed)
        return self.head(h.mean(1))


class MatmulFlops(TorchDispatchMode):
    """Counts 2*m*k*n of every matmul kernel that runs (forward and backward)."""

    def __init__(self):
        super().__init__()
        self.flops = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        name = func.overloadpacket.__name__
        if name == "mm":
            (m, k), n = args[0].shape, args[1].shape[1]
            self.flops += 2 * m * k * n
        elif name == "addmm":
            (m, k), n = args[1].shape, args[2].shape[1]
            self.flops += 2 * m * k * n
        elif name in ("bmm", "baddbmm"):
            a, b = (args[0], args[1]) if name == "bmm" else (args[1], args[2])
            self.flops += 2 * a.shape[0] * a.shape[1] * a.shape[2] * b.shape[2]
        return func(*args, **(kwargs or {}))


def main():
    torch.manual_seed(1)
    model = ViT()
    params = sum(p.numel() for p in model.parameters())
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2 and "pos_embed" not in n]
    rest = [p for n, p in model.named_parameters() if not (p.dim() >= 2 and "pos_embed" not in n)]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": R["weightDecay"]}, {"params": rest, "weight_decay": 0.0}], lr=R["lr"], betas=(0.9, 0.999))
    warmup, total = R["warmupSteps"], R["epochs"] * math.ceil(55_000 / B)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: (s + 1) / warmup if s < warmup else 0.5 * (1 + math.cos(math.pi * min(1.0, (s - warmup) / max(1, total - warmup)))))
    g = torch.Generator().manual_seed(5)
    pixels = torch.randint(0, 256, (4096, S, S), dtype=torch.uint8, generator=g)
    labels = torch.randint(0, K, (4096,), generator=g)
    mean, std = M["pixelMean"], M["pixelStd"]

    def step():
        ix = torch.randint(len(pixels), (B,), generator=g)
        x = pixels[ix].float() / 255
        flip = torch.rand(B, generator=g) < 0.5
        x = torch.where(flip[:, None, None], x.flip(-1), x)
        x = (x - mean) / std
        model.train()
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), labels[ix])
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), R["clipNorm"])
        opt.step()
        sched.step()
        return loss.item()

    with MatmulFlops() as counter:
        step()
    value, threads = best_over_threads(lambda: B / median_seconds(step, warmup=3, min_runs=10, min_seconds=10))
    emit("W7", value, "img/s", threads, params=params, flopsPerStep=counter.flops)


if __name__ == "__main__":
    main()
