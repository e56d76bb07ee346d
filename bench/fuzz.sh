#!/usr/bin/env bash
# Coverage-guided fuzzing of every reader with libFuzzer (tests/fuzz; bench/README.md,
# "Fuzzing"). Builds the targets when needed (clang++-14: `LABELGRAPH_FUZZ=1 .ci/setup`
# installs it), builds the seed corpora (tests/fuzz/make_seeds.sh), then runs the targets one
# after another.
#   bench/fuzz.sh [SECONDS]   fuzz each target for SECONDS (default 60) or 10 million runs,
#                             whichever comes first, and print per target: wall and CPU
#                             seconds, executions, exec/s, coverage (cov, ft), corpus size
#                             (inputs/bytes) and findings
#   bench/fuzz.sh --replay    run each target once over its seeds and regression inputs
#                             (no fuzzing; what .ci/run does): any crash fails
# Environment:
#   LABELGRAPH_FUZZ_TARGETS  targets to run (space-separated, e.g. "arff csv"); default all
#   LABELGRAPH_FUZZ_BUILD    build folder (default build-fuzz, git-ignored)
#   LABELGRAPH_FUZZ_JOBS     parallel compile jobs (default 2)
#   LABELGRAPH_FUZZ_WORK     working folder for corpora, logs and findings (default: a fresh
#                            folder under /tmp, kept after fuzzing, removed after a replay)
#   LABELGRAPH_DATA          the shared data sets (default ../shared/datasets); missing: a
#                            failure under CI=true, else fixtures-only seeds with a message
# Exit status: 0 when no target found anything, 1 otherwise. Findings are kept under
# WORK/findings/TARGET/ (crash-*, leak-*, timeout-*, oom-*), logs under WORK/logs/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

mode=fuzz seconds=60
case ${1:-} in
  --replay) mode=replay ;;
  '') ;;
  *[!0-9]* | 0) echo "usage: bench/fuzz.sh [SECONDS] | --replay" >&2; exit 2 ;;
  *) seconds=$1 ;;
esac

all_targets="arff mulan_xml libsvm csv config score_csv score_text score_npy embeddings idx image_png image_jpeg image_other"
targets=${LABELGRAPH_FUZZ_TARGETS:-$all_targets}
build=${LABELGRAPH_FUZZ_BUILD:-build-fuzz}

# ---- build (only the fuzz targets: their own configuration, no LibTorch) ----
if ! command -v clang++-14 >/dev/null; then
  echo "bench/fuzz.sh: clang++-14 is missing: run LABELGRAPH_FUZZ=1 .ci/setup first" >&2
  exit 2
fi
if [[ ! -f $build/CMakeCache.txt ]]; then
  cmake -S . -B "$build" -DLABELGRAPH_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++-14 \
    -DCMAKE_BUILD_TYPE=Debug >/dev/null
fi
# shellcheck disable=SC2046
cmake --build "$build" -j"${LABELGRAPH_FUZZ_JOBS:-2}" --target $(printf 'fuzz_%s ' $targets)

# ---- working folder and seeds ----
if [[ -n ${LABELGRAPH_FUZZ_WORK:-} ]]; then
  work=$LABELGRAPH_FUZZ_WORK
  mkdir -p "$work"
else
  work=$(mktemp -d /tmp/labelgraph-fuzz.XXXXXX)
fi
# The targets write their input files here (fuzz_input.hpp): memory, not disk.
tmp_root=/dev/shm
[[ -d /dev/shm && -w /dev/shm ]] || tmp_root=${TMPDIR:-/tmp}
export LABELGRAPH_FUZZ_TMP=$tmp_root/labelgraph-fuzz-inputs.$$
mkdir -p "$LABELGRAPH_FUZZ_TMP"
cleanup() {
  rm -rf "$LABELGRAPH_FUZZ_TMP"
  [[ $mode == replay && -z ${LABELGRAPH_FUZZ_WORK:-} ]] && rm -rf "$work"
  return 0
}
trap cleanup EXIT

