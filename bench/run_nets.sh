#!/usr/bin/env bash
# bench/nets: epoch time of mlp-br and mlgcn (LibTorch, through the plugin) on scene's train
# part against the identical network and loop in python3-torch (bench/nets_reference.py), same
# data, batch size and thread count, in the same run; ratio, GFLOP/s and the measured
# matrix-multiply peak, and both final training losses (sanity).
#
#   bench/run_nets.sh [BUILD_DIR]       BUILD_DIR: a configured Release build (default: build)
#
#   NETS_BENCH_EPOCHS=30                epochs per run (median over epochs 2..E)
#   NETS_BENCH_ROUNDS=3                 runs per side, alternating; the best median is kept
#   NETS_BENCH_THREADS="1 2"            thread counts (both sides)
#   NETS_BENCH_VALIDATION="0 0.1"       validation fractions (0.1: mAP every epoch, information)
#   LABELGRAPH_DATA                     default ../shared/datasets beside the checkout
#
# GFLOP/s counts the matrix-product FLOPs of forward + backward of one epoch (n rows, F
# features, H = 256 hidden, G = 256 GCN hidden, L labels, S = ceil(n / 64) steps):
#   encoder  4 n F H        (x W forward, x^T g for the weight; x needs no gradient)
#   head     6 n H L        (f W^T forward; gradients of W and of f)  -- mlp-br and f Z^T alike
#   GCN      S (8 L^2 G + 6 L G H + 4 L^2 H)   mlgcn only, Z recomputed every step:
#            layer 1 I W1, A (.) forward + A^T g, I^T g backward; layer 2 H1 W2, A (.) forward
#            + A^T g, H1^T g, g W2^T backward
# over the median epoch time; elementwise work, the optimiser and bias additions are left out.
# Peak: the best of 5 2048 x 2048 float32 torch.mm at the same thread count (the same
# LibTorch/OpenBLAS the plugin links).
set -euo pipefail
# Both sides wait passively between OpenMP regions, as `labelgraph` itself does (src/cli/main.cpp):
# with libgomp's default (ACTIVE) a spinning worker holds the core its partner needs on a busy
# machine (bench/README.md, "The 2-thread stalls"). A policy the caller set is kept.
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
epochs=${NETS_BENCH_EPOCHS:-30}
rounds=${NETS_BENCH_ROUNDS:-3}
threads_list=${NETS_BENCH_THREADS:-1 2}
validation_list=${NETS_BENCH_VALIDATION:-0 0.1}
data=${LABELGRAPH_DATA:-$root/../shared/datasets}
bench=$build/bench/bench_nets
py=/usr/bin/python3

if ! log=$(cmake --build "$build" --target bench_nets labelgraph_nets -j2 2>&1); then
  echo "$log"
  exit 1
fi
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)
echo "bench/nets, $(date -u '+%Y-%m-%d %H:%M'), $(nproc) cores, $cpu, load $(cut -d' ' -f1-3 /proc/loadavg)"

raw=""
for t in $threads_list; do
  raw+=$("$py" "$root/bench/nets_reference.py" --peak --threads "$t" | grep '^PEAK')$'\n'
  for v in $validation_list; do
    for m in mlp-br mlgcn; do
      for ((r = 0; r < rounds; r++)); do
        raw+=$("$bench" "$data" --model "$m" --threads "$t" --epochs "$epochs" --validation "$v")$'\n'
        raw+=$("$py" "$root/bench/nets_reference.py" "$data" --model "$m" --threads "$t" \
          --epochs "$epochs" --validation "$v" | grep '^RESULT')$'\n'
      done
    done
  done
done
version=$("$py" -c 'import torch; print(torch.__version__)')
echo "load after the run: $(cut -d' ' -f1-3 /proc/loadavg)"

best() {  # SIDE MODEL THREADS VALIDATION FIELD: the FIELD of the run with the best median
  awk -v s="$1" -v m="$2" -v t="$3" -v v="$4" -v k="$5" '$1 == "RESULT" {
      delete f; for (i = 2; i < NF; i += 2) f[$i] = $(i + 1)
      if (f["side"] != s || f["model"] != m || f["threads"] != t || f["validation"] + 0 != v + 0) next
      if (!found || f["median_epoch_ms"] + 0 < bm) { bm = f["median_epoch_ms"] + 0; out = f[k]; found = 1 }
    } END { print out }' <<<"$raw"
}
peak() { awk -v t="$1" '$1 == "PEAK" && $3 == t { print $7 }' <<<"$raw"; }
shape() { awk -v k="$1" '$1 == "RESULT" && $3 == "cpp" { for (i = 2; i < NF; i += 2) if ($i == k) { print $(i + 1); exit } }' <<<"$raw"; }
n=$(shape rows)
f=$(shape features)
l=$(shape labels)

echo
echo "median epoch time over epochs 2..$epochs (best of $rounds runs per side), batch 64, scene"
echo "train ($n rows, $f features, $l labels); ratio = labelgraph / python3-torch $version;"
echo "GFLOP/s = matmul FLOPs of forward + backward per epoch (run_nets.sh) / median epoch time"
echo
echo "| model | threads | validation | labelgraph ms | python ms | ratio | GFLOP/s labelgraph | GFLOP/s python | matmul peak GFLOP/s | final loss labelgraph | final loss python |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for t in $threads_list; do
  for v in $validation_list; do
    for m in mlp-br mlgcn; do
      a=$(best cpp "$m" "$t" "$v" median_epoch_ms)
      b=$(best python "$m" "$t" "$v" median_epoch_ms)
      if [ -z "$a" ] || [ -z "$b" ]; then continue; fi
      flops=$(awk -v n="$n" -v f="$f" -v l="$l" -v m="$m" 'BEGIN { h = 256; g = 256
        s = int((n + 63) / 64); x = 4 * n * f * h + 6 * n * h * l
        if (m == "mlgcn") x += s * (8 * l * l * g + 6 * l * g * h + 4 * l * l * h); print x }')
      gf() { if [ "$v" = 0 ]; then awk -v x="$flops" -v ms="$1" 'BEGIN { printf "%.2f", x / (ms * 1e6) }'; else echo "-"; fi; }
      printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$m" "$t" "$v" "$a" "$b" \
        "$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", a / b }')" "$(gf "$a")" "$(gf "$b")" \
        "$(peak "$t")" "$(best cpp "$m" "$t" "$v" final_loss)" "$(best python "$m" "$t" "$v" final_loss)"
    done
  done
done
echo
echo "(GFLOP/s only for validation 0: with validation the fit rows and the extra forward differ.)"
echo
echo "raw:"
sed '/^$/d; s/^/  /' <<<"$raw"
