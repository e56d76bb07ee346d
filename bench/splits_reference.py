#!/usr/bin/python3
"""Reference for bench/splits: a plain Python/NumPy transcription of iterative stratification
(Sechidis, Tsoumakas & Vlahavas 2011, Algorithm 1; first order), written the way
scikit-multilearn's IterativeStratification works (per-label row sets, NumPy desired counts,
one fold decision per row), timed on the matrix bench_splits saved. scikit-multilearn itself
cannot be installed here; the issue measured it at 8.6 s on this size.

It also recomputes the fold quality figures (LD, ED, FZ, FLZ of Sechidis et al. section 4,
with lg::fold_quality's conventions, see src/data/split.hpp) with NumPy for every fold file
bench_splits saved, to check the C++ figures.

  splits_reference.py DIR [--repeat R] [--seed S]

Prints `REFERENCE python-iterative1 SECONDS <best> LD .. ED .. FZ .. FLZ ..` and one
`QUALITY <method> LD .. ED .. FZ .. FLZ ..` line per DIR/folds_<method>.i32.
"""
import argparse
import glob
import os
import time

import numpy as np


def iterative_stratification(y, k, rng):
    n, num_labels = y.shape
    desired = np.full(k, n / k)
    remaining = [set(np.flatnonzero(y[:, l]).tolist()) for l in range(num_labels)]
    desired_label = np.array([[len(r) / k] * k for r in remaining])
    labels_of = [np.flatnonzero(row).tolist() for row in y]
    fold = np.full(n, -1, dtype=np.int64)
    while True:
        sizes = [(len(r), l) for l, r in enumerate(remaining) if r]
        if not sizes:
            break
        fewest = min(s for s, _ in sizes)
        label = rng.choice([l for s, l in sizes if s == fewest])  # ties: random
        for row in sorted(remaining[label]):
            want = desired_label[label]
            m = np.flatnonzero(want == want.max())
            if len(m) > 1:
                d = desired[m]
                m = m[d == d.max()]
            f = m[0] if len(m) == 1 else rng.choice(m)
            fold[row] = f
            desired[f] -= 1
            for j in labels_of[row]:
                desired_label[j, f] -= 1
                remaining[j].discard(row)
    for row in np.flatnonzero(fold < 0):  # rows without labels fill the folds
        m = np.flatnonzero(desired == desired.max())
        f = m[0] if len(m) == 1 else rng.choice(m)
        fold[row] = f
        desired[f] -= 1
    return fold


def fold_quality(y, fold, k):
    n, num_labels = y.shape
    y = y.astype(np.int64)
    total = y.sum(axis=0)
    sizes = np.bincount(fold, minlength=k)
    pos = np.stack([y[fold == f].sum(axis=0) for f in range(k)])  # k x L

    def odds(p, size):
        return p / np.maximum(size - p, 1)

    whole = odds(total, n)
    dev = np.abs(odds(pos, sizes[:, None]) - whole[None, :]).mean(axis=0)
    dev[total == n] = 0.0  # a label on every row: same odds everywhere
    ld = dev.mean() if num_labels else 0.0
    ed = np.abs(sizes - n / k).mean()
    occurs = total > 0
    missing = (pos[:, occurs] == 0)
    return ld, ed, int((missing.sum(axis=1) > 0).sum()), int(missing.sum())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    n, num_labels, k = (int(v) for v in open(os.path.join(a.dir, "shape.txt")).read().split())
    y = np.fromfile(os.path.join(a.dir, "y.u8"), dtype=np.uint8).reshape(n, num_labels)
    for path in sorted(glob.glob(os.path.join(a.dir, "folds_*.i32"))):
        fold = np.fromfile(path, dtype=np.int32).astype(np.int64)
        name = os.path.basename(path)[len("folds_"):-len(".i32")]
        print("QUALITY %s LD %.9g ED %.9g FZ %d FLZ %d" % ((name,) + fold_quality(y, fold, k)),
              flush=True)
    best = float("inf")
    for _ in range(a.repeat):
        rng = np.random.default_rng(a.seed)
        t0 = time.perf_counter()
        fold = iterative_stratification(y, k, rng)
        best = min(best, time.perf_counter() - t0)
    print("REFERENCE python-iterative1 SECONDS %.4f LD %.9g ED %.9g FZ %d FLZ %d NUMPY %s"
          % ((best,) + fold_quality(y, fold, k) + (np.__version__,)), flush=True)


if __name__ == "__main__":
    main()
