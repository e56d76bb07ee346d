#!/usr/bin/python3
"""python3-torch side of bench/nets (run by bench/run_nets.sh with /usr/bin/python3).

  nets_reference.py DATA_ROOT --model mlp-br|mlgcn [--threads T] [--epochs E] [--batch B]
                    [--validation V] [--seed S]
  nets_reference.py --peak [--threads T] [--size N] [--repeat R]

The same network, data and training loop as labelgraph's NetModel::train (src/nets), written
the way a PyTorch user would (plain loop over index tensors, no DataLoader):
  * scene-train.arff (liac-arff, labels from the MULAN XML), features standardised with the
    training mean and population sd (constant columns divided by 1), float32;
  * encoder Linear(F, 256) -> ReLU -> Dropout(0.2);
  * mlp-br: Linear(256, L);  mlgcn: Z = A leaky_relu(A (I W1), 0.2) W2 ... exactly
    gcn.cpp's matmul(adj, matmul(input, weight)) per layer (one-hot inputs I, W1: L x 256,
    W2: 256 x 256, no bias), A = mlgcn-reference of the training labels at tau 0.4 (computed
    here in numpy as graph/weighting.cpp does), logits = f Z^T; Z recomputed every step;
  * BCEWithLogitsLoss (mean), Adam(lr 1e-3, weight_decay 1e-4) with two parameter groups
    (base, GCN) as make_optimizer, clip_grad_norm_(10), batch 64, rows shuffled each epoch;
  * --validation V > 0: V of the rows held out at random; every epoch the held-out forward,
    loss, sigmoid and mAP (mean over labels with a positive of the average precision).
Timed per epoch as NetModel::train times record.seconds (shuffle to the end of validation).
Lines:
  RESULT side python model M threads T epochs E validation V median_epoch_ms X total_s Y
         first_epoch_ms W final_loss L
  PEAK threads T size N gflops G seconds S      (best of R N x N float32 torch.mm)
  VERSION v
"""
import sys
import time

import numpy as np
import torch
import torch.nn.functional as Fn


def read_train(root, name="scene"):
    # Imported here: images_reference.py (bench/run_gpu.sh) uses this file's mlgcn_reference on
    # machines without liac-arff.
    from mulan_arff import read
    return read(root, name, "train")


def standardise(x):
    n = x.shape[0]
    mean = x.mean(axis=0)
    var = x.var(axis=0)  # population
    eps = np.finfo(np.float64).eps
    constant = var <= n * eps * var + (n * mean * eps) ** 2  # standardize.cpp's bound
    sd = np.where(constant, 1.0, np.sqrt(var))
    return ((x - mean) / sd).astype(np.float32)


def mlgcn_reference(y, tau=0.4):
    """graph/weighting.cpp mlgcn_reference: the authors' numpy recipe, in double."""
    y = y.astype(np.float64)
    counts = y.T @ y
    n_i = np.diag(counts).copy()
    a = np.zeros_like(counts)
    for i in range(len(n_i)):
        if n_i[i] <= 0:
            continue
        for j in range(len(n_i)):
            if j != i and counts[i, j] > 0 and counts[i, j] / n_i[i] >= tau:
                a[i, j] = 1.0
    a = a * 0.25 / (a.sum(0, keepdims=True) + 1e-6) + np.identity(len(n_i))
    d = np.power(a.sum(1), -0.5)
    return (a.T * d[:, None] * d[None, :]).astype(np.float32)


class Net(torch.nn.Module):
    def __init__(self, features, labels, gcn_adj, hidden=256, gcn_hidden=256, dropout=0.2):
        super().__init__()
        self.enc1 = torch.nn.Linear(features, hidden)
        self.dropout = dropout
        self.gcn = gcn_adj is not None
        if self.gcn:
            bound1, bound2 = 1 / gcn_hidden ** 0.5, 1 / hidden ** 0.5  # gcn.cpp: 1/sqrt(out)
            self.w1 = torch.nn.Parameter(torch.empty(labels, gcn_hidden).uniform_(-bound1, bound1))
            self.w2 = torch.nn.Parameter(torch.empty(gcn_hidden, hidden).uniform_(-bound2, bound2))
            self.register_buffer("inputs", torch.eye(labels))
            self.register_buffer("adj", torch.from_numpy(gcn_adj))
        else:
            self.head = torch.nn.Linear(hidden, labels)

    def base_parameters(self):
        return list(self.enc1.parameters()) + ([] if self.gcn else list(self.head.parameters()))

    def gcn_parameters(self):
        return [self.w1, self.w2] if self.gcn else []

    def forward(self, x):
        f = Fn.dropout(torch.relu(self.enc1(x)), self.dropout, self.training)
        if not self.gcn:
            return self.head(f)
        h = torch.matmul(self.adj, torch.matmul(self.inputs, self.w1))
        h = Fn.leaky_relu(h, 0.2)
        z = torch.matmul(self.adj, torch.matmul(h, self.w2))
        return torch.matmul(f, z.t())


