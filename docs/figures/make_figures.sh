#!/usr/bin/env bash
# make_figures.sh - rebuilds every figure that README.md and docs/ show, with tinytex commands only.
#
# usage: docs/figures/make_figures.sh [BUILD_DIR]      (BUILD_DIR defaults to build; runs BUILD_DIR/tinytex)
#
# The settings are small so the whole script runs in a few minutes on lavapipe (Mesa's CPU
# Vulkan driver, no GPU needed); TT_FIGURES_FULL=1 trains with the subcommands' defaults
# instead (the numbers in docs/neural.md and docs/latent.md; minutes on a real GPU).
# Intermediate files go to a temporary folder that is removed at the end.
#
# File (docs/figures/)   Made by (W = the temporary folder, S = samples/)
# bc7_sample.png         tinytex bc7 S/sample.jpg -o W/sample.dds
#                        tinytex compare S/sample.jpg W/sample.dds --figure docs/figures/bc7_sample.png --heatmap-scale 16
#                        -> original | BC7 decoded | error heatmap (errors of 16 and up in yellow)
# training_psnr.svg      tinytex hash S/sample.png -o W/hash.tnx $HASH --log W/hash.csv
# training_psnr.png      tinytex latent S/sample.png -o W/latent.tnx $LATENT --log W/latent.csv
#                        tinytex plot W/hash.csv W/latent.csv --labels hash,latent -o docs/figures/training_psnr.svg
#                        tinytex plot (the same) -o docs/figures/training_psnr.png
#                        -> batch PSNR against training step; latent's JPEG fine-tuning continues the axis
# latent_preview.png     the latent run above with --latent-preview docs/figures/latent_preview.png
#                        -> lo-grid channels 0-2 of the stored (JPEG-coded) latents as RGB
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
T=$BUILD/tinytex
[ -x "$T" ] || { echo "make_figures.sh: $T not found (build first: cmake --build $BUILD)" >&2; exit 2; }
S=$ROOT/samples
F=$ROOT/docs/figures
W=$(mktemp -d "${TMPDIR:-/tmp}/tinytex-figures.XXXXXX")
trap 'rm -rf "$W"' EXIT

if [ "${TT_FIGURES_FULL:-0}" = 1 ]; then
    HASH=""
    LATENT="--latent-codec jpeg"
    NOTE="default settings"
else
    HASH="--iters 600 --batch 4096 --n-levels 8 --log2-t 12 --hidden 16 --depth 1 --steps-per-submit 100 --decode-repeats 1"
    LATENT="--iters 400 --batch 4096 --hidden 16 --depth 1 --qat-start 200 --latent-codec jpeg --finetune-steps 100 --decode-repeats 1"
    NOTE="small models"
fi
step() { echo "== $*" >&2; "$@"; }

# BC7: side-by-side comparison figure.
step "$T" bc7 "$S/sample.jpg" -o "$W/sample.dds"
step "$T" compare "$S/sample.jpg" "$W/sample.dds" --figure "$F/bc7_sample.png" --heatmap-scale 16

# Neural codecs: training logs -> PSNR-vs-step plot; latent grids preview.
# shellcheck disable=SC2086 # HASH and LATENT are option lists
step "$T" hash "$S/sample.png" -o "$W/hash.tnx" $HASH --log "$W/hash.csv"
# shellcheck disable=SC2086
step "$T" latent "$S/sample.png" -o "$W/latent.tnx" $LATENT --log "$W/latent.csv" \
    --latent-preview "$F/latent_preview.png"
for ext in svg png; do
    step "$T" plot "$W/hash.csv" "$W/latent.csv" --labels hash,latent \
        --title "sample.png, PSNR of each training batch ($NOTE)" -o "$F/training_psnr.$ext"
done

echo "figures in $F:" >&2
ls -l "$F"/*.png "$F"/*.svg >&2
