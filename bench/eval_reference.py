#!/usr/bin/python3
"""Reference for bench/run_eval.sh: scikit-learn 1.2's functions for labelgraph's measures.

Run with Debian's /usr/bin/python3 (python3-sklearn):

    eval_reference.py DIR [--repeat R] [--no-extras]

DIR holds truth.npy (uint8, N x L) and scores.npy (float32, N x L) from `bench_eval gen`.
Predictions are scores >= 0.5 (timed apart, like bench_eval's THRESHOLD_SECONDS). Times, best
of R runs each (default 1: the suite takes minutes):

  sklearn: hamming_loss, accuracy_score, jaccard_score(average='samples'),
    precision_recall_fscore_support for average='samples', 'micro', 'macro' (each gives P, R
    and F1 in one call), coverage_error, label_ranking_loss,
    label_ranking_average_precision_score, average_precision_score(average=None) and
    roc_auc_score(average=None) on the labels with a positive (and a negative for AUC; both
    raise or warn otherwise), roc_auc_score(average='micro').
  extras (measures scikit-learn lacks, in NumPy; not in the ratio): ML-GCN's own evaluation()
    for CP..OF1 and its top-3 variant, one-error, ML-GCN's AP vectorised.

Prints `SECONDS <sklearn total> CPU_SECONDS <its CPU time> EXTRAS_SECONDS <extras total>
THRESHOLD_SECONDS <t>`, one
`TIME <function> <seconds>` line per call and one `VALUE <name> <value>` line per measure
(names as labelgraph's, for run_eval.sh to compare).
"""
import argparse
import gc
import os
import time
import warnings

import numpy as np
from sklearn import metrics


def best_of(repeat, fn):
    """(wall seconds, CPU seconds) of the fastest of `repeat` runs, and fn's value."""
    best, cpu, value = float("inf"), float("inf"), None
    for _ in range(repeat):
        gc.collect()
        start, start_cpu = time.perf_counter(), time.process_time()
        value = fn()
        wall = time.perf_counter() - start
        if wall < best:
            best, cpu = wall, time.process_time() - start_cpu
    return (best, cpu), value


def mlgcn_evaluation(positive, targets):
    """ML-GCN util.py evaluation(), its `scores >= 0` given as `positive`."""
    n, n_class = positive.shape
    Nc, Np, Ng = np.zeros(n_class), np.zeros(n_class), np.zeros(n_class)
    for k in range(n_class):
        Ng[k] = np.sum(targets[:, k] == 1)
        Np[k] = np.sum(positive[:, k])
        Nc[k] = np.sum(targets[:, k] * positive[:, k])
    Np[Np == 0] = 1
    OP = np.sum(Nc) / np.sum(Np)
    OR = np.sum(Nc) / np.sum(Ng)
    OF1 = (2 * OP * OR) / (OP + OR)
    CP = np.sum(Nc / Np) / n_class
    CR = np.sum(Nc / Ng) / n_class
    CF1 = (2 * CP * CR) / (CP + CR)
    return dict(OP=OP, OR=OR, OF1=OF1, CP=CP, CR=CR, CF1=CF1)


def mlgcn_top3(scores, truth):
    """overall_topk(3) without its per-row Python loop: a stable top 3 per row."""
    top = np.argsort(-scores, axis=1, kind="stable")[:, :3]
    rows = np.arange(scores.shape[0])[:, None]
    positive = np.zeros(scores.shape, dtype=np.uint8)
    positive[rows, top] = scores[rows, top] >= 0.5
    return {k + "_top3": v for k, v in mlgcn_evaluation(positive, truth).items()}


def mlgcn_map(scores, truth, keep):
    """ML-GCN's average_precision() per label, vectorised (its loop is per element)."""
    aps = []
    for l in keep:
        order = np.argsort(-scores[:, l], kind="stable")
        y = truth[order, l].astype(np.float64)
        hits = np.cumsum(y)
        aps.append(np.sum(y * hits / np.arange(1, len(y) + 1)) / hits[-1])
    return float(np.mean(aps))


