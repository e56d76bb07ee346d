#!/usr/bin/python3
"""Reference for bench/run_graph.sh: scipy's Y.T @ Y on the CSR label matrix bench_graph wrote.

Run with Debian's /usr/bin/python3 (python3-scipy):

    graph_reference.py DIR [--repeat R] [--dtype int32|float32]

DIR holds indptr.npy, indices.npy and shape.txt (bench_graph sparse DIR). The CSR matrix is
built once, with data = ones of --dtype (default int32: exact counts, like labelgraph's), and
the timed call is `Y.T @ Y` (scipy turns the transposed view into CSC and runs its sparse
matrix product; the result is a sparse L x L matrix, both triangles). Prints one line like
bench_graph: `SCIPY dtype D SECONDS <best> CPU_SECONDS <best process time> NNZ <stored>
CHECKSUM <c> PEAK_MB <maxrss>` where
CHECKSUM = sum over stored (i, j) of M_ij * ((i * 7919 + j) mod 1000003), as in bench_graph.
"""
import argparse
import os
import resource
import time

import numpy as np
import scipy
import scipy.sparse as sp


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dtype", choices=["int32", "float32"], default="int32")
    args = parser.parse_args()

    indptr = np.load(os.path.join(args.dir, "indptr.npy"))
    indices = np.load(os.path.join(args.dir, "indices.npy"))
    with open(os.path.join(args.dir, "shape.txt")) as f:
        rows, labels = (int(v) for v in f.read().split())
    data = np.ones(indices.shape[0], dtype=args.dtype)
    y = sp.csr_matrix((data, indices, indptr), shape=(rows, labels))
    y.has_sorted_indices = True

    best, best_cpu, m = float("inf"), float("inf"), None
    for _ in range(max(1, args.repeat)):
        m = None
        t0, c0 = time.perf_counter(), time.process_time()
        m = y.T @ y
        best = min(best, time.perf_counter() - t0)
        best_cpu = min(best_cpu, time.process_time() - c0)

    coo = m.tocoo()
    weight = (coo.row.astype(np.int64) * 7919 + coo.col) % 1000003
    checksum = int((coo.data.astype(np.int64) * weight).sum())
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(f"SCIPY dtype {args.dtype} SECONDS {best:.4f} CPU_SECONDS {best_cpu:.4f} NNZ {m.nnz} "
          f"CHECKSUM {checksum} PEAK_MB {peak_mb:.0f} VERSION {scipy.__version__}")


if __name__ == "__main__":
    main()
