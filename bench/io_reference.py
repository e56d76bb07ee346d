#!/usr/bin/python3
"""Reference readers for bench/run_io.sh: liac-arff and scikit-learn's load_svmlight_file.

Run with Debian's /usr/bin/python3 (python3-liac-arff, python3-sklearn):

    io_reference.py arff FILE [--repeat R]     arff.load(open(FILE)): the default dense return
                                               type, or COO (liac's fastest) for sparse rows
    io_reference.py libsvm FILE [--repeat R]   load_svmlight_file(FILE, multilabel=True)

Prints one line like bench_io: `MBPS <best MB/s> BYTES <n> SECONDS <best> ROWS <n>`
(MB = 10^6 bytes; best of R runs, the file is in the page cache after the first).
"""
import argparse
import gc
import os
import time

import arff
from sklearn.datasets import load_svmlight_file


def has_sparse_rows(path: str) -> bool:
    """True if the first data row is sparse (`{...}`)."""
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip().lower().startswith("@data"):
                break
        for line in f:
            text = line.strip()
            if text and not text.startswith("%"):
                return text.startswith("{")
    return False


def read_arff(path: str, return_type: int) -> int:
    with open(path, encoding="utf-8") as f:
        data = arff.load(f, return_type=return_type)["data"]
    return len(data) if return_type == arff.DENSE else max(data[1], default=-1) + 1


def read_libsvm(path: str) -> int:
    x, _ = load_svmlight_file(path, multilabel=True)
    return x.shape[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("format", choices=["arff", "libsvm"])
    parser.add_argument("file")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if args.format == "arff":
        # liac's dense return expands a sparse file into Python lists of every value (Imdb:
        # 120k x 1029, some 20x slower than COO); for sparse rows we time COO, its fastest.
        return_type = arff.COO if has_sparse_rows(args.file) else arff.DENSE
        read = lambda path: read_arff(path, return_type)  # noqa: E731
    else:
        read = read_libsvm
    best, rows = float("inf"), 0
    for _ in range(max(1, args.repeat)):
        gc.collect()  # free the previous result outside the timed region
        start = time.perf_counter()
        rows = read(args.file)
        best = min(best, time.perf_counter() - start)
    size = os.path.getsize(args.file)
    print(f"MBPS {size / 1e6 / best:.1f} BYTES {size} SECONDS {best:.4f} ROWS {rows}")


if __name__ == "__main__":
    main()
