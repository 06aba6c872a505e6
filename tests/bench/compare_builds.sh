#!/usr/bin/env bash
# compare_builds.sh - two builds side by side on one device: BC7 kernel time and blocks, training time, decode.
# usage: tests/bench/compare_builds.sh BIN_DIR_BEFORE BIN_DIR_AFTER [OUT_DIR]
#   Each BIN_DIR holds tinytex (and the second tile_image). Run on a GPU machine after gpu-prep (see
#   docs/benchmarks.md); every pair runs twice, alternating, so drift shows.
set -u
B=$1; N=$2; T=${3:-/tmp/compare_builds}
mkdir -p "$T"
"$N/tinytex" devices 2>&1 | head -3
"$N/tile_image" samples/sample.jpg 4096 4096 "$T/t4096.png" >/dev/null
for mode in "" "--modes 6" "--modes 1,3,6"; do
    for b in "$B" "$N" "$B" "$N"; do
        echo "== bc7 $b 4096x4096 $mode"
        "$b/tinytex" bc7 "$T/t4096.png" -o "$T/$(basename "$b").dds" $mode --benchmark 10 2>&1 | grep -iE 'gpu|psnr' | head -3
    done
    cmp "$T/$(basename "$B").dds" "$T/$(basename "$N").dds" && echo "blocks identical ($mode)"
done
for b in "$B" "$N" "$B" "$N"; do
    echo "== latent $b"
    "$b/tinytex" latent samples/sample.png -o "$T/l-$(basename "$b").tnx" --latent-codec raw -v 2>&1 | tr '\r' '\n' |
        grep -E 'trained|\.tnx:' | tail -2
done
for b in "$B" "$N" "$B" "$N"; do
    echo "== hash $b"
    "$b/tinytex" hash samples/sample.png -o "$T/h-$(basename "$b").tnx" 2>&1 | tr '\r' '\n' | grep -E '\.tnx' | tail -1
done
for b in "$B" "$N"; do "$b/tinytex" decode "$T/l-$(basename "$N").tnx" -o "$T/d-$(basename "$b").png" -v 2>&1 | tail -1; done
cmp "$T/d-$(basename "$B").png" "$T/d-$(basename "$N").png" && echo "decode of the same .tnx identical"
