#!/usr/bin/env bash
# bc7_tune.sh - variants of a BC7 preset side by side: PSNR of each written file of the 512x512 test set (RGBA where the image has alpha) and the 4096x4096 kernel speed, one line per variant.
# usage: tests/bench/bc7_tune.sh BIN_DIR OUT_DIR < VARIANTS
#   BIN_DIR holds tinytex, tile_image and bc7_testset; VARIANTS has one "NAME|tinytex bc7 options" per line, e.g.
#     medium|--preset medium
#     p2|--preset medium --partitions 2
#   Speed is what --benchmark 10 prints (mean GPU time after one untimed encode) on photo and alpha tiled to 4096².
#   Compare the PSNR columns with bc7enc's (tests/bench/bc7_quality.sh) before changing a preset.
set -u
b=$1; o=$2
mkdir -p "$o/set"
"$b/bc7_testset" samples/sample.jpg samples/sample.png "$o/set" >/dev/null || exit 1
"$b/tile_image" "$o/set/photo.png" 4096 4096 "$o/photo4096.png" >/dev/null || exit 1
"$b/tile_image" "$o/set/alpha.png" 4096 4096 "$o/alpha4096.png" >/dev/null || exit 1
while IFS='|' read -r name opts; do
    [ -z "$name" ] && continue
    line="$name:"
    for img in alpha cutout grey icon photo photo_smooth stone ui; do
        # shellcheck disable=SC2086 # opts is a list of options
        "$b/tinytex" bc7 "$o/set/$img.png" -o "$o/q.dds" $opts --gpu -q --json "$o/q.json" || { echo "$name: failed"; continue 2; }
        k=psnr_rgb
        case $img in alpha | cutout | icon) k=psnr_rgba ;; esac
        v=$(sed -n "s/^[[:space:]]*\"$k\":[[:space:]]*\([0-9.]*\),\{0,1\}$/\1/p" "$o/q.json" | head -1)
        line="$line $img=$(printf %.2f "$v")"
    done
    for img in photo alpha; do
        "$b/tinytex" bc7 "$o/${img}4096.png" -o "$o/t.dds" $opts -q >/dev/null
        s=$("$b/tinytex" bc7 "$o/${img}4096.png" -o "$o/t.dds" $opts --benchmark 10 | sed -n 's/.*, \([0-9.]*\) Mpix\/s.*/\1/p')
        line="$line ${img}4096=${s}Mpix/s"
    done
    echo "$line"
done
