"""Pieces every twin shares: llmcore's sinusoidal table, its causal mask, and its padding convention."""
import math

import torch


def sinusoidal_table(max_len, d_model):
    """PE[p, 2i] = sin(p / 10000^(2i/d)), PE[p, 2i+1] = cos(…): computed in double and stored float32,
    as src/nn/positional.ts does, so both engines add the same numbers."""
    pe = torch.zeros(max_len, d_model, dtype=torch.float64)
    pos = torch.arange(max_len, dtype=torch.float64)
    for i in range(0, d_model, 2):
        freq = math.exp(-(i / d_model) * math.log(10000))
        pe[:, i] = torch.sin(pos * freq)
        if i + 1 < d_model:
            pe[:, i + 1] = torch.cos(pos * freq)
    return pe.to(torch.float32)


def causal_mask(t, device=None):
    """(T, T) bool, True above the diagonal: the positions a query may not see."""
    return torch.triu(torch.ones(t, t, dtype=torch.bool, device=device), diagonal=1)
