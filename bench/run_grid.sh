#!/bin/sh
# bench/grid: what keying and skipping cost. A grid of 10,000 tiny cells (generated data: 4
# algorithms x 500 seeds x 5 folds on 60 rows) runs once; the same command then runs again
# with every cell done. Target (issue 20): the rerun takes under 2% of the first run's time.
# The ratio is measured in one invocation, both runs on the same machine, back to back.
#
#   bench/run_grid.sh [BUILD_DIR]        (default build/)
#   GRID_SEEDS=500 GRID_FOLDS=5 GRID_ROUNDS=3 bench/run_grid.sh
#   GRID_ROWS=2000 GRID_FEATURES=50 GRID_LABELS=10 bench/run_grid.sh    (larger cells)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
bin=$build/labelgraph
seeds=${GRID_SEEDS:-500}
folds=${GRID_FOLDS:-5}
rounds=${GRID_ROUNDS:-3}
rows=${GRID_ROWS:-60}
features=${GRID_FEATURES:-5}
labels=${GRID_LABELS:-4}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
seed_list=$(seq -s, 1 "$seeds")
cat > "$work/grid.toml" <<TOML
[experiment]
name = "bench-grid"
seed = 1
seeds = [$seed_list]
threads = 1
[split]
method = "kfold"
folds = $folds
[graph]
enabled = false
[[datasets]]
name = "tiny"
[datasets.synthetic]
rows = $rows
labels = $labels
features = $features
[[algorithms]]
name = "br"
[[algorithms]]
name = "cc"
[[algorithms]]
name = "mlknn"
k = 5
[[algorithms]]
name = "lp"
TOML
cells=$((seeds * folds * 4))
now() { date +%s.%N; }
echo "bench/grid: $cells cells ($rows rows, $features features, $labels labels), $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg), $(date -u +%FT%TZ)"
printf '%-6s %10s %10s %8s %12s\n' round first_s rerun_s ratio ms_per_cell
i=1
while [ "$i" -le "$rounds" ]; do
  rm -rf "$work/out"
  t0=$(now)
  "$bin" run "$work/grid.toml" --out "$work/out" > "$work/first.txt" 2>/dev/null
  t1=$(now)
  "$bin" run "$work/grid.toml" --out "$work/out" > "$work/rerun.txt" 2>/dev/null
  t2=$(now)
  grep -q "cells: $cells run, 0 reused" "$work/first.txt" || { echo "first run did not run every cell"; tail -3 "$work/first.txt"; exit 1; }
  grep -q "cells: 0 run, $cells reused" "$work/rerun.txt" || { echo "rerun did not reuse every cell"; tail -3 "$work/rerun.txt"; exit 1; }
  awk -v r="$i" -v a="$t0" -v b="$t1" -v c="$t2" -v n="$cells" 'BEGIN { printf "%-6s %10.2f %10.2f %8.4f %12.2f\n", r, b - a, c - b, (c - b) / (b - a), 1000 * (b - a) / n }'
  i=$((i + 1))
done
