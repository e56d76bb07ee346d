#!/usr/bin/env bash
# bench/run_gpu.sh: labelgraph on an NVIDIA GPU against the PyTorch installed there (issue 22,
# item 3), in one run:
#   1. builds labelgraph against that PyTorch's LibTorch (Torch_DIR from its wheel), in
#      BUILD_DIR, and says which LibTorch, CUDA and NCCL the build found;
#   2. runs the nets tests (tests/nets) with LABELGRAPH_TEST_DEVICE=cuda, so the models of the
#      tests that train through a Context train and predict on the GPU;
#   3. measures training images/s on the GPU, labelgraph against the same modules in that
#      PyTorch (bench/images_reference.py, bench/heads_reference.py), at each size (224, 448):
#        cnn-br, mlgcn   the whole network (SmallResNet width 16, depth 3, as bench/images) on
#                        synthetic scenes of that size, bench_images vs images_reference.py;
#        each head       on fixed ResNet-101-like backbone outputs of that size (2,048 features,
#                        a 7 x 7 / 14 x 14 map = size / 32), 80 labels, bench_heads vs
#                        heads_reference.py;
#      and writes the table (OUT_DIR/gpu-bench.md) with the raw lines and the logs.
#
#   bench/run_gpu.sh [OUT_DIR]         default: bench/gpu-results
#
#   PYTHON=python3                     the Python whose torch (a CUDA build) is used and compared
#   GPU_BENCH_BUILD=build-gpu          the build folder (relative to the checkout)
#   GPU_BENCH_SIZES="224 448"          image sides
#   GPU_BENCH_IMAGE_ROWS=256           scenes per size (cnn-br, mlgcn)
#   GPU_BENCH_HEAD_ROWS=512            backbone outputs per size (heads)
#   GPU_BENCH_EPOCHS=3                 epochs per run (median over epochs 2..E)
#   GPU_BENCH_THREADS=8                CPU threads, both sides (loader threads / intra-op)
#   GPU_BENCH_WORKERS=4                the Python DataLoader's worker processes (image models)
#   GPU_BENCH_HEADS="linear mlgcn agcn addgcn ssgrl q2l mldecoder lamp"
#   GPU_BENCH_TESTS=""                 a Catch2 filter for the nets tests ("" = all of them)
#   GLOO_INCLUDE_DIR                   Gloo headers matching that torch; without it the build
#                                      has no Gloo (LABELGRAPH_GLOO=OFF): NCCL only
#
# Needs: an NVIDIA GPU and driver, a CUDA build of torch (2.7 or later: the C++11 string ABI),
# the CUDA toolkit (find_package(Torch) of a CUDA LibTorch looks for it: nvcc on PATH,
# CUDA_HOME or /usr/local/cuda), cmake, a C++17 compiler and labelgraph's other build
# dependencies (.ci/setup). Without a GPU it stops at once with one line.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/bench/gpu-results}
py=${PYTHON:-python3}
build=$root/${GPU_BENCH_BUILD:-build-gpu}
sizes=${GPU_BENCH_SIZES:-224 448}
image_rows=${GPU_BENCH_IMAGE_ROWS:-256}
head_rows=${GPU_BENCH_HEAD_ROWS:-512}
epochs=${GPU_BENCH_EPOCHS:-3}
threads=${GPU_BENCH_THREADS:-8}
workers=${GPU_BENCH_WORKERS:-4}
heads=${GPU_BENCH_HEADS:-linear mlgcn agcn addgcn ssgrl q2l mldecoder lamp}
tests_filter=${GPU_BENCH_TESTS:-}

die() { echo "run_gpu.sh: $*" >&2; exit 2; }

# ---- 0. a GPU, a CUDA torch, the toolkit ----
if ! command -v nvidia-smi >/dev/null 2>&1 || ! gpus=$(nvidia-smi -L 2>/dev/null) || [ -z "$gpus" ]; then
  die "no NVIDIA GPU on this machine (nvidia-smi lists none): this script measures CUDA and needs one"
