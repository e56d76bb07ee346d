#!/usr/bin/python3
"""scikit-learn side of bench/models (run by bench/run_models.sh with /usr/bin/python3).

  models_reference.py DATA_ROOT NAME... [--models br,cc,lp] [--repeat R]

Same protocol as bench_models: NAME-train.arff / NAME-test.arff (liac-arff, labels from the
MULAN XML), StandardScaler fitted on train (not timed); per model the best of R runs of
fit + predict, wall clock and process CPU time (time.process_time: all threads, OpenBLAS's
included), and the test Hamming loss at 0.5:
  br  MultiOutputClassifier(LogisticRegression(lbfgs, C=1, tol=1e-4, max_iter=100))
  cc  ClassifierChain(the same, order=None), predict()
  lp  LogisticRegression(multinomial, lbfgs, same settings) on the distinct training label
      sets; scores = marginals P(label) = sum of the class probabilities of the sets holding
      it (labelgraph's lp), thresholded at 0.5
Lines: `RESULT data NAME model M fit_s F predict_s P total_s T cpu_s C hamming H` (lp: then
`n_iter I`, the L-BFGS iterations) and `VERSION v`.
"""
import sys
import time
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.multioutput import ClassifierChain, MultiOutputClassifier
from sklearn.preprocessing import StandardScaler

from mulan_arff import read


def learner(**kw):
    return LogisticRegression(solver="lbfgs", C=1.0, tol=1e-4, max_iter=100, **kw)


class LabelPowerset:
    def fit(self, x, y):
        self.sets, cls = np.unique(y, axis=0, return_inverse=True)
        self.model = learner(multi_class="multinomial").fit(x, cls)
        return self

    def predict(self, x):
        marginals = self.model.predict_proba(x) @ self.sets[self.model.classes_]
        return (marginals > 0.5).astype(np.int64)


MODELS = {
    "br": lambda: MultiOutputClassifier(learner()),
    "cc": lambda: ClassifierChain(learner(), order=None),
    "lp": LabelPowerset,
}


def main():
    args = sys.argv[1:]
    models, repeat, names = ["br", "cc", "lp"], 3, []
    root = args.pop(0)
    while args:
        a = args.pop(0)
        if a == "--models":
            models = args.pop(0).split(",")
        elif a == "--repeat":
            repeat = int(args.pop(0))
        else:
            names.append(a)
    print(f"VERSION {sklearn.__version__}")
    warnings.simplefilter("ignore", ConvergenceWarning)
    for name in names:
        xtr, ytr = read(root, name, "train")
        xte, yte = read(root, name, "test")
        scaler = StandardScaler().fit(xtr)
        xtr, xte = scaler.transform(xtr), scaler.transform(xte)
        for model in models:
            best = [1e300, 1e300, 1e300, 1e300]
            solver = ""
            for _ in range(repeat):
                m = MODELS[model]()
                c0 = time.process_time()
                t0 = time.perf_counter()
                m.fit(xtr, ytr)
                t1 = time.perf_counter()
                pred = m.predict(xte)
                t2 = time.perf_counter()
                cpu = time.process_time() - c0
                best = [min(best[0], t1 - t0), min(best[1], t2 - t1), min(best[2], t2 - t0),
                        min(best[3], cpu)]
                hamming = float(np.mean(pred != yte))
                if model == "lp":
                    solver = f" n_iter {m.model.n_iter_[0]}"
            print(f"RESULT data {name} model {model} fit_s {best[0]:.5f} predict_s {best[1]:.5f} "
                  f"total_s {best[2]:.5f} cpu_s {best[3]:.5f} hamming {hamming:.6f}{solver}",
                  flush=True)


if __name__ == "__main__":
    main()
