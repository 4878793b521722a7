#!/usr/bin/env python3
"""W4 with PyTorch: greedy decoding with the W2 TINY model (w2_transformer.py), batch 1, source length
10, exactly 12 target tokens (eos ignored), eval mode, no grad. Milliseconds per sentence (median).

llmcore and TF.js decode with a KV cache (one new position per step, the cross-attention's keys and
values computed once per sentence). nn.Transformer in PyTorch 1.13 has no cache, so, to time the same
algorithm, `CachedDecoder` below runs the model's own decoder weights (nn.TransformerDecoderLayer,
post-LN, ReLU, then the decoder's final LayerNorm) one position at a time with the keys and values
kept. Before timing, every source is decoded both ways and must give the same tokens (and logits
within 1e-4) as nn.Transformer rerunning the whole prefix each step; that uncached decoding is timed
too and reported as `nocache_ms`.

    /usr/bin/python3 bench/pytorch/w4_decode.py [--json] [--threads N]
    /usr/bin/python3 bench/pytorch/w4_decode.py --check   # only the comparison, no timing
"""
import math
import sys

import torch
import torch.nn.functional as F

from common import best_over_threads, emit, median_seconds
from w2_transformer import SIZES, Seq2SeqTransformer, random_ids

SRC_LEN, TOKENS, BOS, SENTENCES = 10, 12, 1, 8


class CachedDecoder:
    """Greedy steps of `model`'s decoder with self-attention keys/values appended per step."""

    def __init__(self, model, memory, src_pad):
        self.model = model
        self.layers = list(model.transformer.decoder.layers)
        self.heads = self.layers[0].self_attn.num_heads
        # key padding as nn.Transformer applies it: source id 0 and generated id 0 are masked keys
        self.mem_mask = src_pad[:, None, None, :]  # (B, 1, 1, S)
        self.cross = [self._split(F.linear(memory, *self._kv(l.multihead_attn))) for l in self.layers]
        self.self_kv = [None] * len(self.layers)
        self.tgt_pad = []
        self.position = 0

    @staticmethod
    def _kv(attn):
        E = attn.embed_dim
        return attn.in_proj_weight[E:], attn.in_proj_bias[E:]

    def _split(self, kv):  # (B, S, 2E) -> k, v: (B, heads, S, hd)
        B, S, E2 = kv.shape
        k, v = kv.split(E2 // 2, -1)
        hd = E2 // 2 // self.heads
        return k.view(B, S, self.heads, hd).transpose(1, 2), v.view(B, S, self.heads, hd).transpose(1, 2)

    def _attend(self, attn, q, k, v, mask):  # q (B, 1, E) projected; k, v (B, h, S, hd)
        B, _, E = q.shape
        hd = E // self.heads
        q = q.view(B, 1, self.heads, hd).transpose(1, 2)
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(hd)  # (B, h, 1, S)
        scores = scores.masked_fill(mask, float("-inf"))
        out = (scores.softmax(-1) @ v).transpose(1, 2).reshape(B, 1, E)
        return attn.out_proj(out)

    def step(self, token):  # token: (B, 1) ids -> logits (B, V)
        m = self.model
        x = m.embed(m.tgt_emb, token, self.position)
        self.position += 1
        self.tgt_pad.append(token == 0)
        pad = torch.cat(self.tgt_pad, 1)[:, None, None, :]  # (B, 1, 1, t)
        for i, l in enumerate(self.layers):
            E = l.self_attn.embed_dim
            q, k, v = F.linear(x, l.self_attn.in_proj_weight, l.self_attn.in_proj_bias).split(E, -1)
            k, v = self._split(torch.cat([k, v], -1))
            if self.self_kv[i] is not None:
                k = torch.cat([self.self_kv[i][0], k], 2)
                v = torch.cat([self.self_kv[i][1], v], 2)
            self.self_kv[i] = (k, v)
            x = l.norm1(x + self._attend(l.self_attn, q, k, v, pad))
            Wq, bq = l.multihead_attn.in_proj_weight[:E], l.multihead_attn.in_proj_bias[:E]
            x = l.norm2(x + self._attend(l.multihead_attn, F.linear(x, Wq, bq), *self.cross[i], self.mem_mask))
            x = l.norm3(x + l.linear2(l.activation(l.linear1(x))))
        norm = m.transformer.decoder.norm
        if norm is not None:
            x = norm(x)
        return m.out(x)[:, -1]


def decode_cached(model, src):
    memory, src_pad = model.encode(src)
    dec = CachedDecoder(model, memory, src_pad)
    token = torch.full((1, 1), BOS, dtype=torch.long)
    out, logits = [], []
    for _ in range(TOKENS):
        lg = dec.step(token)
        logits.append(lg)
        token = lg.argmax(-1, keepdim=True)
        out.append(int(token))
    return out, torch.stack(logits, 1)


def decode_uncached(model, src):
    memory, src_pad = model.encode(src)
    prefix = torch.full((1, 1), BOS, dtype=torch.long)
    logits = []
    for _ in range(TOKENS):
        lg = model.decode(prefix, memory, src_pad)[:, -1]  # the whole prefix again, every step
        logits.append(lg)
        prefix = torch.cat([prefix, lg.argmax(-1, keepdim=True)], 1)
    return prefix[0, 1:].tolist(), torch.stack(logits, 1)


def main():
    s = SIZES["tiny"]
    torch.manual_seed(1)
    g = torch.Generator().manual_seed(4)
    model = Seq2SeqTransformer(s["vocab"], s["d_model"], s["nhead"], s["d_ff"], s["layers"]).eval()
    sources = [random_ids(g, (1, SRC_LEN), s["vocab"]) for _ in range(SENTENCES)]

    worst = 0.0
    with torch.no_grad():
        for i, src in enumerate(sources):
            a, la = decode_cached(model, src)
            b, lb = decode_uncached(model, src)
            diff = float((la - lb).abs().max())
            if a != b or diff > 1e-4:
                raise SystemExit(f"W4: the cached decoder disagrees with nn.Transformer on source {i}: {a} vs {b}, largest logit difference {diff:.2e}")
            worst = max(worst, diff)
    if "--check" in sys.argv:
        print(f"W4: the cached decoder gives nn.Transformer's tokens on all {SENTENCES} sources (largest logit difference {worst:.2e})")
        return

    def timed(decode):
        turn = [0]

        def sentence():
            src = sources[turn[0] % SENTENCES]
            turn[0] += 1
            with torch.no_grad():
                out, _ = decode(model, src)
            assert len(out) == TOKENS
            return out

        return lambda: 1000 * median_seconds(sentence, warmup=3, min_runs=10, min_seconds=3)

    value, threads = best_over_threads(timed(decode_cached), higher_is_better=False)
    nocache, nocache_threads = best_over_threads(timed(decode_uncached), higher_is_better=False)
    emit("W4", value, "ms/sentence", threads, decoder="kv-cache", nocache_ms=round(nocache, 3), nocache_threads=nocache_threads)


if __name__ == "__main__":
    main()
