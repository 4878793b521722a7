#!/usr/bin/env python3
"""W5 for scikit-learn: brute-force KNN, 100,000 x 32 training points, 1,000 queries, k = 10.

Runs only where scikit-learn is installed (Debian: apt-get install -y python3-sklearn):

    /usr/bin/python3 bench/sklearn/knn_w5.py [--threads N] [--json]

Data: uniform [0, 1) from numpy's seeded generator (same distribution as bench/knn.ts, not the same
numbers; brute force does the same work whatever the values). The figure is queries per second of
KNeighborsClassifier(algorithm='brute').kneighbors over all queries, median of 3 runs.
"""
import json
import sys
import time

import numpy as np
from sklearn.neighbors import KNeighborsClassifier

threads = None
if "--threads" in sys.argv:
    threads = int(sys.argv[sys.argv.index("--threads") + 1])

rng = np.random.default_rng(5)
X = rng.random((100_000, 32))
y = rng.integers(0, 10, 100_000)
Q = rng.random((1_000, 32))
knn = KNeighborsClassifier(n_neighbors=10, algorithm="brute").fit(X, y)


def run():
    t0 = time.perf_counter()
    knn.kneighbors(Q)
    return time.perf_counter() - t0


def measure():
    run()
    return sorted(run() for _ in range(3))[1]


if threads is not None:
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=threads):
        seconds = measure()
else:
    seconds = measure()
result = {"workload": "W5", "lib": "scikit-learn", "value": 1000 / seconds, "unit": "queries/s",
          "threads": threads if threads is not None else "default", "shape": "100000x32"}
print(json.dumps(result) if "--json" in sys.argv else f"W5 scikit-learn brute: {result['value']:.1f} queries/s (threads {result['threads']})")
