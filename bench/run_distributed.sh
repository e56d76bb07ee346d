#!/usr/bin/env bash
# bench/distributed: data-parallel training (issue 22, `labelgraph train --nproc N`, c10d Gloo
# over loopback) against one process on the same cores. cnn-br and mlgcn train on generated
# scenes, once as 1 process with T threads and once as `--nproc 2` (T/2 threads each), same
# config, seed and global batch, alternating, in the same run. Reports training images/s, the
# gradient all-reduce's share of rank 0's training steps (from train's note) and the scaling
# efficiency = images/s at 2 processes / images/s at 1 process.
#
#   bench/run_distributed.sh [BUILD_DIR]   BUILD_DIR: a configured Release build (default:
#                                          build); builds nothing: expects BUILD_DIR/labelgraph
#                                          and the nets plugin
#
#   DIST_BENCH_ROWS=2000          generated scenes (25% held out: 1500 training rows)
#   DIST_BENCH_SIZES="64 32"      image sizes (pixels; the scenes are generated at that size)
#   DIST_BENCH_EPOCHS=4           epochs per run; images/s over epochs 2..E (the first warms
#                                 caches, the allocator and oneDNN's kernels)
#   DIST_BENCH_ROUNDS=2           runs per configuration, alternating; the best is kept
#   DIST_BENCH_THREADS=2          total threads T in both configurations (default: nproc)
#   DIST_BENCH_MODELS="cnn-br mlgcn"
#
# Network (the quickstart's): ResNet width 16, depth 3, max pooling, batch 64 (the global
# batch: 32 rows per process at --nproc 2), Adam 1e-3, no validation. mlgcn: mlgcn-reweighted
# adjacency (tau 0.4, p 0.2), one-hot label inputs, GCN hidden 128.
#
# On a machine with T = all its cores, both configurations use the same cores: the efficiency
# is not a speed-up but what data parallelism costs (gradient all-reduce, the synchronised
# batch norm's all-reduces, each process decoding its own data, smaller per-process batches,
# one-thread pools). Above 1 it would mean two 1-thread processes use the cores better than
# one 2-thread process.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
rows=${DIST_BENCH_ROWS:-2000}
sizes=${DIST_BENCH_SIZES:-64 32}
epochs=${DIST_BENCH_EPOCHS:-4}
rounds=${DIST_BENCH_ROUNDS:-2}
threads=${DIST_BENCH_THREADS:-$(nproc)}
models=${DIST_BENCH_MODELS:-cnn-br mlgcn}
bin=$build/labelgraph

if [ ! -x "$bin" ]; then
  echo "run_distributed.sh: $bin is missing: cmake --build $build --target labelgraph labelgraph_nets" >&2
  exit 1
fi
if [ "$epochs" -lt 2 ]; then
  echo "run_distributed.sh: DIST_BENCH_EPOCHS must be at least 2 (the first epoch is not counted)" >&2
  exit 1
fi
half=$((threads / 2 > 0 ? threads / 2 : 1))
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

config() {  # SIZE: the config for scenes of SIZE pixels
  cat <<TOML
[experiment]
name = "bench-distributed"
seed = 42
threads = $threads
output = "$tmp/out"
[split]
method = "holdout"
test_fraction = 0.25
[[datasets]]
name = "scenes"
[datasets.scenes]
rows = $rows
size = $1
kinds = 10
contexts = 3
weak_fraction = 0.3
imbalance = 1.0
[[algorithms]]
name = "cnn-br"
width = 16
depth = 3
pooling = "max"
image_size = $1
epochs = $epochs
batch_size = 64
lr = 0.001
validation_fraction = 0
[[algorithms]]
name = "mlgcn"
width = 16
depth = 3
pooling = "max"
image_size = $1
adjacency = "mlgcn-reweighted"
tau = 0.4
p = 0.2
label_inputs = "one-hot"
gcn_hidden = 128
epochs = $epochs
batch_size = 64
lr = 0.001
validation_fraction = 0
TOML
}

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)
echo "bench/distributed, $(date -u '+%Y-%m-%d %H:%M'), $(nproc) cores, $cpu, load $(cut -d' ' -f1-3 /proc/loadavg)"

