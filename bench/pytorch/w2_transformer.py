#!/usr/bin/env python3
"""W2 with PyTorch: one Transformer training step (post-LN nn.Transformer, batch first, sinusoidal
positions, dropout 0.1, Adam lr 1e-3, cross-entropy over target tokens with label smoothing 0.1 and
padding id 0 ignored), the same network as llmcore's Seq2SeqTransformer (whose state dict uses these
names). Target tokens per second = B*T / median step time.

    /usr/bin/python3 bench/pytorch/w2_transformer.py tiny|small [--json] [--threads N]
"""
import math
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

from common import best_over_threads, emit, median_seconds

SIZES = {
    "tiny": dict(vocab=4000, d_model=128, nhead=4, d_ff=512, layers=2, batch=32, length=16),
    "small": dict(vocab=8000, d_model=256, nhead=4, d_ff=1024, layers=3, batch=64, length=20),
}


class Seq2SeqTransformer(nn.Module):
    def __init__(self, vocab, d_model, nhead, d_ff, layers, dropout=0.1, max_len=64):
        super().__init__()
        self.d_model = d_model
        self.src_emb = nn.Embedding(vocab, d_model)
        self.tgt_emb = nn.Embedding(vocab, d_model)
        self.transformer = nn.Transformer(d_model=d_model, nhead=nhead, num_encoder_layers=layers, num_decoder_layers=layers,
                                          dim_feedforward=d_ff, dropout=dropout, batch_first=True)
        self.out = nn.Linear(d_model, vocab)
        self.drop = nn.Dropout(dropout)
        pos = torch.arange(max_len).unsqueeze(1)
        div = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
        pe = torch.zeros(max_len, d_model)
        pe[:, 0::2] = torch.sin(pos * div)
        pe[:, 1::2] = torch.cos(pos * div)
        self.register_buffer("pe", pe, persistent=False)
        nn.init.xavier_uniform_(self.src_emb.weight)
        nn.init.xavier_uniform_(self.tgt_emb.weight)

    def embed(self, emb, ids, offset=0):
        return self.drop(emb(ids) * math.sqrt(self.d_model) + self.pe[offset:offset + ids.shape[1]])

    def encode(self, src):
        pad = src == 0
        return self.transformer.encoder(self.embed(self.src_emb, src), src_key_padding_mask=pad), pad

    def decode(self, tgt_in, memory, src_pad):
        T = tgt_in.shape[1]
        causal = torch.triu(torch.ones(T, T, dtype=torch.bool), 1)
        h = self.transformer.decoder(self.embed(self.tgt_emb, tgt_in), memory, tgt_mask=causal,
                                     tgt_key_padding_mask=tgt_in == 0, memory_key_padding_mask=src_pad)
        return self.out(h)  # (B, T, V)

    def forward(self, src, tgt_in):
        memory, src_pad = self.encode(src)
        return self.decode(tgt_in, memory, src_pad)


def random_ids(g, shape, vocab):
    return torch.randint(1, vocab, shape, generator=g)


def main():
    size = "small" if "small" in sys.argv[1:] else "tiny"
    s = SIZES[size]
    torch.manual_seed(1)
    g = torch.Generator().manual_seed(2)
    B, L, V = s["batch"], s["length"], s["vocab"]
    model = Seq2SeqTransformer(V, s["d_model"], s["nhead"], s["d_ff"], s["layers"]).train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    src = random_ids(g, (B, L), V)
    tgt = random_ids(g, (B, L + 1), V)
    tgt_in, tgt_out = tgt[:, :-1], tgt[:, 1:]

    def step():
        opt.zero_grad()
        logits = model(src, tgt_in)
        loss = F.cross_entropy(logits.reshape(-1, V), tgt_out.reshape(-1), ignore_index=0, label_smoothing=0.1)
        loss.backward()
        opt.step()
        return loss.item()

    value, threads = best_over_threads(lambda: B * L / median_seconds(step, min_seconds=5))
    emit(f"W2-{size}", value, "tok/s", threads)


if __name__ == "__main__":
    main()
