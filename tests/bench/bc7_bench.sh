#!/usr/bin/env bash
# bc7_bench.sh - the BC7 speed figures of docs/benchmarks.md: GPU kernel time of every preset on a 4096x4096 photo and a 4096x4096 image with alpha, with the PSNR of the 512x512 originals.
# usage: tests/bench/bc7_bench.sh BIN_DIR OUT_DIR [PRESETS]
#   BIN_DIR holds tinytex, tile_image and bc7_testset. Kernel time is what --benchmark prints: the mean GPU time of
#   10 encodes (timestamps around the passes), after one untimed encode.
set -u
bin=$1; out=$2; presets=${3:-fastest fast medium thorough exhaustive}
mkdir -p "$out/set"
"$bin/tinytex" devices
"$bin/bc7_testset" samples/sample.jpg samples/sample.png "$out/set" || exit 1
"$bin/tile_image" "$out/set/photo.png" 4096 4096 "$out/photo4096.png"
"$bin/tile_image" "$out/set/alpha.png" 4096 4096 "$out/alpha4096.png"
for img in photo alpha; do
    for p in $presets; do
        "$bin/tinytex" bc7 "$out/set/$img.png" -o "$out/q.dds" --preset "$p" -q --json "$out/q.json"
        q=$(sed -n 's/^[[:space:]]*"psnr_rgba\{0,1\}":[[:space:]]*\([0-9.]*\),$/\1/p' "$out/q.json" | tr '\n' ' ')
        "$bin/tinytex" bc7 "$out/${img}4096.png" -o "$out/t.dds" --preset "$p" -q >/dev/null
        line=$("$bin/tinytex" bc7 "$out/${img}4096.png" -o "$out/t.dds" --preset "$p" --benchmark 10 | grep '^benchmark')
        echo "$img $p: 512² PSNR (RGB RGBA) $q| 4096² $line"
    done
done
