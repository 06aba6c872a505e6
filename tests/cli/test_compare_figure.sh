#!/usr/bin/env bash
# test_compare_figure.sh - `tinytex compare --figure`: reference | test | heatmap side by side, sizes, gaps, errors.
. "$(dirname "$0")/lib.sh"
D=$TT_TEST_DATA

run 0 "$TINYTEX" bc7 --cpu "$D/cli_palette.png" -o "$TMP/w.dds" -q
# Default gap 8: width 3*37 + 2*8 = 127, height 23.
run 0 "$TINYTEX" compare "$D/cli_palette.png" "$TMP/w.dds" --figure "$TMP/fig.png" --heatmap "$TMP/h.png"
check "compare still prints the PSNR" grep -q '^RGB PSNR [0-9.]* dB' "$TMP/out"
run 0 "$TINYTEX" info "$TMP/fig.png"
check "figure 127x23" grep -q 'image, 127x23,' "$TMP/out"
run 0 "$TINYTEX" info "$TMP/h.png"
check "--heatmap still 37x23" grep -q 'image, 37x23,' "$TMP/out"
# --figure-gap: 0 and 20.
run 0 "$TINYTEX" compare "$D/cli_palette.png" "$TMP/w.dds" --figure "$TMP/fig0.png" --figure-gap 0 -q
run 0 "$TINYTEX" info "$TMP/fig0.png"
check "gap 0: 111x23" grep -q 'image, 111x23,' "$TMP/out"
run 0 "$TINYTEX" compare "$D/cli_palette.png" "$TMP/w.dds" --figure "$TMP/fig20.png" --figure-gap 20 -q
run 0 "$TINYTEX" info "$TMP/fig20.png"
check "gap 20: 151x23" grep -q 'image, 151x23,' "$TMP/out"
# Alpha and tiny images.
run 0 "$TINYTEX" bc7 --cpu "$D/cli_rgba_alpha.png" -o "$TMP/a.ktx2" -q
run 0 "$TINYTEX" compare "$D/cli_rgba_alpha.png" "$TMP/a.ktx2" --figure "$TMP/figa.png" -q
run 0 "$TINYTEX" info "$TMP/figa.png"
check "alpha figure 208x48" grep -q 'image, 208x48,' "$TMP/out"
run 0 "$TINYTEX" compare "$D/cli_rgb_1x1.png" "$D/cli_rgb_1x1.png" --figure "$TMP/fig1.png" -q
run 0 "$TINYTEX" info "$TMP/fig1.png"
check "1x1 figure 19x1" grep -q 'image, 19x1,' "$TMP/out"
# Two figures of the same pair are identical; a different test image changes the figure.
run 0 "$TINYTEX" compare "$D/cli_palette.png" "$TMP/w.dds" --figure "$TMP/fig-again.png" -q
check "figure is deterministic" cmp -s "$TMP/fig.png" "$TMP/fig-again.png"
run 0 "$TINYTEX" bc7 --cpu "$D/cli_palette.png" -o "$TMP/p.dds" --no-refine -q
run 0 "$TINYTEX" compare "$D/cli_palette.png" "$TMP/p.dds" --figure "$TMP/fig-pca.png" -q
check "another test image, another figure" sh -c "! cmp -s '$TMP/fig.png' '$TMP/fig-pca.png'"
# Errors: sizes differ -> exit 1 and no figure; bad gap -> usage error.
run 1 "$TINYTEX" compare "$D/cli_rgb_5x3.png" "$D/cli_rgb_1x1.png" --figure "$TMP/bad.png"
check "no figure on error" [ ! -e "$TMP/bad.png" ]
run 2 "$TINYTEX" compare "$D/cli_rgb_5x3.png" "$D/cli_rgb_5x3.png" --figure "$TMP/bad.png" --figure-gap -1
run 1 "$TINYTEX" compare "$D/cli_rgb_5x3.png" "$D/cli_rgb_5x3.png" --figure "$TMP/no/such/dir/f.png"
check "unwritable figure: error names it" grep -q 'no/such/dir/f.png' "$TMP/err"
finish
