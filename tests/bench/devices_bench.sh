#!/usr/bin/env bash
# devices_bench.sh - the --device all figure of docs/scale-out.md: one batch of 2048x2048 images on one GPU and on all.
# usage: tests/bench/devices_bench.sh BUILD_DIR OUT_DIR [COPIES [PRESET [JOBS]]]
#   COPIES (default 64) mirror-tilings of samples/sample.jpg at 2048x2048 (tile_image), then
#   `tinytex bc7 IN -o OUT --force -q --preset PRESET --jobs J --device D` for D = 0 and D = all, J = the number of
#   devices both times unless JOBS is given (the same CPU threads for loading and measuring; only the GPUs differ), each run twice (the
#   first also fills the pipeline cache). Prints wall time and Mpix/s per run, files per device, and checks that both
#   output trees are byte-identical.
set -eu
build=$1; out=$2; copies=${3:-64}; preset=${4:-medium}; jobs=${5:-}
tt=$build/tinytex
ndev=$("$tt" devices | grep -cE '^[* ] [0-9]+: ')
jobs=${jobs:-$ndev}
mkdir -p "$out/in"
"$build/tile_image" samples/sample.jpg 2048 2048 "$out/in/img0.png" >/dev/null
for i in $(seq 1 $((copies - 1))); do cp "$out/in/img0.png" "$out/in/img$i.png"; done
mpix=$(awk -v n="$copies" 'BEGIN { print n * 2048 * 2048 / 1e6 }')
echo "$ndev devices; $copies images of 2048x2048 ($mpix Mpix); --preset $preset --jobs $jobs"
for run in 1 2; do
    for dev in 0 all; do
        s=$(date +%s.%N)
        "$tt" bc7 "$out/in" -o "$out/out-$dev" --force -q --preset "$preset" --jobs "$jobs" --device "$dev" \
            --json "$out/report-$dev.json"
        e=$(date +%s.%N)
        awk -v a="$s" -v b="$e" -v m="$mpix" -v d="$dev" -v r="$run" \
            'BEGIN { printf "run %d --device %s: %.2f s, %.1f Mpix/s\n", r, d, b - a, m / (b - a) }'
    done
done
echo "files per device_index (--device all):"
awk -F'[:,]' '/"device_index":/ { gsub(/[[:space:]]/, "", $2); n[$2]++ } END { for (d in n) print "  device " d ": " n[d] }' \
    "$out/report-all.json"
diff -r "$out/out-0" "$out/out-all" >/dev/null && echo "outputs identical"
