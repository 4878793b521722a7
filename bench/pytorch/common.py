"""Shared by the PyTorch workloads: timing (warm-up, then the median of repeated runs), the thread
setting (each workload is measured with 1 thread and with every core, and the better is reported,
PyTorch "at its best setting"; --threads N fixes one) and the JSON line of bench/run.ts --json.
"""
import json
import os
import sys
import time
import warnings

import torch

# nn.Transformer's eval fast path announces its nested tensors on every run
warnings.filterwarnings("ignore", message=".*nested tensors is in prototype.*")


def arg(name, default=None):
    argv = sys.argv[1:]
    return argv[argv.index(name) + 1] if name in argv else default


def thread_counts():
    fixed = arg("--threads")
    if fixed is not None:
        return [int(fixed)]
    cores = os.cpu_count() or 1
    return sorted({1, cores})


def median_seconds(fn, warmup=2, min_runs=5, min_seconds=3.0, max_runs=200):
    """Median seconds of fn(): warm-up calls, then at least min_runs timed calls or min_seconds of timing."""
    for _ in range(warmup):
        fn()
    samples = []
    start = time.perf_counter()
    while len(samples) < max_runs and (len(samples) < min_runs or time.perf_counter() - start < min_seconds):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    samples.sort()
    return samples[len(samples) // 2]


def best_over_threads(measure, higher_is_better=True):
    """Runs measure() (returns a value) under each thread count; returns (best value, its threads)."""
    best = None
    for n in thread_counts():
        torch.set_num_threads(n)
        v = measure()
        if best is None or (v > best[0] if higher_is_better else v < best[0]):
            best = (v, n)
    return best


def emit(workload, value, unit, threads, **extra):
    m = {"workload": workload, "lib": "pytorch", "value": value, "unit": unit, "threads": threads, **extra}
    if "--json" in sys.argv:
        print(json.dumps(m), flush=True)
    else:
        print(f"{workload} pytorch {torch.__version__}: {value:.1f} {unit} (threads {threads})"
              + "".join(f" {k}={v}" for k, v in extra.items()), flush=True)
