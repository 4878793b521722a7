#!/usr/bin/env python3
"""W3 with PyTorch: language-model training step, vocab 4000, embedding 128, hidden 256, one layer,
sequence 32, batch 32, Adam lr 1e-3: nn.Embedding + nn.LSTM / nn.RNN (tanh, batch first) + nn.Linear +
cross-entropy of the next token. Tokens per second = B*T / median step time.

    /usr/bin/python3 bench/pytorch/w3_lm.py lstm|rnn [--json] [--threads N]
"""
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

from common import best_over_threads, emit, median_seconds

V, E, H, B, T = 4000, 128, 256, 32, 32


class LM(nn.Module):
    def __init__(self, kind):
        super().__init__()
        self.emb = nn.Embedding(V, E)
        self.rnn = (nn.LSTM if kind == "lstm" else nn.RNN)(E, H, batch_first=True)
        self.out = nn.Linear(H, V)

    def forward(self, x):
        output, _ = self.rnn(self.emb(x))  # (B, T, H)
        return self.out(output).reshape(-1, V)


def main():
    kind = "rnn" if "rnn" in sys.argv[1:] else "lstm"
    torch.manual_seed(1)
    g = torch.Generator().manual_seed(3)
    model = LM(kind)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    rows = torch.randint(0, V, (B, T + 1), generator=g)
    x, y = rows[:, :-1], rows[:, 1:].reshape(-1)

    def step():
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    value, threads = best_over_threads(lambda: B * T / median_seconds(step, min_seconds=5))
    emit(f"W3-{kind}", value, "tok/s", threads)


if __name__ == "__main__":
    main()