def mean_average_precision(y, s):
    """mean over labels with a positive of sklearn's average_precision_score (ties grouped)."""
    aps = []
    for j in range(y.shape[1]):
        t = y[:, j]
        if t.sum() == 0:
            continue
        order = np.argsort(-s[:, j], kind="mergesort")
        ss, tt = s[order, j], t[order]
        tp = np.cumsum(tt)
        last = np.r_[np.where(np.diff(ss))[0], len(ss) - 1]  # end of each tie group
        precision = tp[last] / (last + 1)
        recall = tp[last] / tp[-1]
        aps.append(np.sum(np.diff(np.r_[0, recall]) * precision))
    return float(np.mean(aps))


def train(root, model, threads, epochs, batch, validation, seed):
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    x_all, y_all = read_train(root)
    x_all = standardise(x_all)  # labelgraph standardises with all training rows too
    adj = mlgcn_reference(y_all) if model == "mlgcn" else None
    fit, held = np.arange(len(x_all)), np.array([], dtype=np.int64)
    if validation > 0:
        perm = rng.permutation(len(x_all))
        cut = int(round(validation * len(x_all)))
        held, fit = np.sort(perm[:cut]), np.sort(perm[cut:])
    x = torch.from_numpy(x_all[fit])
    y = torch.from_numpy(y_all[fit].astype(np.float32))
    xv = torch.from_numpy(x_all[held])
    yv = torch.from_numpy(y_all[held].astype(np.float32))
    yv_np = y_all[held]

    net = Net(x.shape[1], y.shape[1], adj)
    groups = [{"params": net.base_parameters()}]
    if net.gcn:
        groups.append({"params": net.gcn_parameters()})
    opt = torch.optim.Adam(groups, lr=1e-3, weight_decay=1e-4)
    params = list(net.parameters())
    loss_fn = torch.nn.BCEWithLogitsLoss()
    n = x.shape[0]
    gen = torch.Generator().manual_seed(seed)
    times, loss_epoch = [], float("nan")
    for _ in range(epochs):
        start = time.perf_counter()
        order = torch.randperm(n, generator=gen)
        net.train()
        loss_sum = 0.0
        for first in range(0, n, batch):
            rows = order[first:first + batch]
            xb = x.index_select(0, rows)
            yb = y.index_select(0, rows)
            opt.zero_grad(set_to_none=True)  # as labelgraph (and PyTorch 2) do
            loss = loss_fn(net(xb), yb)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 10.0)
            opt.step()
            loss_sum += loss.item() * rows.shape[0]
        loss_epoch = loss_sum / n
        if len(held):
            with torch.no_grad():
                net.eval()
                logits = net(xv)
                loss_fn(logits, yv).item()
                mean_average_precision(yv_np, torch.sigmoid(logits).numpy())
        times.append(time.perf_counter() - start)
    tail = times[1:] if len(times) > 1 else times
    print(f"RESULT side python model {model} threads {threads} epochs {epochs} validation "
          f"{validation:g} median_epoch_ms {1e3 * float(np.median(tail)):.3f} total_s "
          f"{sum(times):.4f} first_epoch_ms {1e3 * times[0]:.3f} final_loss {loss_epoch:.6f}")


def peak(threads, size, repeat):
    torch.set_num_threads(threads)
    a = torch.randn(size, size)
    b = torch.randn(size, size)
    torch.mm(a, b)  # warm-up: thread pool, page faults
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        torch.mm(a, b)
        best = min(best, time.perf_counter() - t0)
    print(f"PEAK threads {threads} size {size} gflops {2 * size ** 3 / best / 1e9:.2f} "
          f"seconds {best:.4f}")


def main():
    args = sys.argv[1:]
    opts = {"--model": "mlgcn", "--threads": "1", "--epochs": "30", "--batch": "64",
            "--validation": "0", "--seed": "1", "--size": "2048", "--repeat": "5"}
    root, do_peak = None, False
    while args:
        a = args.pop(0)
        if a == "--peak":
            do_peak = True
        elif a in opts and args:
            opts[a] = args.pop(0)
        else:
            root = a
    print(f"VERSION {torch.__version__}")
    if do_peak:
        peak(int(opts["--threads"]), int(opts["--size"]), int(opts["--repeat"]))
        return
    train(root, opts["--model"], int(opts["--threads"]), int(opts["--epochs"]),
          int(opts["--batch"]), float(opts["--validation"]), int(opts["--seed"]))


if __name__ == "__main__":
    main()
