#!/usr/bin/env bash
# bench/io: read throughput of labelgraph's ARFF and LIBSVM readers against liac-arff and
# scikit-learn's load_svmlight_file, in the same run, as a table with ratios.
#
#   bench/run_io.sh [BUILD_DIR]      BUILD_DIR: a configured Release build (default: build)
#
#   LABELGRAPH_DATA       the shared data sets (default ../shared/datasets from the project root)
#   IO_BENCH_MB=200       size of the generated dense ARFF and LIBSVM files
#   IO_BENCH_PREFIX_MB=20 liac-arff reads this prefix of the generated ARFF (it is slow)
#   IO_BENCH_REPEAT=3     best of this many runs per measurement
#
# The generated files go to a temporary folder that is deleted on exit.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
data=${LABELGRAPH_DATA:-$root/../shared/datasets}
mb=${IO_BENCH_MB:-200}
prefix_mb=${IO_BENCH_PREFIX_MB:-20}
repeat=${IO_BENCH_REPEAT:-3}
bench=$build/bench/bench_io
py=/usr/bin/python3
ref=$root/bench/io_reference.py

if ! log=$(cmake --build "$build" --target bench_io -j2 2>&1); then
  echo "$log"
  exit 1
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/labelgraph-io.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

echo "bench/io, $(date -u +%Y-%m-%d), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "generating ${mb} MB LIBSVM and dense ARFF files in $tmp ..."
"$bench" gen-libsvm "$tmp/gen.svm" "$mb"
"$bench" gen-arff "$tmp/gen.arff" "$mb"
"$bench" prefix "$tmp/gen.arff" "$tmp/gen-prefix.arff" "$prefix_mb"

ours() { "$bench" read "$@" --repeat "$repeat"; }
theirs() { "$py" "$ref" "$@" --repeat "$repeat"; }
field() { awk -v k="$1" '{ for (i = 1; i < NF; i += 2) if ($i == k) print $(i + 1) }'; }

table=()
details=()
# row NAME OUR_LINE REFERENCE REF_LINE TARGET
row() {
  local ours_mbps ref_mbps ratio size
  ours_mbps=$(field MBPS <<<"$2")
  ref_mbps=$(field MBPS <<<"$4")
  size=$(field BYTES <<<"$2" | awk '{ printf "%.1f", $1 / 1e6 }')
  ratio=$(awk -v a="$ours_mbps" -v b="$ref_mbps" 'BEGIN { printf "%.1f", a / b }')
  table+=("| $1 | $size | $ours_mbps | $3 | $ref_mbps | ${ratio}x | $5 |")
  details+=("$1: labelgraph $2" "$1: $3 $4")
}

imdb=$data/meka/Imdb.arff
if [[ -f $imdb ]]; then
  row "meka/Imdb.arff (sparse)" "$(ours arff "$imdb")" "liac-arff" "$(theirs arff "$imdb")" ">= 20x"
else
  echo "skipping Imdb: $imdb not found (set LABELGRAPH_DATA)"
fi
liac_prefix=$(theirs arff "$tmp/gen-prefix.arff")
row "generated dense ARFF, ${mb} MB (liac: first ${prefix_mb} MB)" "$(ours arff "$tmp/gen.arff")" \
  "liac-arff" "$liac_prefix" ">= 20x"
row "generated dense ARFF, first ${prefix_mb} MB (both)" "$(ours arff "$tmp/gen-prefix.arff")" \
  "liac-arff" "$liac_prefix" ">= 20x"
sklearn=$(theirs libsvm "$tmp/gen.svm")
row "generated LIBSVM, ${mb} MB, $(nproc) threads" "$(ours libsvm "$tmp/gen.svm")" \
  "sklearn load_svmlight_file" "$sklearn" ">= 1.5x"
row "generated LIBSVM, ${mb} MB, 1 thread" "$(ours libsvm "$tmp/gen.svm" --threads 1)" \
  "sklearn load_svmlight_file" "$sklearn" ">= 1.5x"

echo
echo "| data | MB | labelgraph MB/s | reference | reference MB/s | ratio | target |"
echo "|---|---|---|---|---|---|---|"
printf '%s\n' "${table[@]}"
echo
echo "best of $repeat runs each (MB = 10^6 bytes); raw lines:"
printf '  %s\n' "${details[@]}"
