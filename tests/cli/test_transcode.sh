#!/usr/bin/env bash
# test_transcode.sh - `tinytex decode MODEL.tnx -o OUT.dds|OUT.ktx2` (neural -> BC7 on the GPU, lavapipe, tiny models): blocks equal `bc7` of the decoded PNG byte for byte (hash and latent, presets, mip chains, both containers), --reference figures equal `compare`'s, bad .tnx input, batch over folders, usage errors.
. "$(dirname "$0")/lib.sh"
D=$TT_TEST_DATA
IMG=$D/cli_rgb_451x300.png   # odd width: edge blocks replicate texels
HASH="--iters 30 --batch 1024 --n-levels 4 --log2-t 8 --max-res 64 --hidden 16 --depth 1 --decode-repeats 1"
LATENT="--iters 30 --batch 512 --ch-lo 4 --ch-hi 2 --scale-lo 4 --scale-hi 2 --hidden 16 --depth 1 --qat-start 15 --lr 1e-2 --decode-repeats 1"
run 0 "$TINYTEX" hash "$IMG" -o "$TMP/h.tnx" $HASH -q
run 0 "$TINYTEX" latent "$IMG" -o "$TMP/l.tnx" $LATENT -q

# The must-hold: the blocks equal those `bc7` makes of the PNG that `decode` writes, bit for bit (the whole files:
# same container writer, so any difference is a block).
run 0 "$TINYTEX" decode "$TMP/h.tnx" -o "$TMP/h.png" -q
run 0 "$TINYTEX" decode "$TMP/l.tnx" -o "$TMP/l.png" -q
same() {   # same MODEL EXT OPTS...: bc7 of the decoded PNG and decode of the model, both to .EXT
    local m=$1 ext=$2; shift 2
    run 0 "$TINYTEX" bc7 "$TMP/$m.png" -o "$TMP/a.$ext" "$@" -q
    run 0 "$TINYTEX" decode "$TMP/$m.tnx" -o "$TMP/b.$ext" "$@" -q
    check "$m $* .$ext: same bytes as bc7 of the decoded PNG" cmp -s "$TMP/a.$ext" "$TMP/b.$ext"
}
same h dds --preset fastest
same h ktx2 --preset medium
same l dds --preset fastest
same l dds --preset fast --mipmaps
same h ktx2 --preset fastest --mipmaps --srgb
run 0 "$TINYTEX" info "$TMP/b.ktx2"
check "--mipmaps: the full chain of 451x300 (9 levels)" grep -q '9 mip levels' "$TMP/out"

# --reference: the file against the original, the network's image against the original, the file against the
# network's image; each equals what `compare` measures on the files.
run 0 "$TINYTEX" decode "$TMP/h.tnx" -o "$TMP/r.dds" --preset fastest --reference "$IMG" --json "$TMP/r.json"
check "--reference: a line with both figures" grep -q "PSNR against .*: network .* dB, BC7 file .* dB" "$TMP/err"
run 0 "$TINYTEX" decode "$TMP/r.dds" -o "$TMP/r.png" -q
"$TINYTEX" compare "$IMG" "$TMP/r.png" --json "$TMP/c1.json" -q
"$TINYTEX" compare "$IMG" "$TMP/h.png" --json "$TMP/c2.json" -q
"$TINYTEX" compare "$TMP/h.png" "$TMP/r.png" --json "$TMP/c3.json" -q
check "psnr_vs_reference = compare(original, file)" \
    near "$(json_num "$TMP/r.json" psnr_vs_reference)" "$(json_num "$TMP/c1.json" psnr_rgb)" 1e-6
check "psnr_rgb (main figure) = psnr_vs_reference" \
    near "$(json_num "$TMP/r.json" psnr_rgb)" "$(json_num "$TMP/c1.json" psnr_rgb)" 1e-6
check "network_psnr_vs_reference = compare(original, network)" \
    near "$(json_num "$TMP/r.json" network_psnr_vs_reference)" "$(json_num "$TMP/c2.json" psnr_rgb)" 1e-6
check "psnr_vs_network = compare(network, file)" \
    near "$(json_num "$TMP/r.json" psnr_vs_network)" "$(json_num "$TMP/c3.json" psnr_rgb)" 1e-6
