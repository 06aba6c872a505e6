#!/usr/bin/env bash
# bc7_bench.sh - the BC7 figures of docs/benchmarks.md: tinytex (GPU kernel time) beside bc7enc on the same images.
# usage: tests/bench/bc7_bench.sh BIN_DIR OUT_DIR [BC7ENC]
#   BIN_DIR holds tinytex and tile_image; BC7ENC (optional) is bc7enc_rdo (../shared/tools/peer-bc7enc.sh).
set -u
bin=$1; out=$2; peer=${3:-}
mkdir -p "$out"
S=samples/sample.jpg
"$bin/tinytex" devices
"$bin/tile_image" "$S" 4096 4096 "$out/tiled4096.png"
"$bin/tinytex" decode "$S" -o "$out/sample.png" 2>/dev/null || "$bin/tile_image" "$S" 512 512 "$out/sample.png"
for img in "$S" "$out/tiled4096.png"; do
    name=$(basename "$img")
    for mode in "" "--modes 6" "--no-refit" "--no-refine"; do
        echo "== tinytex bc7 $name $mode"
        "$bin/tinytex" bc7 "$img" -o "$out/tt.dds" $mode --benchmark 10 --json "$out/tt-$name${mode// /}.json"
    done
done
if [ -n "$peer" ]; then
    for img in "$out/sample.png" "$out/tiled4096.png"; do
        for args in "-C -p0 -u4" "-u4"; do
            echo "== bc7enc $args $(basename "$img") ($(nproc) CPU threads)"
            s=$(date +%s.%N)
            "$peer" $args -q "$img" "$out/peer.dds" "$out/peer.png" | grep -E 'PSNR' | head -2
            e=$(date +%s.%N)
            echo "wall seconds: $(echo "$e - $s" | bc -l 2>/dev/null || awk -v a="$s" -v b="$e" 'BEGIN{print b-a}')"
            "$bin/tinytex" compare "$img" "$out/peer.dds"
        done
    done
fi
