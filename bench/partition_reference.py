#!/usr/bin/python3
"""scikit-learn side of bench/run_partition.sh (see bench/bench_partition.cpp).

    partition_reference.py knn DIR ROWS DIMS [K]
        sklearn NearestNeighbors(algorithm="brute") on DIR/x.f32, the K nearest other rows of
        every row (kneighbors with K + 1, as scikit-multilearn's MLkNN does); best of 3.
        `KNN_SKLEARN rows N SECONDS s VERSION v`
    partition_reference.py softmax DIR
        LogisticRegression(multi_class="multinomial", solver="lbfgs", C=1, tol=1e-4,
        max_iter=100) on DIR/x.f32 and DIR/y.i32, best of 3, with the objective
        sum CE + ||W||^2 / 2 at its solution (comparable with bench_partition's OBJECTIVE).
        `SOFTMAX_SKLEARN SECONDS s ITERATIONS i OBJECTIVE f VERSION v`
"""
import sys
import time
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import NearestNeighbors


def best_of_3(f):
    best, out = float("inf"), None
    for _ in range(3):
        t0 = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - t0)
    return best, out


def knn(folder, rows, dims, k=10):
    x = np.fromfile(f"{folder}/x.f32", dtype=np.float32).reshape(rows, dims)
    seconds, _ = best_of_3(
        lambda: NearestNeighbors(n_neighbors=k + 1, algorithm="brute").fit(x).kneighbors(x))
    print(f"KNN_SKLEARN rows {rows} SECONDS {seconds:.3f} VERSION {sklearn.__version__}")


def softmax(folder):
    rows, dims = map(int, open(f"{folder}/shape.txt").read().split())
    x = np.fromfile(f"{folder}/x.f32", dtype=np.float32).reshape(rows, dims).astype(np.float64)
    y = np.fromfile(f"{folder}/y.i32", dtype=np.int32)

    def fit():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return LogisticRegression(multi_class="multinomial", solver="lbfgs", C=1.0,
                                      tol=1e-4, max_iter=100).fit(x, y)

    seconds, model = best_of_3(fit)
    z = x @ model.coef_.T + model.intercept_
    z -= z.max(axis=1, keepdims=True)
    lse = np.log(np.exp(z).sum(axis=1))
    ce = (lse - z[np.arange(rows), np.searchsorted(model.classes_, y)]).sum()
    objective = ce + 0.5 * (model.coef_ ** 2).sum()
    print(f"SOFTMAX_SKLEARN SECONDS {seconds:.4f} ITERATIONS {model.n_iter_[0]} "
          f"OBJECTIVE {objective:.6f} VERSION {sklearn.__version__}")


if __name__ == "__main__":
    if sys.argv[1] == "knn":
        knn(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), *map(int, sys.argv[5:6]))
    elif sys.argv[1] == "softmax":
        softmax(sys.argv[2])
    else:
        sys.exit(__doc__)
