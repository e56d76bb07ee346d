#!/usr/bin/env bash
# bench/eval: labelgraph's whole measure suite (lg::eval::evaluate) against scikit-learn's
# functions for the same measures, on the same arrays, in the same run, with the ratio.
#
#   bench/run_eval.sh [BUILD_DIR]    BUILD_DIR: a configured Release build (default: build)
#
#   EVAL_BENCH_ROWS=100000     rows of the generated matrices
#   EVAL_BENCH_LABELS=1000     labels
#   EVAL_BENCH_REPEAT=3        labelgraph: best of this many runs
#   EVAL_BENCH_REF_REPEAT=1    scikit-learn: best of this many runs (one takes many minutes)
#
# The generated .npy files (500 MB at the default size) go to a temporary folder that is
# deleted on exit. scikit-learn runs with Debian's /usr/bin/python3.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
rows=${EVAL_BENCH_ROWS:-100000}
labels=${EVAL_BENCH_LABELS:-1000}
repeat=${EVAL_BENCH_REPEAT:-3}
ref_repeat=${EVAL_BENCH_REF_REPEAT:-1}
bench=$build/bench/bench_eval
py=/usr/bin/python3
ref=$root/bench/eval_reference.py

if ! log=$(cmake --build "$build" --target bench_eval -j2 2>&1); then
  echo "$log"
  exit 1
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/labelgraph-eval.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

echo "bench/eval, $(date -u '+%Y-%m-%d %H:%M'), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "generating ${rows} x ${labels} truth and scores in $tmp ..."
"$bench" gen "$tmp" "$rows" "$labels"

field() { awk -v k="$1" '$1 == "SECONDS" { for (i = 1; i < NF; i += 2) if ($i == k) print $(i + 1) }'; }

echo "labelgraph, all cores ..."
ours=$("$bench" time "$tmp" --repeat "$repeat")
echo "labelgraph, 1 thread ..."
ours1=$("$bench" time "$tmp" --repeat "$repeat" --threads 1)
echo "scikit-learn (minutes) ..."
theirs=$("$py" "$ref" "$tmp" --repeat "$ref_repeat")
echo "load after the run: $(cut -d' ' -f1-3 /proc/loadavg)"

sk=$(field SECONDS <<<"$theirs")
sk_cpu=$(field CPU_SECONDS <<<"$theirs")
row() {  # NAME LINE
  local s c
  s=$(field SECONDS <<<"$2")
  c=$(field CPU_SECONDS <<<"$2")
  printf '| %s | %s | %s | %s | %s |\n' "$1" "$s" "$c" \
    "$(awk -v a="$s" -v b="$sk" 'BEGIN { printf "%.4f", a / b }')" \
    "$(awk -v a="$c" -v b="$sk_cpu" 'BEGIN { printf "%.4f", a / b }')"
}

echo
echo "| ${rows} x ${labels} | seconds | CPU seconds | time / sklearn's | CPU / sklearn's |"
echo "|---|---|---|---|---|"
row "labelgraph evaluate(), $(field THREADS <<<"$ours") threads" "$ours"
row "labelgraph evaluate(), 1 thread" "$ours1"
printf '| scikit-learn 1.2 (sum of the calls below) | %s | %s | 1 | 1 |\n' "$sk" "$sk_cpu"
echo
echo "thresholding at 0.5: labelgraph $(field THRESHOLD_SECONDS <<<"$ours") s, NumPy $(field THRESHOLD_SECONDS <<<"$theirs") s (not in the figures above)"
echo "extras (NumPy, not in the ratio): $(field EXTRAS_SECONDS <<<"$theirs") s"
echo
echo "per call (best of $ref_repeat):"
grep '^TIME' <<<"$theirs" | sed 's/^TIME /  /'
echo
echo "values: labelgraph vs reference (largest absolute difference last)"
join <(grep '^VALUE' <<<"$ours" | awk '{ print $2, $3 }' | sort) \
     <(grep '^VALUE' <<<"$theirs" | awk '{ print $2, $3 }' | sort) |
  awk '{ d = $2 - $3; if (d < 0) d = -d; printf "  %-20s %.12g %.12g %.3g\n", $1, $2, $3, d }' | sort -g -k4