def one_error(scores, truth):
    """MULAN's one-error: the top label, ties to the highest index, is not relevant."""
    top = scores.shape[1] - 1 - np.argmax(scores[:, ::-1], axis=1)
    return float(np.mean(truth[np.arange(len(truth)), top] == 0))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--no-extras", action="store_true")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    Y = np.load(os.path.join(args.dir, "truth.npy"))
    S = np.load(os.path.join(args.dir, "scores.npy"))
    (threshold_seconds, _), P = best_of(args.repeat, lambda: (S >= 0.5).astype(np.uint8))

    times, cpu_times, values = {}, {}, {}

    def timed(name, fn):
        (times[name], cpu_times[name]), value = best_of(args.repeat, fn)
        return value

    values["hamming_loss"] = timed("hamming_loss", lambda: metrics.hamming_loss(Y, P))
    values["subset_accuracy"] = timed("accuracy_score", lambda: metrics.accuracy_score(Y, P))
    values["accuracy"] = timed("jaccard_score(samples)", lambda: metrics.jaccard_score(
        Y, P, average="samples", zero_division=0))
    for avg, prefix in (("samples", "example"), ("micro", "micro"), ("macro", "macro")):
        p, r, f, _ = timed(f"precision_recall_fscore_support({avg})",
                           lambda: metrics.precision_recall_fscore_support(
                               Y, P, average=avg, zero_division=0))
        values[prefix + "_precision"], values[prefix + "_recall"], values[prefix + "_f1"] = p, r, f
    values["coverage"] = timed("coverage_error", lambda: metrics.coverage_error(Y, S)) - 1
    values["ranking_loss"] = timed("label_ranking_loss", lambda: metrics.label_ranking_loss(Y, S))
    values["lrap"] = timed("label_ranking_average_precision_score",
                           lambda: metrics.label_ranking_average_precision_score(Y, S))
    counts = Y.sum(axis=0)
    keep = np.where(counts > 0)[0]
    keep_auc = np.where((counts > 0) & (counts < Y.shape[0]))[0]

    def per_label_ap():
        # the column selection is part of calling it on labels with a positive
        return metrics.average_precision_score(Y[:, keep], S[:, keep], average=None)

    def per_label_auc():
        return metrics.roc_auc_score(Y[:, keep_auc], S[:, keep_auc], average=None)

    values["mAP"] = float(np.mean(timed("average_precision_score(None)", per_label_ap)))
    values["macro_auc"] = float(np.mean(timed("roc_auc_score(None)", per_label_auc)))
    values["micro_auc"] = timed("roc_auc_score(micro)",
                                lambda: metrics.roc_auc_score(Y, S, average="micro"))
    total, total_cpu = sum(times.values()), sum(cpu_times.values())

    extras = {}
    if not args.no_extras:
        def extra(name, fn):
            (extras[name], _), value = best_of(args.repeat, fn)
            return value
        values.update(extra("ML-GCN evaluation()", lambda: mlgcn_evaluation(S >= 0.5, Y)))
        values.update(extra("ML-GCN top-3 (vectorised)", lambda: mlgcn_top3(S, Y)))
        values["one_error"] = extra("one_error (NumPy)", lambda: one_error(S, Y))
        values["mAP_mlgcn"] = extra("ML-GCN AP (vectorised)", lambda: mlgcn_map(S, Y, keep))

    print(f"SECONDS {total:.4f} CPU_SECONDS {total_cpu:.4f} "
          f"EXTRAS_SECONDS {sum(extras.values()):.4f} THRESHOLD_SECONDS {threshold_seconds:.4f}")
    for name, seconds in list(times.items()) + [(k + " [extra]", v) for k, v in extras.items()]:
        print(f"TIME {name.replace(' ', '_')} {seconds:.4f}")
    for name, value in values.items():
        print(f"VALUE {name} {float(value):.17g}")


if __name__ == "__main__":
    main()