# One line per run: model size procs threads_each train_rows images_per_s median_epoch_s
# reduce_s steps_s wall_s cpu_s final_loss
raw=""
for s in $sizes; do
  config "$s" >"$tmp/bench-$s.toml"
  for m in $models; do
    for ((r = 0; r < rounds; r++)); do
      for p in 1 2; do
        out=$tmp/run-$s-$m-$p-$r
        args=(train "$tmp/bench-$s.toml" --algorithm "$m" --threads "$threads" --out "$out")
        [ "$p" -gt 1 ] && args+=(--nproc "$p")
        if ! /usr/bin/time -f 'TIME %e %U %S' -o "$tmp/time" "$bin" "${args[@]}" >"$tmp/log" 2>&1; then
          echo "run_distributed.sh: labelgraph ${args[*]} failed:" >&2
          tail -5 "$tmp/log" >&2
          exit 1
        fi
        n=$(sed -n 's/.*: \([0-9]*\) rows, .*/\1/p' "$tmp/log" | head -1)
        # the note: "process 0 of 2: the gradient all-reduce took R s of S s of training steps"
        reduce=$(sed -n 's/.*gradient all-reduce took \([0-9.]*\) s of \([0-9.]*\) s .*/\1 \2/p' "$tmp/log")
        [ -n "$reduce" ] || reduce="- -"
        raw+=$(awk -F, -v m="$m" -v s="$s" -v p="$p" -v t="$((p > 1 ? half : threads))" -v n="$n" \
          -v red="$reduce" -v tm="$(cut -d' ' -f2- "$tmp/time")" '
          NR > 2 { sec[++k] = $6; sum += $6; loss = $2 }
          END {
            if (k < 1) exit 1
            for (i = 2; i <= k; i++) for (j = i; j > 1 && sec[j - 1] > sec[j]; j--) { x = sec[j]; sec[j] = sec[j - 1]; sec[j - 1] = x }
            med = k % 2 ? sec[(k + 1) / 2] : (sec[k / 2] + sec[k / 2 + 1]) / 2
            split(tm, w, " ")
            printf "RUN %s %s %d %d %d %.1f %.3f %s %.2f %.2f %.6f\n", m, s, p, t, n, n * k / sum, med, red,
              w[1], w[2] + w[3], loss
          }' "$out/history.csv")$'\n'
        rm -rf "$out"
      done
    done
  done
done
echo "load after the run: $(cut -d' ' -f1-3 /proc/loadavg)"

best() {  # MODEL SIZE PROCS: the run line with the most images/s
  awk -v m="$1" -v s="$2" -v p="$3" '$1 == "RUN" && $2 == m && $3 == s && $4 == p && $7 + 0 > b { b = $7 + 0; l = $0 } END { print l }' <<<"$raw"
}

echo
echo "training images/s = training rows x (E - 1) / seconds of epochs 2..$epochs (best of $rounds runs);"
echo "$rows scenes, 25% held out, batch 64 (global), $threads threads in all; all-reduce: rank 0's"
echo "gradient all-reduce (waits for the slower process included) over its training steps of all"
echo "epochs; efficiency = images/s at 2 processes / at 1; cpu = (user + sys) / wall of the whole run"
echo
echo "| model | px | processes x threads | train rows | images/s | median epoch s | all-reduce s / steps s (share) | efficiency | wall s | cpu | final loss |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for s in $sizes; do
  for m in $models; do
    one=$(best "$m" "$s" 1)
    two=$(best "$m" "$s" 2)
    for line in "$one" "$two"; do
      [ -n "$line" ] || continue
      awk -v one="$one" '{
          split(one, o, " ")
          share = $9 == "-" ? "-" : sprintf("%.2f / %.2f (%.1f%%)", $9, $10, 100 * $9 / $10)
          eff = $4 == 1 ? "1 (reference)" : sprintf("**%.3f**", $7 / o[7])
          printf "| %s | %s | %d x %d | %d | %.1f | %.3f | %s | %s | %.1f | %.2f | %s |\n",
            $2, $3, $4, $5, $6, $7, $8, share, eff, $11, $12 / $11, $13
        }' <<<"$line"
    done
  done
done
echo
echo "raw:"
sed '/^$/d; s/^/  /' <<<"$raw"
