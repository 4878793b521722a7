#!/usr/bin/env python3
"""Generates test/fixtures/iris/sklearn.json: scikit-learn's numbers on Fisher's Iris.

Run once, where Debian's python3-sklearn is installed (apt-get install -y python3-sklearn):

    /usr/bin/python3 bench/sklearn/iris_fixture.py > test/fixtures/iris/sklearn.json

The data are scikit-learn's own sklearn.datasets.load_iris(): Fisher's published values, which is
what src/data/iris.ts embeds (not UCI's iris.data, which has two transcription errors, in rows 35
and 38). The features are recorded too ("x"), so the tests can check that the embedded rows are
the ones these numbers were computed on.

What it records:
- loo: leave-one-out accuracy and every left-out prediction of KNeighborsClassifier(algorithm='brute')
  for k = 1..15, metric euclidean and manhattan, weights uniform and distance;
- kneighbors: for a few query rows (each asked alone, as leave-one-out does), the 15 nearest of all
  150 flowers, indices and distances in scikit-learn's order (its tie order included);
- cv10: 10-fold stratified CV accuracy (cross_val_score(..., cv=10): StratifiedKFold, no shuffle)
  of each classifier with scikit-learn's defaults, the per-fold test indices, and every held-out
  prediction (cross_val_predict over the same folds).
"""
import json
import platform
import sys
import warnings

import numpy as np
import scipy
import sklearn
from sklearn.datasets import load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import LeaveOneOut, StratifiedKFold, cross_val_predict, cross_val_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

iris = load_iris()
X = iris.data.astype(np.float64)
y = iris.target
assert X.shape == (150, 4) and list(iris.target_names) == ["setosa", "versicolor", "virginica"]
# Fisher's values, not UCI's transcription errors (0-based rows 34 and 37)
assert X[34].tolist() == [4.9, 3.1, 1.5, 0.2] and X[37].tolist() == [4.9, 3.6, 1.4, 0.1]

out = {
    "generator": "bench/sklearn/iris_fixture.py",
    "data": "sklearn.datasets.load_iris()",
    "x": X.tolist(),
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
        pred = cross_val_predict(model, X, y, cv=cv)
        out["cv10"][name] = {"mean": float(scores.mean()), "folds": scores.tolist(), "params": repr(model),
                             "predictions": pred.tolist()}

json.dump(out, sys.stdout, separators=(",", ":"))
sys.stdout.write("\n")
