#!/usr/bin/env bash
# bench/images: training images per second of cnn-br and mlgcn (LibTorch, through the plugin) on
# 64 x 64 synthetic scenes against the identical network, loop and data pipeline in
# python3-torch (bench/images_reference.py: Dataset + DataLoader with 0 and 1 worker processes),
# same data, batch size and thread count, in the same run; ratio of epoch times, CPU utilisation
# and the loader's share of the CPU on both sides, and both final training losses (sanity).
#
#   bench/run_images.sh [BUILD_DIR]     BUILD_DIR: a configured Release build with
#                                       -DLABELGRAPH_BENCH=ON (default: build); builds nothing:
#                                       expects BUILD_DIR/labelgraph, BUILD_DIR/bench/bench_images
#                                       and the nets plugin
#
#   IMAGES_BENCH_ROWS=640               scenes (synth-images --kind scenes --size 64 --seed 42);
#                                       10 full batches, so an epoch is seconds, not minutes
#   IMAGES_BENCH_EPOCHS=3               epochs per run (median over epochs 2..E)
#   IMAGES_BENCH_ROUNDS=3               runs per side, alternating; the best median is kept
#   IMAGES_BENCH_THREADS="1 2"          thread counts (both sides)
#   IMAGES_BENCH_MODELS="cnn-br mlgcn"
#   IMAGES_BENCH_WORKERS="0 1"          python DataLoader num_workers
#
# Network (both sides): SmallResNet width 16, depth 3 (16 -> 32 -> 64 channels), max pooling,
# cnn-br head Linear(64, L) / mlgcn GCN one-hot -> 256 -> 64 on mlgcn-reference (tau 0.4);
# random flip, ImageNet normalisation; bce, Adam 1e-3 (weight decay 1e-4), clip 10, batch 64.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
rows=${IMAGES_BENCH_ROWS:-640}
epochs=${IMAGES_BENCH_EPOCHS:-3}
rounds=${IMAGES_BENCH_ROUNDS:-3}
threads_list=${IMAGES_BENCH_THREADS:-1 2}
models=${IMAGES_BENCH_MODELS:-cnn-br mlgcn}
workers_list=${IMAGES_BENCH_WORKERS:-0 1}
bench=$build/bench/bench_images
py=/usr/bin/python3

for f in "$bench" "$build/labelgraph"; do
  if [ ! -x "$f" ]; then
    echo "run_images.sh: $f is missing: cmake --build $build --target labelgraph labelgraph_nets bench_images" >&2
    exit 1
  fi
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$build/labelgraph" synth-images --kind scenes --rows "$rows" --size 64 --seed 42 \
  --out "$tmp/scenes" >/dev/null
"$bench" --folder "$tmp/scenes" --export-npy "$tmp/scenes/npy"  # python3 has no PIL: raw arrays

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)
echo "bench/images, $(date -u '+%Y-%m-%d %H:%M'), $(nproc) cores, $cpu, load $(cut -d' ' -f1-3 /proc/loadavg)"

raw=""
for t in $threads_list; do
  for m in $models; do
    for ((r = 0; r < rounds; r++)); do
      raw+=$("$bench" --folder "$tmp/scenes" --model "$m" --threads "$t" --epochs "$epochs")$'\n'
      for w in $workers_list; do
        raw+=$(cd "$root/bench" && "$py" images_reference.py "$tmp/scenes/npy" --model "$m" \
          --threads "$t" --workers "$w" --epochs "$epochs" | grep '^RESULT')$'\n'
      done
      echo "  done: $m threads $t round $((r + 1)), load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
    done
  done
done
version=$("$py" -c 'import torch; print(torch.__version__)')
echo "load after the run: $(cut -d' ' -f1-3 /proc/loadavg)"

best() {  # SIDE MODEL THREADS WORKERS FIELD: the FIELD of the run with the best median
  awk -v s="$1" -v m="$2" -v t="$3" -v w="$4" -v k="$5" '$1 == "RESULT" {
      delete f; for (i = 2; i < NF; i += 2) f[$i] = $(i + 1)
      if (f["side"] != s || f["model"] != m || f["threads"] != t) next
      if (s == "python" && f["workers"] != w) next
      if (!found || f["median_epoch_ms"] + 0 < bm) { bm = f["median_epoch_ms"] + 0; out = f[k]; found = 1 }
    } END { print out }' <<<"$raw"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "") print "-"; else printf "%.3f", a / b }'; }

echo
echo "median epoch time over epochs 2..$epochs (best of $rounds runs per side), $rows scenes 64x64,"
echo "batch 64; ratio = labelgraph epoch time / python3-torch $version epoch time (target <= 0.95);"
echo "util = CPU seconds / (wall seconds * threads); loader = share of the CPU seconds spent by"
echo "the loader (labelgraph: the ended loader threads; python: the DataLoader worker processes)"
echo
echo "| model | threads | labelgraph img/s | python img/s w0 / w1 | ratio vs w0 / w1 | util labelgraph | util python w0 / w1 | loader share labelgraph | loader share python w1 | final loss labelgraph / python w0 |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for t in $threads_list; do
  for m in $models; do
    a=$(best cpp "$m" "$t" - median_epoch_ms)
    b0=$(best python "$m" "$t" 0 median_epoch_ms)
    b1=$(best python "$m" "$t" 1 median_epoch_ms)
    printf '| %s | %s | %s | %s / %s | %s / %s | %s | %s / %s | %s | %s | %s / %s |\n' "$m" "$t" \
      "$(best cpp "$m" "$t" - images_per_s)" "$(best python "$m" "$t" 0 images_per_s)" \
      "$(best python "$m" "$t" 1 images_per_s)" "$(ratio "$a" "$b0")" "$(ratio "$a" "$b1")" \
      "$(best cpp "$m" "$t" - cpu_util)" "$(best python "$m" "$t" 0 cpu_util)" \
      "$(best python "$m" "$t" 1 cpu_util)" "$(best cpp "$m" "$t" - loader_cpu_share)" \
      "$(best python "$m" "$t" 1 loader_cpu_share)" "$(best cpp "$m" "$t" - final_loss)" \
      "$(best python "$m" "$t" 0 final_loss)"
  done
done
echo
echo "raw:"
sed '/^$/d; s/^/  /' <<<"$raw"