check "report: GPU time of the submission" ge "$(json_num "$TMP/r.json" gpu_ms)" 0
run 0 "$TINYTEX" decode "$TMP/h.tnx" -o "$TMP/n.dds" --preset fastest --json "$TMP/n.json" -q
check "no --reference: the main figure is against the network's image" \
    near "$(json_num "$TMP/n.json" psnr_rgb)" "$(json_num "$TMP/c3.json" psnr_rgb)" 1e-6
run 1 "$TINYTEX" decode "$TMP/h.tnx" -o "$TMP/x.dds" --reference "$D/cli_rgba_alpha.png"
check "--reference of another size: named" grep -q "cli_rgba_alpha.png: 64x48, but .*451x300" "$TMP/err"
check "--reference of another size: no output" [ ! -e "$TMP/x.dds" ]

# Bad .tnx input behaves as `decode` to PNG does: one clear error, exit 1, no output.
head -c 300 "$TMP/h.tnx" > "$TMP/cut.tnx"
run 1 "$TINYTEX" decode "$TMP/cut.tnx" -o "$TMP/cut.dds"
check "truncated .tnx: one error line naming it" [ "$(grep -c "error: .*cut.tnx: truncated" "$TMP/err")" -eq 1 ]
check "truncated .tnx: no output, no temporary file" [ -z "$(ls "$TMP" | grep '^cut\.dds')" ]
run 1 "$TINYTEX" decode "$TMP/cut.tnx" -o "$TMP/cut.png"
check "the same error as decode to PNG" grep -q "cut.tnx: truncated" "$TMP/err"
run 1 "$TINYTEX" decode "$TMP/missing.tnx" -o "$TMP/m.dds"
check "missing input: named" grep -q "missing.tnx" "$TMP/err"

# Batch: a folder of .tnx files mirrored into a folder of textures; a bad model fails alone, other files skipped.
mkdir -p "$TMP/models/sub"
cp "$TMP/h.tnx" "$TMP/models/"; cp "$TMP/l.tnx" "$TMP/models/sub/"; cp "$TMP/cut.tnx" "$TMP/models/sub/"
echo "notes" > "$TMP/models/readme.txt"
run 1 "$TINYTEX" decode "$TMP/models" -o "$TMP/tex" --format ktx2 --preset fastest --json "$TMP/b.json"
check "batch: h.ktx2 and sub/l.ktx2, nothing else" [ "$(cd "$TMP/tex" && find . -type f | sort | tr '\n' ' ')" = "./h.ktx2 ./sub/l.ktx2 " ]
check "batch: the bad model's error" grep -q "error: .*sub/cut.tnx: truncated" "$TMP/err"
check "batch: the text file noted" grep -q "note: .*readme.txt.*skipped" "$TMP/err"
run 0 "$TINYTEX" decode "$TMP/l.tnx" -o "$TMP/l1.ktx2" --preset fastest -q
check "batch output = single-file output" cmp -s "$TMP/tex/sub/l.ktx2" "$TMP/l1.ktx2"
run 1 "$TINYTEX" decode "$TMP/models" -o "$TMP/tex" --format ktx2 --preset fastest
check "batch again: the two up-to-date outputs skipped" grep -q "2 skipped" "$TMP/out"

# Usage errors (exit 2).
run 2 "$TINYTEX" decode "$IMG" -o "$TMP/u.dds"
check "an image input: points at bc7" grep -q "not a .tnx model.*tinytex bc7" "$TMP/err"
run 2 "$TINYTEX" decode "$TMP/h.tnx" -o "$TMP/u.dds" --zstd 3
run 2 "$TINYTEX" decode "$TMP/h.tnx" -o "$TMP/u.dds" --mip-filter box
run 2 "$TINYTEX" decode "$TMP/h.tnx" -o "$TMP/u.dds" --format ktx2
run 2 "$TINYTEX" decode "$TMP/models" -o "$TMP/out2" --reference "$IMG"
check "no output after usage errors" [ -z "$(ls "$TMP" | grep '^u\.dds')" ] && [ ! -e "$TMP/out2" ]
run 0 "$TINYTEX" decode "$TMP/h.tnx" -o "$TMP/u.dds" --help
check "--help lists --reference" grep -q -- "--reference" "$TMP/out"
finish
