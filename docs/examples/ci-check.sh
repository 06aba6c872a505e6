#!/usr/bin/env bash
# ci-check.sh - CI gate for texture assets: encode them all to BC7 and fail the build when any file fails, any PSNR is under a floor, or any PSNR dropped against a baseline.
#
# usage: ci-check.sh ASSETS_DIR [BASELINE.csv]
#
#   ASSETS_DIR    folder of source images (walked recursively; non-images are skipped)
#   BASELINE.csv  optional: a --csv report from an earlier good build (e.g. committed as
#                 ci/textures-baseline.csv). Any asset whose RGB PSNR is now more than
#                 MAX_DROP dB below its baseline fails the build.
#
# environment (all optional):
#   TINYTEX   tinytex binary                        (default: tinytex on PATH)
#   OUT       output folder for the .dds files      (default: build/textures)
#   REPORTS   folder for textures.json/.csv         (default: build/reports)
#   MIN_PSNR  absolute floor in dB, 0 = none        (default: 38)
#   MAX_DROP  allowed drop against the baseline, dB (default: 0.05)
#   JOBS      worker threads, 0 = one per CPU       (default: 0)
#   BC7_OPTS  more options for 'tinytex bc7' (e.g. "--srgb", "--format ktx2", "--cpu")
#
# exit: 0 all good; 1 an asset failed to encode (or tinytex could not run);
#       2 usage error; 3 an asset is under MIN_PSNR or dropped against the baseline.
#
# Outputs that are newer than their source are not re-encoded (a CI cache of OUT makes
# re-runs fast), but they are still decoded and measured, so the gate still holds.
# Both reports are written atomically: keep them as CI artifacts.
set -u
assets=${1:?usage: ci-check.sh ASSETS_DIR [BASELINE.csv]}
baseline=${2:-}
TINYTEX=${TINYTEX:-tinytex}
OUT=${OUT:-build/textures}
REPORTS=${REPORTS:-build/reports}
MIN_PSNR=${MIN_PSNR:-38}
MAX_DROP=${MAX_DROP:-0.05}
JOBS=${JOBS:-0}
mkdir -p "$REPORTS" || exit 1

# -q: only errors (one line per failed file, one per file under the floor) reach the CI log.
# shellcheck disable=SC2086  # BC7_OPTS is a list of options
"$TINYTEX" bc7 "$assets" -o "$OUT" --jobs "$JOBS" --min-psnr "$MIN_PSNR" \
    --json "$REPORTS/textures.json" --csv "$REPORTS/textures.csv" -q ${BC7_OPTS:-}
rc=$?
case $rc in
    0) echo "ci-check: all assets encoded, RGB PSNR >= $MIN_PSNR dB" ;;
    1) echo "ci-check: FAILED: some assets could not be encoded (see the errors above and $REPORTS/textures.json)" ;;
    2) echo "ci-check: usage error (check BC7_OPTS)"; exit 2 ;;
    3) echo "ci-check: FAILED: some assets are below --min-psnr $MIN_PSNR dB (see above)" ;;
    *) echo "ci-check: tinytex exited with $rc"; exit 1 ;;
esac

# Regression check against the baseline report: same input path, PSNR dropped by more
# than MAX_DROP dB. A quote-aware CSV reader, since paths and device names may hold commas.
drops=0
if [ -n "$baseline" ]; then
    awk -v max_drop="$MAX_DROP" '
        function csv_split(line, f,    n, i, c, field, q) {
            n = 0; field = ""; q = 0
            for (i = 1; i <= length(line); i++) {
                c = substr(line, i, 1)
                if (q) {
                    if (c == "\"") { if (substr(line, i + 1, 1) == "\"") { field = field c; i++ } else q = 0 }
                    else field = field c
                } else if (c == "\"") q = 1
                else if (c == ",") { f[++n] = field; field = "" }
                else field = field c
            }
            f[++n] = field
            return n
        }
        function psnr(v) { return v == "inf" ? 1e9 : v + 0 }
        FNR == 1 { csv_split($0, h); for (k in h) col[h[k]] = k; next }
        { csv_split($0, f); in_ = f[col["input"]]; p = f[col["psnr_rgb"]] }
        NR == FNR { if (p != "") base[in_] = p; next }
        p != "" && (in_ in base) && psnr(p) < psnr(base[in_]) - max_drop {
            printf "ci-check: PSNR dropped: %s: %s dB -> %s dB\n", in_, base[in_], p
            bad++
        }
        END { exit bad > 0 }
    ' "$baseline" "$REPORTS/textures.csv" || drops=1
    if [ "$drops" -eq 1 ]; then echo "ci-check: FAILED: PSNR dropped by more than $MAX_DROP dB against $baseline"
    else echo "ci-check: no PSNR drop against $baseline"; fi
fi

[ "$rc" -ne 0 ] && exit "$rc"
[ "$drops" -ne 0 ] && exit 3
exit 0
