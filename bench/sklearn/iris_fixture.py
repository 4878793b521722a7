#!/usr/bin/env python3
"""Generates test/fixtures/iris/sklearn.json: scikit-learn's numbers on Fisher's Iris.

Run once, where Debian's python3-sklearn is installed (apt-get install -y python3-sklearn):

    /usr/bin/python3 bench/sklearn/iris_fixture.py [path/to/iris.csv] > test/fixtures/iris/sklearn.json

The CSV defaults to ../shared/data/iris/iris.csv (Fisher's values; see its SOURCE.md).

What it records:
- loo: leave-one-out accuracy and every left-out prediction of KNeighborsClassifier(algorithm='brute')
  for k = 1..15, metric euclidean and manhattan, weights uniform and distance;
- kneighbors: for a few query rows (each asked alone, as leave-one-out does), the 15 nearest of all
  150 flowers, indices and distances in scikit-learn's order (its tie order included);
- cv10: 10-fold stratified CV accuracy (cross_val_score(..., cv=10): StratifiedKFold, no shuffle)
  of each classifier with scikit-learn's defaults, plus the per-fold test indices.
"""
import csv
import json
import platform
import sys
import warnings

import numpy as np
import scipy
import sklearn
from sklearn.ensemble import RandomForestClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import LeaveOneOut, StratifiedKFold, cross_val_predict, cross_val_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

path = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/iris/iris.csv"
with open(path, newline="") as f:
    rows = list(csv.reader(f))[1:]
X = np.array([[float(v) for v in r[:4]] for r in rows], dtype=np.float64)
species = ["setosa", "versicolor", "virginica"]
y = np.array([species.index(r[4]) for r in rows])
assert X.shape == (150, 4)

out = {
    "generator": "bench/sklearn/iris_fixture.py",
    "versions": {"sklearn": sklearn.__version__, "numpy": np.__version__, "scipy": scipy.__version__,
                 "python": platform.python_version(), "machine": platform.machine()},
    "loo": [],
    "kneighbors": [],
    "cv10": {},
}

for weights in ("uniform", "distance"):
    for metric in ("euclidean", "manhattan"):
        for k in range(1, 16):
            clf = KNeighborsClassifier(n_neighbors=k, metric=metric, weights=weights, algorithm="brute")
            pred = cross_val_predict(clf, X, y, cv=LeaveOneOut())
            out["loo"].append({"k": k, "metric": metric, "weights": weights,
                               "accuracy": float(np.mean(pred == y)), "predictions": pred.tolist()})

for metric in ("euclidean", "manhattan"):
    knn = KNeighborsClassifier(n_neighbors=15, metric=metric, algorithm="brute").fit(X, y)
    for q in (0, 17, 34, 57, 70, 83, 106, 119, 133, 149):
        d, i = knn.kneighbors(X[q:q + 1])
        out["kneighbors"].append({"metric": metric, "query": q, "indices": i[0].tolist(),
                                  "distances": d[0].tolist()})

cv = StratifiedKFold(n_splits=10)
out["cv10"]["folds"] = [test.tolist() for _, test in cv.split(X, y)]
models = {
    "knn": KNeighborsClassifier(),
    "logistic": LogisticRegression(),
    "svm_rbf": SVC(),
    "svm_linear": SVC(kernel="linear"),
    "tree": DecisionTreeClassifier(random_state=0),
    "forest": RandomForestClassifier(random_state=0),
}
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    for name, model in models.items():
        scores = cross_val_score(model, X, y, cv=cv)
        out["cv10"][name] = {"mean": float(scores.mean()), "folds": scores.tolist(), "params": repr(model)}

json.dump(out, sys.stdout, separators=(",", ":"))
sys.stdout.write("\n")
