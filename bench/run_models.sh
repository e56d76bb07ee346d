#!/usr/bin/env bash
# bench/models: fit + predict of br, cc and lp (when registered) on the MULAN train/test
# splits of scene and yeast, labelgraph against scikit-learn with the same base learner and
# tolerance (LogisticRegression lbfgs, C 1, tol 1e-4, max_iter 100), in the same run, with
# the time ratio and both Hamming losses.
#
#   bench/run_models.sh [BUILD_DIR]     BUILD_DIR: a configured Release build (default: build)
#
#   MODELS_BENCH_SETS="scene yeast"     data sets (NAME/NAME-train.arff under LABELGRAPH_DATA)
#   MODELS_BENCH_MODELS=br,cc,lp        models
#   MODELS_BENCH_REPEAT=3               best of this many runs, both sides
#   LABELGRAPH_DATA                     default ../shared/datasets beside the checkout
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
sets=${MODELS_BENCH_SETS:-scene yeast}
models=${MODELS_BENCH_MODELS:-br,cc,lp}
repeat=${MODELS_BENCH_REPEAT:-3}
data=${LABELGRAPH_DATA:-$root/../shared/datasets}
bench=$build/bench/bench_models
py=/usr/bin/python3

if ! log=$(cmake --build "$build" --target bench_models -j2 2>&1); then
  echo "$log"
  exit 1
fi
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)
echo "bench/models, $(date -u '+%Y-%m-%d %H:%M'), $(nproc) cores, $cpu, load $(cut -d' ' -f1-3 /proc/loadavg)"
# shellcheck disable=SC2086
ours=$("$bench" "$data" $sets --models "$models" --repeat "$repeat" --threads 2)
ours1=$("$bench" "$data" $sets --models "$models" --repeat "$repeat" --threads 1)
# shellcheck disable=SC2086
theirs_default=$("$py" "$root/bench/models_reference.py" "$data" $sets --models "$models" \
  --repeat "$repeat")
# OpenBLAS's spinning worker threads cost scikit-learn time on a busy 2-core machine: run it
# again with one BLAS thread and compare against the faster of the two, row by row.
# shellcheck disable=SC2086
theirs_one=$(OPENBLAS_NUM_THREADS=1 "$py" "$root/bench/models_reference.py" "$data" $sets \
  --models "$models" --repeat "$repeat")
echo "load after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
grep '^MISSING' <<<"$ours" | sed 's/^/  /' || true

# the faster scikit-learn line (by total_s) of each data set and model
theirs=$(awk '$1 == "VERSION" && !v { print; v = 1 }
  $1 == "RESULT" { key = $3 " " $5; for (i = 1; i < NF; i++) if ($i == "total_s") t = $(i + 1)
    if (!(key in best) || t < best[key]) { best[key] = t; line[key] = $0 } }
  END { for (k in line) print line[k] }' <<<"$theirs_default"$'\n'"$theirs_one")

get() {  # LINES DATA MODEL FIELD
  awk -v d="$2" -v m="$3" -v k="$4" '$1 == "RESULT" && $3 == d && $5 == m {
    for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }' <<<"$1"
}
echo
echo "wall seconds (best of $repeat, fit + predict); ratio = labelgraph / scikit-learn (the faster"
echo "of its runs with default and with one OpenBLAS thread)"
echo
echo "| data | model | labelgraph 2 threads | 1 thread | scikit-learn $(awk '$1 == "VERSION" { print $2 }' <<<"$theirs") | ratio 2 thr | ratio 1 thr | CPU s labelgraph 1 thr | CPU s sklearn | CPU ratio | Hamming labelgraph | Hamming sklearn |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
for d in $sets; do
  for m in ${models//,/ }; do
    a=$(get "$ours" "$d" "$m" total_s)
    [ -n "$a" ] || continue
    a1=$(get "$ours1" "$d" "$m" total_s)
    b=$(get "$theirs" "$d" "$m" total_s)
    c1=$(get "$ours1" "$d" "$m" cpu_s)
    cb=$(get "$theirs" "$d" "$m" cpu_s)
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$d" "$m" "$a" "$a1" \
      "$b" "$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", a / b }')" \
      "$(awk -v a="$a1" -v b="$b" 'BEGIN { printf "%.3f", a / b }')" "$c1" "$cb" \
      "$(awk -v a="$c1" -v b="$cb" 'BEGIN { printf "%.3f", a / b }')" \
      "$(get "$ours" "$d" "$m" hamming)" "$(get "$theirs" "$d" "$m" hamming)"
  done
done
echo
echo "raw:"
echo "  labelgraph, 2 threads:"
sed 's/^/    /' <<<"$ours"
echo "  labelgraph, 1 thread:"
sed 's/^/    /' <<<"$ours1"
echo "  scikit-learn, OpenBLAS default threads:"
sed 's/^/    /' <<<"$theirs_default"
echo "  scikit-learn, OPENBLAS_NUM_THREADS=1:"
sed 's/^/    /' <<<"$theirs_one"