fi
command -v "$py" >/dev/null 2>&1 || die "no $py (set PYTHON to the Python that has a CUDA torch)"
info=$("$py" - <<'EOF' 2>&1
import os
try:
    import torch
except Exception as e:
    print("error no torch in this Python (%s)" % e)
    raise SystemExit
if not torch.cuda.is_available():
    print("error torch %s (CUDA %s) sees no CUDA device" % (torch.__version__, torch.version.cuda))
    raise SystemExit
abi = int(torch.compiled_with_cxx11_abi())
print("ok", torch.__version__, torch.version.cuda, abi,
      os.path.join(torch.utils.cmake_prefix_path, "Torch"), torch.cuda.get_device_name(0))
EOF
) || die "$py failed: $info"
set -- $info
[ "$1" = ok ] || die "${info#error }"
torch_version=$2 cuda_version=$3 abi=$4 torch_dir=$5
shift 5
gpu_name="$*"
[ "$abi" = 1 ] || die "torch $torch_version uses the pre-C++11 string ABI; labelgraph needs a LibTorch built with the C++11 ABI (PyTorch 2.7 or later, or the cxx11-ABI LibTorch zip)"
[ -f "$torch_dir/TorchConfig.cmake" ] || die "torch $torch_version has no $torch_dir/TorchConfig.cmake"
cuda_root=""
if command -v nvcc >/dev/null 2>&1; then
  cuda_root=$(cd "$(dirname "$(command -v nvcc)")/.." && pwd)
elif [ -n "${CUDA_HOME:-}" ] && [ -x "$CUDA_HOME/bin/nvcc" ]; then
  cuda_root=$CUDA_HOME
elif [ -x /usr/local/cuda/bin/nvcc ]; then
  cuda_root=/usr/local/cuda
fi
[ -n "$cuda_root" ] || die "no CUDA toolkit (nvcc on PATH, CUDA_HOME or /usr/local/cuda): find_package(Torch) of a CUDA torch needs it"
command -v cmake >/dev/null 2>&1 || die "no cmake"

mkdir -p "$out"
log() { echo "$*" | tee -a "$out/run.log"; }
: >"$out/run.log"
log "bench/run_gpu.sh, $(date -u '+%Y-%m-%d %H:%M') UTC, $gpu_name, torch $torch_version (CUDA $cuda_version), toolkit $cuda_root, $(nproc) cores"

# ---- 1. build against that torch ----
gloo=(-DLABELGRAPH_GLOO=OFF)
if [ -n "${GLOO_INCLUDE_DIR:-}" ]; then gloo=(-DLABELGRAPH_GLOO=ON "-DGLOO_INCLUDE_DIR=$GLOO_INCLUDE_DIR"); fi
if ! cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DLABELGRAPH_BENCH=ON \
     "-DTorch_DIR=$torch_dir" "-DCUDAToolkit_ROOT=$cuda_root" "-DCUDA_TOOLKIT_ROOT_DIR=$cuda_root" \
     "${gloo[@]}" >"$out/configure.log" 2>&1; then
  tail -25 "$out/configure.log" >&2
  die "cmake could not configure against torch $torch_version (all of it in $out/configure.log)"
fi
grep -E '^-- labelgraph:|^CMake Warning' -A2 "$out/configure.log" | tee -a "$out/run.log" || true
if ! cmake --build "$build" -j"$(nproc)" --target labelgraph labelgraph_nets labelgraph_nets_tests \
     bench_heads bench_images >"$out/build.log" 2>&1; then
  grep -m5 -E 'error|Error' "$out/build.log" >&2 || tail -25 "$out/build.log" >&2
  die "the build against torch $torch_version failed (all of it in $out/build.log)"
fi
log "built in $build"

# ---- 2. the nets tests on the GPU ----
set +e
LABELGRAPH_TEST_DEVICE=cuda "$build/tests/labelgraph_nets_tests" ${tests_filter:+"$tests_filter"} \
  >"$out/tests-cuda.log" 2>&1
