#!/usr/bin/env bash
# bench/partition: (1) softmax regression (the LP base learner) on yeast's label-powerset
# problem against scikit-learn's LogisticRegression(multinomial, lbfgs), same tolerances;
# (2) ML-kNN neighbour search, exact (blocked products) against hnsw and against scikit-learn's
# brute-force NearestNeighbors, over N, to find where index = "auto" should switch to hnsw.
#
#   bench/run_partition.sh [BUILD_DIR]     BUILD_DIR: a configured Release build (default: build)
#
#   PARTITION_BENCH_ROWS="5000 10000 20000 40000"   N for the neighbour runs
#   PARTITION_BENCH_DIMS=64                          D for the neighbour runs
#   LABELGRAPH_DATA                                  where yeast/yeast-train.arff is
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
rows_list=${PARTITION_BENCH_ROWS:-5000 10000 20000 40000}
dims=${PARTITION_BENCH_DIMS:-64}
data=${LABELGRAPH_DATA:-$root/../shared/datasets}
bench=$build/bench/bench_partition
py=/usr/bin/python3
ref=$root/bench/partition_reference.py

if ! log=$(cmake --build "$build" --target bench_partition -j2 2>&1); then
  echo "$log"
  exit 1
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/labelgraph-partition.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
field() { awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) { print $(i + 1); exit } }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)
echo "bench/partition, $(date -u '+%Y-%m-%d %H:%M'), $(nproc) cores, $cpu, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "softmax regression on yeast-train's label-powerset classes (C 1, tol 1e-4, max_iter 100)"
echo
ours=$("$bench" softmax "$data/yeast/yeast-train.arff" "$tmp" --threads 2)
theirs=$("$py" "$ref" softmax "$tmp")
echo "| code | seconds | iterations | objective | time ratio to sklearn |"
echo "|---|---|---|---|---|"
printf '| labelgraph (LBFGS++, float products, 2 threads) | %s | %s | %s | %s |\n' \
  "$(field SECONDS <<<"$ours")" "$(field ITERATIONS <<<"$ours")" "$(field OBJECTIVE <<<"$ours")" \
  "$(ratio "$(field SECONDS <<<"$ours")" "$(field SECONDS <<<"$theirs")")"
printf '| scikit-learn %s (scipy L-BFGS-B, float64) | %s | %s | %s | |\n' \
  "$(field VERSION <<<"$theirs")" "$(field SECONDS <<<"$theirs")" \
  "$(field ITERATIONS <<<"$theirs")" "$(field OBJECTIVE <<<"$theirs")"
echo "  $ours"
echo "  $theirs"
echo
echo "k = 10 nearest other rows of every row, N x $dims float32 (20 Gaussian clusters), 2 threads"
echo
echo "| N | exact s | hnsw build s | hnsw query s | hnsw total / exact | hnsw recall | sklearn brute s | exact / sklearn |"
echo "|---|---|---|---|---|---|---|---|"
for n in $rows_list; do
  ours=$("$bench" knn "$tmp" --rows "$n" --dims "$dims" --threads 2)
  theirs=$("$py" "$ref" knn "$tmp" "$n" "$dims")
  e=$(field EXACT_S <<<"$ours")
  b=$(field HNSW_BUILD_S <<<"$ours")
  q=$(field HNSW_QUERY_S <<<"$ours")
  s=$(field SECONDS <<<"$theirs")
  printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$n" "$e" "$b" "$q" \
    "$(ratio "$(awk -v a="$b" -v c="$q" 'BEGIN { print a + c }')" "$e")" \
    "$(field RECALL <<<"$ours")" "$s" "$(ratio "$e" "$s")"
done
