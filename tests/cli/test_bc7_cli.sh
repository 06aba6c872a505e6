#!/usr/bin/env bash
# test_bc7_cli.sh - `tinytex bc7`, `decode`, `compare`, `info` end to end on lavapipe: quality, sizes, reports, exit codes.
. "$(dirname "$0")/lib.sh"
S=$TT_SAMPLES/sample.jpg

# Quality bar (issue 2): >= 39.95 dB on sample.jpg, measured from the written file.
run 0 "$TINYTEX" bc7 "$S" -o "$TMP/s.dds" --json "$TMP/s.json" --decoded "$TMP/s.png" -q
p=$(json_num "$TMP/s.json" psnr_rgb)
check "sample.jpg PSNR $p >= 39.95" ge "$p" 39.95
# The report's PSNR equals the PSNR of the file decoded independently of the encoder path.
run 0 "$TINYTEX" compare "$S" "$TMP/s.dds" --json "$TMP/c.json"
pc=$(json_num "$TMP/c.json" psnr_rgb)
check "report PSNR $p equals compare's $pc" near "$p" "$pc" 1e-9
run 0 "$TINYTEX" compare "$S" "$TMP/s.png" --json "$TMP/c2.json"
check "--decoded PNG gives the same PSNR" near "$(json_num "$TMP/c2.json" psnr_rgb)" "$p" 1e-9
# Opaque input decodes with alpha exactly 255: RGBA PSNR is null (no alpha anywhere).
check "opaque stays opaque" grep -q '"psnr_rgba":[[:space:]]*null' "$TMP/c.json"
# DDS size: 148-byte header (4 + 124 + 20) + 128*128 blocks * 16.
check "DDS size" [ "$(json_num "$TMP/s.json" output_bytes)" = "$((148 + 128 * 128 * 16))" ]
check "8 bpp" near "$(json_num "$TMP/s.json" bits_per_pixel)" 8.0046 0.001

# PCA only is measurably lower.
run 0 "$TINYTEX" bc7 "$S" -o "$TMP/pca.ktx2" --no-refine --json "$TMP/pca.json" -q
pp=$(json_num "$TMP/pca.json" psnr_rgb)
check "PCA-only $pp < full $p - 0.3" ge "$p" "$(awk -v x="$pp" 'BEGIN{print x + 0.3}')"

# KTX2 and sRGB flag.
run 0 "$TINYTEX" bc7 "$S" -o "$TMP/s.ktx2" --srgb -q
run 0 "$TINYTEX" info "$TMP/s.ktx2"
check "info sees sRGB KTX2" grep -q 'KTX2, BC7 sRGB, 512x512' "$TMP/out"

# Odd sizes keep their size; grey, grey+alpha, palette, 16-bit inputs work.
for f in cli_rgb_1x1 cli_rgb_5x3 cli_rgb_451x300 cli_grey8 cli_grey16 cli_greyalpha cli_palette cli_rgba16 cli_rgba_alpha; do
    run 0 "$TINYTEX" bc7 "$TT_TEST_DATA/$f.png" -o "$TMP/$f.dds" --decoded "$TMP/$f.out.png" -q
    run 0 "$TINYTEX" info "$TT_TEST_DATA/$f.png"
    want=$(sed -n 's/.*image, \([0-9]*x[0-9]*\),.*/\1/p' "$TMP/out")
    run 0 "$TINYTEX" info "$TMP/$f.dds"
    check "$f keeps size $want" grep -q "BC7 UNORM, $want," "$TMP/out"
    run 0 "$TINYTEX" decode "$TMP/$f.dds" -o "$TMP/$f.dec.png"
    run 0 "$TINYTEX" compare "$TMP/$f.out.png" "$TMP/$f.dec.png"
    check "$f: decode == --decoded" grep -q 'RGB PSNR inf' "$TMP/out"
done

# --min-psnr: exit 3 when not met, and the output is still written.
rm -f "$TMP/m.dds"
run 3 "$TINYTEX" bc7 "$S" -o "$TMP/m.dds" --min-psnr 60 -q
check "output written despite exit 3" [ -s "$TMP/m.dds" ]
run 0 "$TINYTEX" bc7 "$S" -o "$TMP/m.dds" --min-psnr 30 -q

# Usage errors exit 2.
run 2 "$TINYTEX" bc7 "$S" -o "$TMP/x.png"
run 2 "$TINYTEX" bc7 "$S"
run 2 "$TINYTEX" bc7 "$S" -o "$TMP/x.dds" --bogus
run 2 "$TINYTEX" bc7 "$S" -o "$TMP/x.dds" --nm-iterations abc
run 2 "$TINYTEX" nosuchcommand
run 0 "$TINYTEX" bc7 --help
check "help on stdout" grep -q 'usage: tinytex bc7' "$TMP/out"
run 0 "$TINYTEX" --version
check "version" grep -q '^tinytex [0-9]' "$TMP/out"
# Prototype spelling -i is accepted.
run 0 "$TINYTEX" bc7 -i "$TT_TEST_DATA/cli_rgb_5x3.png" -o "$TMP/i.dds" -q
finish
