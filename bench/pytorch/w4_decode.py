#!/usr/bin/env python3
"""W4 with PyTorch: greedy decoding with the W2 TINY model (w2_transformer.py), batch 1, source length
10, exactly 12 target tokens (eos ignored), eval mode, no grad. nn.Transformer has no KV cache, so each
step reruns the decoder over the whole prefix (the encoder runs once per sentence). Milliseconds per
sentence (median).

    /usr/bin/python3 bench/pytorch/w4_decode.py [--json] [--threads N]
"""
import torch

from common import best_over_threads, emit, median_seconds
from w2_transformer import SIZES, Seq2SeqTransformer, random_ids

SRC_LEN, TOKENS, BOS, SENTENCES = 10, 12, 1, 8


def main():
    s = SIZES["tiny"]
    torch.manual_seed(1)
    g = torch.Generator().manual_seed(4)
    model = Seq2SeqTransformer(s["vocab"], s["d_model"], s["nhead"], s["d_ff"], s["layers"]).eval()
    sources = [random_ids(g, (1, SRC_LEN), s["vocab"]) for _ in range(SENTENCES)]
    turn = [0]

    def sentence():
        src = sources[turn[0] % SENTENCES]
        turn[0] += 1
        with torch.no_grad():
            memory, src_pad = model.encode(src)
            prefix = torch.full((1, 1), BOS, dtype=torch.long)
            for _ in range(TOKENS):
                logits = model.decode(prefix, memory, src_pad)  # (1, t, V)
                nxt = int(logits[0, -1].argmax())
                prefix = torch.cat([prefix, torch.tensor([[nxt]])], 1)
        assert prefix.shape[1] == TOKENS + 1
        return prefix

    value, threads = best_over_threads(lambda: 1000 * median_seconds(sentence, warmup=3, min_runs=10, min_seconds=3), higher_is_better=False)
    emit("W4", value, "ms/sentence", threads)


if __name__ == "__main__":
    main()
