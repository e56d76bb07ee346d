#!/usr/bin/env bash
# bench/heads: seconds per training epoch of each label-correlation head (src/nets/heads) against
# the same module in python3-torch (bench/heads_reference.py, built from the parity references
# tests/fixtures/nets/heads/reference_heads.py), on the same fixed backbone outputs (1,024
# images' 64 x 12 x 12 maps and their max-pooled features), 10 labels, batch 64, Adam, the same
# thread count, in one run; ratio, GFLOP/s and the measured matrix-multiply peak.
#
#   bench/run_heads.sh [BUILD_DIR]       BUILD_DIR: a configured Release build (default: build)
#
#   HEADS_BENCH_EPOCHS=5                 epochs per run (median over epochs 2..E)
#   HEADS_BENCH_ROUNDS=3                 runs per side, alternating; the best median is kept
#   HEADS_BENCH_THREADS="1 2"            thread counts (both sides)
#   HEADS_BENCH_HEADS="linear mlgcn agcn addgcn ssgrl q2l mldecoder lamp"
#
# GFLOP/s = 6 x the head's multiply-adds per image (its forward, as the C++ head counts them:
# forward 2 FLOPs per multiply-add, backward about twice the forward) x rows / median epoch time.
# Peak: the best of 5 2048 x 2048 float32 torch.mm at the same thread count.
set -euo pipefail
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
epochs=${HEADS_BENCH_EPOCHS:-5}
rounds=${HEADS_BENCH_ROUNDS:-3}
threads_list=${HEADS_BENCH_THREADS:-1 2}
heads=${HEADS_BENCH_HEADS:-linear mlgcn agcn addgcn ssgrl q2l mldecoder lamp}
bench=$build/bench/bench_heads
py=/usr/bin/python3
rows=1024

if ! log=$(cmake --build "$build" --target bench_heads -j2 2>&1); then
  echo "$log"
  exit 1
fi
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)
echo "bench/heads, $(date -u '+%Y-%m-%d %H:%M'), $(nproc) cores, $cpu, load $(cut -d' ' -f1-3 /proc/loadavg)"

raw=""
for t in $threads_list; do
  raw+=$("$py" "$root/bench/nets_reference.py" --peak --threads "$t" | grep '^PEAK')$'\n'
  for h in $heads; do
    for ((r = 0; r < rounds; r++)); do
      raw+=$("$bench" --head "$h" --threads "$t" --epochs "$epochs" --rows "$rows")$'\n'
      raw+=$("$py" "$root/bench/heads_reference.py" --head "$h" --threads "$t" --epochs "$epochs" \
        --rows "$rows" | grep '^RESULT')$'\n'
    done
  done
done
version=$("$py" -c 'import torch; print(torch.__version__)')
echo "load after the run: $(cut -d' ' -f1-3 /proc/loadavg)"

best() {  # SIDE HEAD THREADS FIELD: the FIELD of the run with the best median
  awk -v s="$1" -v h="$2" -v t="$3" -v k="$4" '$1 == "RESULT" {
      delete f; for (i = 2; i < NF; i += 2) f[$i] = $(i + 1)
      if (f["side"] != s || f["head"] != h || f["threads"] != t) next
      if (!found || f["median_epoch_ms"] + 0 < bm) { bm = f["median_epoch_ms"] + 0; out = f[k]; found = 1 }
    } END { print out }' <<<"$raw"
}
peak() { awk -v t="$1" '$1 == "PEAK" && $3 == t { print $7 }' <<<"$raw"; }

echo
echo "median epoch time over epochs 2..$epochs (best of $rounds runs per side), $rows rows, batch 64,"
echo "ratio = labelgraph / python3-torch $version (target <= 0.7)"
echo
echo "| head | threads | parameters | MMAC/image | labelgraph ms | python ms | ratio | GFLOP/s labelgraph | GFLOP/s python | matmul peak GFLOP/s |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for t in $threads_list; do
  for h in $heads; do
    a=$(best cpp "$h" "$t" median_epoch_ms)
    b=$(best python "$h" "$t" median_epoch_ms)
    if [ -z "$a" ] || [ -z "$b" ]; then continue; fi
    macs=$(best cpp "$h" "$t" macs_per_image)
    gf() { awk -v m="$macs" -v n="$rows" -v ms="$1" 'BEGIN { printf "%.2f", 6 * m * n / (ms * 1e6) }'; }
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$h" "$t" \
      "$(best cpp "$h" "$t" parameters)" "$(awk -v m="$macs" 'BEGIN { printf "%.3f", m / 1e6 }')" \
      "$a" "$b" "$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", a / b }')" "$(gf "$a")" "$(gf "$b")" \
      "$(peak "$t")"
  done
done
echo
echo "raw:"
sed '/^$/d; s/^/  /' <<<"$raw"
