#!/usr/bin/env python3
"""W5 with PyTorch: brute-force KNN, 100,000 x 32 training points (float32, uniform [0, 1)), 1,000
queries, k = 10: |q|^2 - 2 q.x + |x|^2 with one addmm per block of 250 queries, then topk(k, smallest).
Queries per second of all 1,000 (median of 3 after a warm-up).

    /usr/bin/python3 bench/pytorch/w5_knn.py [--json] [--threads N]
"""
import torch

from common import best_over_threads, emit, median_seconds

N, D, M, K, BLOCK = 100_000, 32, 1_000, 10, 250


def main():
    g = torch.Generator().manual_seed(5)
    X = torch.rand((N, D), generator=g)
    Q = torch.rand((M, D), generator=g)
    xx = (X * X).sum(1)  # (N,), part of fitting, as llmcore's and scikit-learn's

    def kneighbors():
        out = []
        for i in range(0, M, BLOCK):
            q = Q[i:i + BLOCK]
            d2 = torch.addmm(xx.unsqueeze(0), q, X.t(), beta=1, alpha=-2)  # (block, N) without |q|^2: same order
            d2.add_((q * q).sum(1, keepdim=True))
            out.append(torch.topk(d2, K, dim=1, largest=False).indices)
        return torch.cat(out)

    value, threads = best_over_threads(lambda: M / median_seconds(kneighbors, warmup=1, min_runs=3, min_seconds=1))
    emit("W5", value, "queries/s", threads, shape=f"{N}x{D}")


if __name__ == "__main__":
    main()
