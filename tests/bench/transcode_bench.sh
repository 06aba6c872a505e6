#!/usr/bin/env bash
# transcode_bench.sh - the neural -> BC7 figure of docs/benchmarks.md (issue 16): a .tnx of a 4096x4096 image to a BC7 DDS, (a) `decode x.tnx -o x.dds` (network decode + encode on the GPU in one submission) against (b) `decode x.tnx -o x.png` then `bc7 x.png -o x.dds`, for a hash and a latent model.
# usage: tests/bench/transcode_bench.sh BUILD_DIR OUT_DIR [IMAGE] [RUNS] [PRESETS]
#   BUILD_DIR holds tinytex and tile_image; IMAGE (default samples/sample.png) is tiled to 4096x4096 by tile_image;
#   TT_BENCH_SIZE / TT_BENCH_ITERS (environment) change the side and the training steps for a smoke run.
#   RUNS (default 3) timed runs after one warm-up run (pipelines built and cached); PRESETS (default "fastest medium").
#   Per model, preset and run it prints the wall time of (a) and of (b) (both commands), the GPU ("kernel") times the
#   tool reports in its --json report (a: gpu_ms, one submission; b: decode_ms of the network + gpu_ms of the
#   encode), the ratios, and whether the two DDS files are identical (they must be).
set -eu
build=$1; out=$2; image=${3:-samples/sample.png}; runs=${4:-3}; presets=${5:-fastest medium}
size=${TT_BENCH_SIZE:-4096}; iters=${TT_BENCH_ITERS:-1000}   # smaller for a smoke run on lavapipe
tt=$build/tinytex
mkdir -p "$out"
export XDG_CACHE_HOME=$out/cache   # the pipeline cache file: runs after the warm-up load pipelines, not build them
"$build/tile_image" "$image" "$size" "$size" "$out/src.png" >/dev/null
# Quick fits: the decode's cost depends on the model's size, not on how long it trained.
"$tt" hash "$out/src.png" -o "$out/hash.tnx" --iters "$iters" -q
"$tt" latent "$out/src.png" -o "$out/latent.tnx" --iters "$iters" -q
num() { sed -n "s/^[[:space:]]*\"$2\":[[:space:]]*\([-0-9.eE+]*\),\{0,1\}$/\1/p" "$1" | head -1; }
now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%.3f\", $1 }"; }
printf '%-7s %-8s %-4s %10s %10s %12s %12s %14s %12s %s\n' model preset run a_wall_s a_gpu_ms b_wall_s b_gpu_ms \
    b_wall/a_gpu b_wall/a_wall same
for model in hash latent; do
    for preset in $presets; do
        for r in $(seq 0 "$runs"); do
            t0=$(now)
            "$tt" decode "$out/$model.tnx" -o "$out/a.dds" --preset "$preset" --json "$out/a.json" -q
            t1=$(now)
            "$tt" decode "$out/$model.tnx" -o "$out/b.png" --json "$out/d.json" -q
            "$tt" bc7 "$out/b.png" -o "$out/b.dds" --preset "$preset" --json "$out/e.json" -q
            t2=$(now)
            [ "$r" -eq 0 ] && continue   # warm-up
            aw=$(calc "$t1 - $t0"); bw=$(calc "$t2 - $t1")
            ag=$(num "$out/a.json" gpu_ms); bg=$(calc "$(num "$out/d.json" decode_ms) + $(num "$out/e.json" gpu_ms)")
            same=$(cmp -s "$out/a.dds" "$out/b.dds" && echo identical || echo DIFFERENT)
            printf '%-7s %-8s %-4s %10s %10.3f %12s %12.3f %14s %12s %s\n' "$model" "$preset" "$r" "$aw" "$ag" "$bw" \
                "$bg" "$(calc "$bw * 1000 / $ag")" "$(calc "$bw / $aw")" "$same"
        done
    done
done
"$tt" devices 2>/dev/null | head -3 || true
