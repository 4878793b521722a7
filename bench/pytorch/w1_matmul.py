#!/usr/bin/env python3
"""W1 with PyTorch: fp32 matmul, GFLOPS = 2*m*n*k / time, on bench/w1-matmul.ts's shapes; transposed
operands are transposed views (a.t()), which PyTorch hands to its GEMM as transpose flags.

    /usr/bin/python3 bench/pytorch/w1_matmul.py [--json] [--threads N]
"""
import torch

from common import best_over_threads, emit, median_seconds

CASES = [(s, s, s, "nn") for s in (128, 256, 512, 1024)] + [
    (512, 128, 512, "nn"), (512, 512, 128, "nn"), (512, 512, 512, "tn"), (512, 512, 512, "nt"), (512, 512, 512, "tt")]

g = torch.Generator().manual_seed(1)
for m, k, n, trans in CASES:
    ta, tb = trans[0] == "t", trans[1] == "t"
    a = torch.randn((k, m) if ta else (m, k), generator=g)
    b = torch.randn((n, k) if tb else (k, n), generator=g)
    a, b = (a.t() if ta else a), (b.t() if tb else b)
    value, threads = best_over_threads(lambda: 2 * m * n * k / median_seconds(lambda: torch.matmul(a, b), min_seconds=1) / 1e9)
    emit("W1", value, "GFLOPS", threads, shape=f"{m}x{k}x{n}", trans=trans)