rm -rf "$work/seeds"
seeds_rc=0
tests/fuzz/make_seeds.sh "$work/seeds" >"$work/seeds.txt" || seeds_rc=$?
if ((seeds_rc == 3)); then
  if [[ ${CI:-} == true ]]; then
    echo "bench/fuzz.sh: FAILED: the shared data sets are missing (${LABELGRAPH_DATA:-../shared/datasets}) and CI=true" >&2
    exit 1
  fi
  echo "bench/fuzz.sh: the shared data sets are missing: skipping their seeds (fixtures only)"
elif ((seeds_rc != 0)); then
  echo "bench/fuzz.sh: tests/fuzz/make_seeds.sh failed ($seeds_rc)" >&2
  exit 1
fi

# libFuzzer's options for every run: hangs past 10 s and more than 2 GiB are findings.
common=(-timeout=10 -rss_limit_mb=2048 -print_final_stats=1)
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:suppressions=$root/tests/fuzz/ubsan.supp}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/tests/fuzz/lsan.supp}

# CPU seconds used by finished child processes so far (bash's `times`, second line): on a
# shared machine a target's wall-clock seconds say little about the work it got to do.
# Sets cpu_now; `times` must run in this shell (not in a pipe or $(...)).
children_cpu() {
  times >"$work/times.txt"
  cpu_now=$(tail -n 1 "$work/times.txt" |
    awk '{ t = 0; for (i = 1; i <= 2; ++i) { split($i, p, "m"); t += p[1] * 60 + p[2] } printf "%d", t }')
}

status=0
if [[ $mode == replay ]]; then
  printf '%-12s %8s  %s\n' target inputs result
else
  echo "fuzzing $(wc -w <<<"$targets") target(s) for up to $seconds s or 10,000,000 runs each; work folder $work"
  printf '%-12s %7s %5s %10s %8s %7s %7s %12s  %s\n' target seconds cpu-s executions exec/s cov ft corpus findings
fi
for t in $targets; do
  bin=$build/tests/fuzz/fuzz_$t
  dirs=()
  for d in "$work/seeds/$t" tests/fuzz/seeds/$t tests/fuzz/regressions/$t; do
    [[ -d $d ]] && dirs+=("$d")
  done
  log_dir=$work/logs found=$work/findings/$t
  mkdir -p "$log_dir" "$found"
  log=$log_dir/$t.log
  if [[ $mode == replay ]]; then
    inputs=0
    for d in "${dirs[@]}"; do inputs=$((inputs + $(find "$d" -type f | wc -l))); done
    if "$bin" "${common[@]}" -runs=0 -artifact_prefix="$found/" "${dirs[@]}" >"$log" 2>&1; then
      printf '%-12s %8d  %s\n' "$t" "$inputs" ok
    else
      printf '%-12s %8d  %s\n' "$t" "$inputs" "FAILED (log below)"
      tail -n 60 "$log"
      status=1
    fi
    continue
  fi
  corpus=$work/corpus/$t
  mkdir -p "$corpus"
  children_cpu
  start=$SECONDS cpu_before=$cpu_now
  rc=0
  "$bin" "${common[@]}" -runs=10000000 -max_total_time="$seconds" -artifact_prefix="$found/" \
    "$corpus" "${dirs[@]}" >"$log" 2>&1 || rc=$?
  children_cpu
  took=$((SECONDS - start)) cpu=$((cpu_now - cpu_before))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  last=$(grep -E '^#[0-9]+' "$log" | grep ' cov: ' | tail -n 1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9A-Za-z]*\).*/\1/p' <<<"$last")
  n_found=$(find "$found" -type f | wc -l)
  what=none
  if ((rc != 0 || n_found > 0)); then
    status=1
    what="$n_found file(s) in $found; $(grep -m1 -E '^==[0-9]+==ERROR|^SUMMARY|runtime error|deadly signal|ALARM|out-of-memory|a reader let|does not name' "$log" || echo "exit $rc")"
  fi
  printf '%-12s %7d %5d %10s %8s %7s %7s %12s  %s\n' "$t" "$took" "$cpu" "${execs:-?}" "${rate:-?}" \
    "${cov:-?}" "${ft:-?}" "${corp:-?}" "$what"
done
[[ $mode == fuzz ]] && echo "logs, corpora and findings: $work"
exit $status
