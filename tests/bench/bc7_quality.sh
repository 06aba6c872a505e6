#!/usr/bin/env bash
# bc7_quality.sh - the BC7 quality table of docs/benchmarks.md: every tinytex preset beside bc7enc -u4 and -u6 on the comparison set, PSNR from the written files.
# usage: tests/bench/bc7_quality.sh BIN_DIR OUT_DIR BC7ENC [EXTRA_PNG_DIR] [PRESETS]
#   BIN_DIR holds tinytex and bc7_testset; BC7ENC is bc7enc_rdo (../shared/tools/peer-bc7enc.sh prints its path);
#   EXTRA_PNG_DIR adds more PNGs (e.g. Kodak photos); PRESETS defaults to "fastest fast medium thorough"; a preset
#   written NAME+loose runs with --loose-alpha (bc7enc's rule for opaque images: alpha may decode 254, its error
#   does not count).
# Last column: the share of texels of an opaque image that bc7enc -u4 decodes with alpha 254 instead of 255
#   (4 MSE_RGBA - 3 MSE_RGB, exact because each such texel is off by one), the freedom that --loose-alpha grants.
# Score: RGB PSNR for opaque images, RGBA PSNR for images with alpha, of every written file decoded by the Vulkan
# device's own BC7 sampler (`tinytex decode --sampler`: the GPU's texture unit, or Mesa's decoder on lavapipe),
# an independent decoder for both encoders' files. bc7enc's own decoded PNG is also checked against tinytex's C
# decoder (same RGB), and tinytex's report PSNR against the sampler's.
set -u
bin=$1; out=$2; peer=$3; extra=${4:-}; presets=${5:-fastest fast medium thorough}
mkdir -p "$out/set"
"$bin/bc7_testset" samples/sample.jpg samples/sample.png "$out/set" || exit 1
[ -n "$extra" ] && cp "$extra"/*.png "$out/set/"
# field FILE.json KEY: a top-level or first-file value of a tinytex report
field() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); f=d["files"][0] if "files" in d else d; print(f.get(sys.argv[2]))' "$1" "$2"; }
score() { # score FILE.json yes|no: RGBA PSNR where the source image has alpha, else RGB (bc7enc's files of opaque
           # images decode alpha 254 in places, which must not count as the image having alpha)
    if [ "$2" = yes ]; then printf '%.2f' "$(field "$1" psnr_rgba)"; else printf '%.2f' "$(field "$1" psnr_rgb)"; fi
}
printf '| image | alpha |'; for p in $presets; do printf ' %s |' "$p"; done; printf ' bc7enc -u4 | bc7enc -u6 | -u4 alpha 254 |\n'
printf '|---|---|'; for p in $presets; do printf -- '---|'; done; printf -- '---|---|---|\n'
for img in "$out"/set/*.png; do
    name=$(basename "$img" .png)
    # tinytex keeps opaque alpha at 255, so its report has an RGBA PSNR exactly when the image has alpha
    "$bin/tinytex" bc7 "$img" -o "$out/$name.probe.dds" --preset fastest -q --json "$out/$name.probe.json" >/dev/null
    [ "$(field "$out/$name.probe.json" psnr_rgba)" != None ] && a=yes || a=no
    printf '| %s | %s |' "$name" "$a"
    for p in $presets; do
        loose=; case $p in *+loose) loose=--loose-alpha ;; esac
        "$bin/tinytex" bc7 "$img" -o "$out/$name.$p.dds" --preset "${p%+loose}" $loose -q --json "$out/$name.$p.json" >/dev/null
        "$bin/tinytex" decode "$out/$name.$p.dds" -o "$out/$name.$p.gpu.png" --sampler -q
        "$bin/tinytex" compare "$img" "$out/$name.$p.gpu.png" --json "$out/$name.$p.gpu.json" >/dev/null
        [ "$(score "$out/$name.$p.json" $a)" = "$(score "$out/$name.$p.gpu.json" $a)" ] ||
            echo "warning: report and sampler PSNR differ on $name $p" >&2
        printf ' %s |' "$(score "$out/$name.$p.gpu.json" $a)"
    done
    for u in 4 6; do
        "$peer" -u$u -q "$img" "$out/$name.u$u.dds" "$out/$name.u$u.png" >/dev/null 2>&1
        "$bin/tinytex" decode "$out/$name.u$u.dds" -o "$out/$name.u$u.tt.png" -q
        "$bin/tinytex" compare "$out/$name.u$u.png" "$out/$name.u$u.tt.png" --json "$out/chk.json" >/dev/null
        [ "$(field "$out/chk.json" psnr_rgb)" = None ] || echo "warning: tinytex and bc7enc decode $name -u$u differently" >&2
        "$bin/tinytex" decode "$out/$name.u$u.dds" -o "$out/$name.u$u.gpu.png" --sampler -q
        "$bin/tinytex" compare "$img" "$out/$name.u$u.gpu.png" --json "$out/$name.u$u.json" >/dev/null
        printf ' %s |' "$(score "$out/$name.u$u.json" $a)"
    done
    if [ $a = no ]; then
        python3 -c 'import sys; r = float(sys.argv[1]); a = r if sys.argv[2] == "None" else float(sys.argv[2]); m = lambda p: 65025 / 10 ** (p / 10)
print(" %.0f %% |" % (100 * (4 * m(a) - 3 * m(r))), end="")' "$(field "$out/$name.u4.json" psnr_rgb)" "$(field "$out/$name.u4.json" psnr_rgba)"
    else
        printf ' - |'
    fi
    printf '\n'
done
