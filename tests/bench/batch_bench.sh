#!/usr/bin/env bash
# batch_bench.sh - the batch start-up figure of docs/benchmarks.md: one folder of 100 small images encoded by two builds.
# usage: tests/bench/batch_bench.sh BIN_DIR_BEFORE BIN_DIR_AFTER OUT_DIR [RUNS]
#   Each BIN_DIR holds tinytex; the inputs are crops of samples/sample.jpg, 32..128 pixels a side (tile_image of
#   BIN_DIR_AFTER). Prints the wall time of `tinytex bc7 FOLDER -o OUT --force -q` per build and run.
set -eu
before=$1; after=$2; out=$3; runs=${4:-3}
mkdir -p "$out/in"
for i in $(seq 0 99); do
    w=$((32 + (i * 8) % 97)); h=$((32 + (i * 13) % 97))
    "$after/tile_image" samples/sample.jpg "$w" "$h" "$out/in/img$i.png" >/dev/null
done
for r in $(seq 1 "$runs"); do
    for b in "$before" "$after"; do
        s=$(date +%s.%N)
        "$b/tinytex" bc7 "$out/in" -o "$out/out-$(basename "$b")" --force -q
        e=$(date +%s.%N)
        echo "run $r $b: $(awk -v a="$s" -v b="$e" 'BEGIN{printf "%.2f", b-a}') s for 100 images"
    done
done
diff -r "$out/out-$(basename "$before")" "$out/out-$(basename "$after")" >/dev/null && echo "outputs identical"
