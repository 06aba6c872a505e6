#!/usr/bin/env bash
# batch.sh - asset-pipeline step: encode colour textures (sRGB) and data textures (linear) to BC7 KTX2, incrementally, with reports and a figure of the worst asset.
#
# usage: batch.sh SRC_DIR OUT_DIR
#
# SRC_DIR/color/...  albedo, UI, ... : sRGB colour data      -> OUT_DIR/color/....ktx2 (--srgb)
# SRC_DIR/data/...   normal maps, masks: linear values       -> OUT_DIR/data/....ktx2
# Anything else in SRC_DIR is encoded as linear, into OUT_DIR/other/.
#
# Re-running only encodes images that changed (an output newer than its source is kept;
# pass FORCE=1 to redo everything, e.g. after changing encoder options).
# environment: TINYTEX (binary, default tinytex), JOBS (default 0 = one per CPU),
#              FORCE=1, BC7_OPTS (more 'tinytex bc7' options, e.g. "--cpu").
set -u
src=${1:?usage: batch.sh SRC_DIR OUT_DIR}
out=${2:?usage: batch.sh SRC_DIR OUT_DIR}
TINYTEX=${TINYTEX:-tinytex}
JOBS=${JOBS:-0}
force=()
[ "${FORCE:-0}" = 1 ] && force=(--force)
mkdir -p "$out/reports" || exit 1
status=0

encode() { # encode NAME SRC_SUBDIR [options...]
    local name=$1 dir=$2; shift 2
    [ -d "$dir" ] || return 0
    # shellcheck disable=SC2086
    "$TINYTEX" bc7 "$dir" -o "$out/$name" --format ktx2 --jobs "$JOBS" "${force[@]}" \
        --json "$out/reports/$name.json" --csv "$out/reports/$name.csv" "$@" ${BC7_OPTS:-}
    local rc=$?
    # Keep the worst exit code: 1 (a file failed) over 3 (quality) over 0.
    if [ "$rc" -eq 1 ] || { [ "$rc" -ne 0 ] && [ "$status" -ne 1 ]; }; then status=$rc; fi
}

encode color "$src/color" --srgb
encode data "$src/data"
# Top-level files and other folders: several inputs, so -o is again a folder.
others=()
for p in "$src"/*; do
    case ${p##*/} in color | data) ;; *) others+=("$p") ;; esac
done
if [ "${#others[@]}" -gt 0 ]; then
    # shellcheck disable=SC2086
    "$TINYTEX" bc7 "${others[@]}" -o "$out/other" --format ktx2 --jobs "$JOBS" "${force[@]}" \
        --json "$out/reports/other.json" --csv "$out/reports/other.csv" ${BC7_OPTS:-}
    rc=$?
    if [ "$rc" -eq 1 ] || { [ "$rc" -ne 0 ] && [ "$status" -ne 1 ]; }; then status=$rc; fi
fi

# A side-by-side figure (original | decoded | error heatmap) of the worst asset, for review.
# (Plain -F, is enough here when paths hold no commas; ci-check.sh has a quote-aware reader.)
worst=$(cat "$out"/reports/*.csv 2>/dev/null | awk -F, '
    $1 == "input" { next }                          # headers
    $3 == "ok" || $3 == "skipped" || $3 == "below_min_psnr" {
        if ($8 != "" && $8 != "inf" && (best == "" || $8 + 0 < best)) { best = $8 + 0; line = $1 "\t" $2 }
    }
    END { if (line != "") print line }')
if [ -n "$worst" ]; then
    IFS=$'\t' read -r worst_in worst_out <<<"$worst"
    "$TINYTEX" compare "$worst_in" "$worst_out" --figure "$out/reports/worst.png"
    echo "batch: worst asset $worst_in, figure in $out/reports/worst.png"
fi
exit "$status"
