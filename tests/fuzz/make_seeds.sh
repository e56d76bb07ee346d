#!/usr/bin/env bash
# Builds the seed corpora of the fuzz targets into OUT/<target>/ (bench/fuzz.sh calls it):
# samples of the real shared data sets (${LABELGRAPH_DATA:-../shared/datasets}, never copied
# into the repository: each seed is a small cut of a file, made here at fuzz time), the test
# fixtures, the experiment configs and Debian's Fashion-MNIST IDX files. The committed seeds in
# tests/fuzz/seeds/ (images) and the regression inputs in tests/fuzz/regressions/ are passed to
# the targets as corpus folders of their own.
#   tests/fuzz/make_seeds.sh OUT
# Prints how many seeds each target got; exits 3 when the shared data is missing (the caller
# decides whether that is a failure).
set -euo pipefail
out=${1:?usage: make_seeds.sh OUT}
root=$(cd "$(dirname "$0")/../.." && pwd)
data=${LABELGRAPH_DATA:-$root/../shared/datasets}
fx=$root/tests/fixtures
mnist=/usr/share/datasets/fashion-mnist
missing_shared=0
[[ -d $data/emotions && -d $data/mlgcn-adj ]] || missing_shared=1

mkdir -p "$out"
seed() {  # seed TARGET NAME < content
  mkdir -p "$out/$1"
  cat >"$out/$1/$2"
}
copy() {  # copy TARGET FILE... (small files, whole)
  local t=$1; shift
  mkdir -p "$out/$t"
  for f in "$@"; do [[ -f $f ]] && cp "$f" "$out/$t/$(basename "$(dirname "$f")")-$(basename "$f")"; done
  return 0
}
# The header of an ARFF file and its first N data lines (real files are up to 15 MB).
arff_cut() { awk -v n="$2" 'd { if (n-- <= 0) exit } { print } tolower($0) ~ /^@data/ { d = 1 }' "$1"; }

# ---- ARFF and MULAN XML ----
copy arff "$fx"/arff/*.arff "$fx"/stats/*.arff "$fx"/catalog/data/tiny/*.arff "$fx"/scores/truth.arff
copy mulan_xml "$fx"/arff/*.xml "$fx"/catalog/data/tiny/*.xml
if ((!missing_shared)); then
  for f in "$data"/*/*.arff; do
    case $f in *-test*.arff | *-train*.arff) [[ $f == *scene-train* || $f == *Corel5k-test.arff ]] || continue ;; esac
    arff_cut "$f" 6 | seed arff "$(basename "$f")"
  done
  copy mulan_xml "$data"/*/*.xml
fi

# ---- LIBSVM / XC ----
copy libsvm "$fx"/libsvm/*.svm "$fx"/libsvm/xc_header.txt "$fx"/scores/truth_libsvm.txt

# ---- CSV data sets ----
copy csv "$fx"/csv/*.csv "$fx"/scores/truth.csv "$fx"/models/lp_train_y.csv "$fx"/eval/five_images/truth.csv
# A header of names, labels named "a", "b" and "label*" (the declarations the target tries).
printf 'f1,a,label_x,b,f2\n0.5,1,0,1,2\n?,0,1,0,NA\n' | seed csv handmade.csv

# ---- score / truth matrices ----
copy score_csv "$fx"/scores/*.csv "$fx"/eval/*/scores.csv "$fx"/eval/*/truth.csv "$fx"/nets/gcn_adj.csv
copy score_text "$fx"/scores/*.txt "$fx"/scores/*.tsv "$fx"/libsvm/small.svm
copy score_npy "$fx"/scores/*.npy "$fx"/scores/bad/*.npy "$fx"/io/*.npy
if ((!missing_shared)); then
  head -n 20 "$data/mlgcn-adj/voc_cooccurrence.csv" | seed score_csv voc_cooccurrence.csv
  head -n 20 "$data/mlgcn-adj/coco_label_counts.csv" | seed score_csv coco_label_counts.csv
  head -n 12 "$data/mlgcn-adj/voc_cooccurrence.csv" | tr ',' ' ' | seed score_text voc_cooccurrence.txt
fi

# ---- label embeddings: the label line, then the file (see fuzz_embeddings.cpp) ----
printf 'traffic light,person\n# comment\r\ntraffic_light 1 2.5\nperson -1e-3 4\nother 1 2\n' |
  seed embeddings handmade.txt
if ((!missing_shared)); then
  for set in voc coco; do
    labels=$data/mlgcn-adj/${set}_labels.txt glove=$data/mlgcn-adj/${set}_glove300.txt
    { head -n 6 "$labels" | paste -sd, -; head -n 6 "$glove" | cut -d' ' -f1-9; } | seed embeddings "$set-8d.txt"
    { head -n 1 "$labels"; head -n 1 "$glove"; } | seed embeddings "$set-300d.txt"
  done
fi

# ---- experiment configs ----
copy config "$root"/experiments/*.toml "$root"/datasets/*.toml "$fx"/catalog/descriptors/*.toml "$fx"/catalog/bad/*.toml

# ---- IDX (Debian's dataset-fashion-mnist, installed by .ci/setup): 3 images, 10 labels ----
if [[ -f $mnist/t10k-images-idx3-ubyte.gz ]]; then
  mkdir -p "$out/idx"
  python3 - "$mnist" "$out/idx" <<'PY'
import gzip, struct, sys
src, dst = sys.argv[1], sys.argv[2]
img = gzip.open(src + "/t10k-images-idx3-ubyte.gz").read(16 + 3 * 784)
lab = gzip.open(src + "/t10k-labels-idx1-ubyte.gz").read(8 + 10)
img = img[:4] + struct.pack(">I", 3) + img[8:]
lab = lab[:4] + struct.pack(">I", 10) + lab[8:]
for name, data in (("images3", img), ("labels10", lab)):
    open(f"{dst}/{name}-idx-ubyte", "wb").write(data)
    open(f"{dst}/{name}-idx-ubyte.gz", "wb").write(gzip.compress(data, mtime=0))
PY
fi
printf '\x00\x00\x08\x03\x00\x00\x00\x01\x00\x00\x00\x02\x00\x00\x00\x02\x01\x02\x03\x04' | seed idx handmade-images
printf '\x00\x00\x08\x01\x00\x00\x00\x02\x07\x09' | seed idx handmade-labels

for d in "$out"/*/; do printf '%s %d\n' "$(basename "$d")" "$(find "$d" -type f | wc -l)"; done
if ((missing_shared)); then
  echo "make_seeds: the shared data sets are not in $data: seeds from the fixtures only" >&2
  exit 3
fi
