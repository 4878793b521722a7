#!/usr/bin/env python3
"""W6 with PyTorch: one training step of nanoGPT's CPU recipe for character-level Tiny Shakespeare:
a GPT-2 shaped decoder (4 layers, 4 heads, width 128, context 64, vocabulary 65, biases, tied output:
809,856 parameters), batch 12, cross-entropy, clip_grad_norm_ 1, AdamW (lr 1e-3, betas 0.9/0.99,
weight decay 0.1 on the matrices only). Tokens per second = B*T / median step time. The model is
nanoGPT's model.py without flash attention (PyTorch 1.13 has no scaled_dot_product_attention).

    /usr/bin/python3 bench/pytorch/w6_gpt.py [--json] [--threads N]
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from common import best_over_threads, emit, median_seconds

V, T, C, L, H, B = 65, 64, 128, 4, 4, 12


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1 = nn.LayerNorm(C)
        self.c_attn = nn.Linear(C, 3 * C)
        self.attn_proj = nn.Linear(C, C)
        self.ln_2 = nn.LayerNorm(C)
        self.c_fc = nn.Linear(C, 4 * C)
        self.mlp_proj = nn.Linear(4 * C, C)
        self.register_buffer("mask", torch.tril(torch.ones(T, T)).view(1, 1, T, T))

    def attn(self, x):
        b, t, c = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)
        q, k, v = (z.view(b, t, H, c // H).transpose(1, 2) for z in (q, k, v))
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        att = F.softmax(att.masked_fill(self.mask[:, :, :t, :t] == 0, float("-inf")), dim=-1)
        return self.attn_proj((att @ v).transpose(1, 2).contiguous().view(b, t, c))

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))


class GPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte = nn.Embedding(V, C)
        self.wpe = nn.Embedding(T, C)
        self.h = nn.ModuleList([Block() for _ in range(L)])
        self.ln_f = nn.LayerNorm(C)
        for p in self.parameters():
            if p.dim() >= 2:
                nn.init.normal_(p, 0.0, 0.02)

    def forward(self, idx):
        x = self.wte(idx) + self.wpe(torch.arange(idx.size(1)))
        for block in self.h:
            x = block(x)
        return self.ln_f(x) @ self.wte.weight.t()  # the output layer tied to the embedding


def main():
    torch.manual_seed(1)
    model = GPT()
    assert sum(p.numel() for p in model.parameters()) == 809_856
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}], lr=1e-3, betas=(0.9, 0.99))
    g = torch.Generator().manual_seed(6)
    data = torch.randint(0, V, (100_000,), generator=g)

    def step():
        ix = torch.randint(len(data) - T, (B,), generator=g)
        x = torch.stack([data[i:i + T] for i in ix])
        y = torch.stack([data[i + 1:i + 1 + T] for i in ix])
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x).view(-1, V), y.view(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return loss.item()

    value, threads = best_over_threads(lambda: B * T / median_seconds(step, warmup=3, min_runs=10, min_seconds=10))
    emit("W6", value, "tok/s", threads)


if __name__ == "__main__":
    main()
