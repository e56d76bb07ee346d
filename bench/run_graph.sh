#!/usr/bin/env bash
# bench/graph: co-occurrence counting M = Y^T Y of a generated 1M x 10k sparse label matrix
# (~5 labels per row, power-law label frequencies), labelgraph against scipy's Y.T @ Y on the
# same CSR, in the same run, as a table with ratios (target: labelgraph <= 0.3x scipy's time).
#
#   bench/run_graph.sh [BUILD_DIR]    BUILD_DIR: a configured Release build (default: build)
#
#   GRAPH_BENCH_ROWS=1000000 GRAPH_BENCH_LABELS=10000 GRAPH_BENCH_PER_ROW=5   the matrix
#   GRAPH_BENCH_REPEAT=3     best of this many runs per measurement
#   GRAPH_BENCH_DENSE=1      also time the dense overload's kernels (bench_graph dense)
#
# The generated matrix goes to a temporary folder that is deleted on exit.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
rows=${GRAPH_BENCH_ROWS:-1000000}
labels=${GRAPH_BENCH_LABELS:-10000}
per_row=${GRAPH_BENCH_PER_ROW:-5}
repeat=${GRAPH_BENCH_REPEAT:-3}
bench=$build/bench/bench_graph
py=/usr/bin/python3
ref=$root/bench/graph_reference.py

if ! log=$(cmake --build "$build" --target bench_graph -j2 2>&1); then
  echo "$log"
  exit 1
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/labelgraph-graph.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)
echo "bench/graph, $(date -u '+%Y-%m-%d %H:%M'), $(nproc) cores, $cpu, load $(cut -d' ' -f1-3 /proc/loadavg)"
ours=$("$bench" sparse "$tmp/y" --rows "$rows" --labels "$labels" --per-row "$per_row" \
  --repeat "$repeat" 2>"$tmp/log")
cat "$tmp/log"
scipy_int=$("$py" "$ref" "$tmp/y" --repeat "$repeat" --dtype int32)
scipy_float=$("$py" "$ref" "$tmp/y" --repeat "$repeat" --dtype float32)

field() { awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) { print $(i + 1); exit } }'; }
ref_nnz=$(field NNZ <<<"$scipy_int")
ref_sum=$(field CHECKSUM <<<"$scipy_int")
ref_s=$(field SECONDS <<<"$scipy_int")
ref_cpu=$(field CPU_SECONDS <<<"$scipy_int")

echo
echo "Y: $rows x $labels, ~$per_row labels per row (power law); M = Y^T Y, both triangles"
echo
echo "| code | threads | seconds | CPU seconds | peak RSS MB | ratio to scipy int32 (wall / CPU) |"
echo "|---|---|---|---|---|---|"
while read -r line; do
  s=$(field SECONDS <<<"$line")
  cpu_s=$(field CPU_SECONDS <<<"$line")
  if [[ $(field NNZ <<<"$line") != "$ref_nnz" || $(field CHECKSUM <<<"$line") != "$ref_sum" ]]; then
    echo "MISMATCH with scipy: $line / $scipy_int" >&2
    exit 1
  fi
  printf '| labelgraph count_cooccurrence | %s | %s | %s | %s | %.2fx / %.2fx |\n' \
    "$(field threads <<<"$line")" "$s" "$cpu_s" "$(field PEAK_MB <<<"$line")" \
    "$(awk -v a="$s" -v b="$ref_s" 'BEGIN { print a / b }')" \
    "$(awk -v a="$cpu_s" -v b="$ref_cpu" 'BEGIN { print a / b }')"
done <<<"$ours"
for line in "$scipy_int" "$scipy_float"; do
  printf '| scipy %s Y.T @ Y (%s) | 1 | %s | %s | %s | |\n' "$(field VERSION <<<"$line")" \
    "$(field dtype <<<"$line")" "$(field SECONDS <<<"$line")" "$(field CPU_SECONDS <<<"$line")" \
    "$(field PEAK_MB <<<"$line")"
done
echo
echo "best of $repeat runs each; stored pairs $ref_nnz, checksums equal; raw lines:"
printf '%s\n' "$ours" "$scipy_int" "$scipy_float" | sed 's/^/  /'

if [[ ${GRAPH_BENCH_DENSE:-0} == 1 ]]; then
  echo
  echo "dense overload (LabelMatrix), best of $repeat:"
  "$bench" dense --repeat "$repeat" 2>&1 | sed 's/^/  /'
fi