tests_status=$?
set -e
summary=$(grep -E '^(All tests passed|test cases:)' "$out/tests-cuda.log" | tail -1)
log "nets tests with LABELGRAPH_TEST_DEVICE=cuda: exit $tests_status: ${summary:-no summary (see tests-cuda.log)}"
grep -E '^[^ ].*FAILED:?$|^/.*: FAILED:' -A1 "$out/tests-cuda.log" | head -40 >>"$out/run.log" || true

# ---- 3. images/s, labelgraph vs torch, same GPU, same run ----
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
raw=""
run() {  # a RESULT line of a command, or a note when it failed
  local line
  if line=$("$@" 2>>"$out/bench-stderr.log" | grep '^RESULT'); then
    raw+="$line"$'\n'
  else
    log "  failed: $* (stderr in bench-stderr.log)"
  fi
}
for size in $sizes; do
  "$build/bench/bench_images" --rows "$image_rows" --size "$size" --export-npy "$tmp/scenes-$size" \
    >/dev/null
  for m in cnn-br mlgcn; do
    run "$build/bench/bench_images" --rows "$image_rows" --size "$size" --model "$m" \
      --threads "$threads" --epochs "$epochs" --device cuda
    run env PYTHONPATH="$root/bench" "$py" "$root/bench/images_reference.py" "$tmp/scenes-$size" \
      --model "$m" --threads "$threads" --workers "$workers" --epochs "$epochs" --device cuda
    log "  done: $m at $size px"
  done
  rm -f "$tmp/scenes-$size"-*.npy
  side=$((size / 32))
  for h in $heads; do
    common=(--head "$h" --threads "$threads" --epochs "$epochs" --rows "$head_rows" --labels 80
            --features 2048 --side "$side" --device cuda)
    run "$build/bench/bench_heads" "${common[@]}"
    run "$py" "$root/bench/heads_reference.py" "${common[@]}"
    log "  done: head $h at $size px (maps ${side} x ${side})"
  done
done

field() {  # SIDE KIND NAME SIZE FIELD: FIELD of the matching RESULT line
  awk -v s="$1" -v k="$2" -v n="$3" -v z="$4" -v want="$5" '$1 == "RESULT" {
      delete f; for (i = 2; i < NF; i += 2) f[$i] = $(i + 1)
      if (f["side"] != s || f[k] != n) next
      px = k == "model" ? f["size"] : 32 * f["map_side"]
      if (px == z) { print f[want]; exit }
    }' <<<"$raw"
}
{
  echo "# bench/run_gpu.sh, $(date -u '+%Y-%m-%d %H:%M') UTC"
  echo
  echo "$gpu_name; torch $torch_version (CUDA $cuda_version) for both sides; $threads CPU threads;"
  echo "median epoch of epochs 2..$epochs; cnn-br / mlgcn: $image_rows scenes, batch 64, Python"
  echo "DataLoader with $workers workers; heads: $head_rows backbone outputs (2,048 x S x S, S = px / 32),"
  echo "80 labels, batch 64. Nets tests on cuda: exit $tests_status, ${summary:-see tests-cuda.log}."
  echo
  echo "| module | px | labelgraph images/s | PyTorch images/s | labelgraph / PyTorch time |"
  echo "|---|---|---|---|---|"
  for size in $sizes; do
    for m in cnn-br mlgcn; do
      a=$(field cpp model "$m" "$size" images_per_s) b=$(field python model "$m" "$size" images_per_s)
      r=$( [ -n "$a" ] && [ -n "$b" ] && awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", b / a }')
      echo "| $m (network) | $size | ${a:--} | ${b:--} | ${r:--} |"
    done
    for h in $heads; do
      a=$(field cpp head "$h" "$size" images_per_s) b=$(field python head "$h" "$size" images_per_s)
      r=$( [ -n "$a" ] && [ -n "$b" ] && awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", b / a }')
      echo "| head $h | $size | ${a:--} | ${b:--} | ${r:--} |"
    done
  done
  echo
  echo "raw:"
  echo
  sed '/^$/d; s/^/    /' <<<"$raw"
} >"$out/gpu-bench.md"
cat "$out/gpu-bench.md"
log "written: $out/gpu-bench.md (logs beside it)"
