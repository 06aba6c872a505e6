#!/usr/bin/env bash
# test_input_messages.sh - truncated and corrupt images are named by format and decoder reason (not by extension), info decodes what it describes, and 16-bit / HDR input says how it was converted (HDR outside [0, 1] refused without --hdr-clip).
. "$(dirname "$0")/lib.sh"
D=$TT_TEST_DATA
err_has() { check "message: $1" grep -qF -- "$1" "$TMP/err"; }
out_has() { check "output: $1" grep -qF -- "$1" "$TMP/out"; }

# ---- truncated / corrupt images ------------------------------------------------
JPG=$TT_SAMPLES/sample.jpg
SIZE=$(wc -c < "$JPG")
head -c $((SIZE / 2)) "$JPG" > "$TMP/half.jpg"         # the header is whole, the scan data is cut
cp "$TMP/half.jpg" "$TMP/half_named.png"                # the name lies: the signature decides
run 0 "$TINYTEX" info "$JPG"; out_has "JPEG image, 512x512, 3 channels, 8-bit"
run 1 "$TINYTEX" info "$TMP/half.jpg"; err_has "half.jpg: JPEG decoder failed: the file is truncated or corrupt"
check "info: nothing on stdout for a file it cannot decode" test ! -s "$TMP/out"
run 1 "$TINYTEX" info "$TMP/half_named.png"; err_has "half_named.png: JPEG decoder failed"
check "no PNG reason for a JPEG" sh -c "! grep -qi 'png sig\|PNG decoder' '$TMP/err'"
run 1 "$TINYTEX" compare "$TMP/half.jpg" "$JPG"; err_has "JPEG decoder failed"
run 1 "$TINYTEX" decode "$TMP/half_named.png" -o "$TMP/x.png"; err_has "JPEG decoder failed"
check "no output" test ! -e "$TMP/x.png"
run 1 "$TINYTEX" info "$D/truncated.png"; err_has "PNG decoder failed: the data ends early: the file is truncated"
run 1 "$TINYTEX" info "$D/corrupt.jpg"; err_has "JPEG decoder failed"
run 1 "$TINYTEX" info "$D/not_an_image.png"; err_has "not a supported image: no PNG, JPEG"
# A texture given where an image is expected is named as one.
run 1 "$TINYTEX" hash "$TT_TEST_DATA/../fuzz/corpus/dds/cli_rgb_5x3.dds" -o "$TMP/t.tnx"
err_has "a BC7 DDS texture, not an image: decode it first"

# ---- 16-bit input: converted, and said so ----------------------------------------
run 0 "$TINYTEX" info "$D/cli_rgba16.png"; out_has "PNG image"; out_has "16-bit"
run 0 "$TINYTEX" compare "$D/cli_rgba16.png" "$D/cli_rgba16.png"
err_has "note: $D/cli_rgba16.png: 16-bit samples rounded to 8 bits (v x 255 / 65535)"
run 0 "$TINYTEX" compare "$D/cli_rgba16.png" "$D/cli_rgba16.png" -q
check "-q: no note" test ! -s "$TMP/err"
run 0 "$TINYTEX" compare "$D/cli_rgb_5x3.png" "$D/cli_rgb_5x3.png"
check "8-bit input: no note" test ! -s "$TMP/err"

# ---- HDR: Radiance RGBE, flat (width < 8: no run-length coding), value = m x 2^(e - 136) ----
hdr() { # hdr FILE BYTES...: a 2x1 .hdr with the 8 given pixel bytes
    local f=$1; shift
    { printf '#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y 1 +X 2\n'; printf "$(printf '\\%03o' "$@")"; } > "$f"
}
hdr "$TMP/in01.hdr" 128 128 128 128  64 64 64 128       # 0.5 grey, 0.25 grey
hdr "$TMP/bright.hdr" 128 4 4 133  128 128 128 128      # (16, 0.5, 0.5), 0.5 grey
run 0 "$TINYTEX" info "$TMP/bright.hdr"; out_has "HDR image, 2x1"; out_has "values 0.5..16 (1 of 6 R,G,B values outside [0, 1])"
run 1 "$TINYTEX" compare "$TMP/bright.hdr" "$TMP/bright.hdr"
err_has "HDR values from 0.5 to 16: 1 of 6 R,G,B values lie outside [0, 1]"; err_has "--hdr-clip"
run 1 "$TINYTEX" decode "$TMP/bright.hdr" -o "$TMP/b.png"; err_has "--hdr-clip"
run 1 "$TINYTEX" bc7 "$TMP/bright.hdr" -o "$TMP/b.dds"; err_has "outside [0, 1]"
run 1 "$TINYTEX" hash "$TMP/bright.hdr" -o "$TMP/b.tnx"; err_has "outside [0, 1]"
check "refused encodes: no output" test ! -e "$TMP/b.dds" -a ! -e "$TMP/b.tnx"
check "refused: no output" test ! -e "$TMP/b.png"
run 0 "$TINYTEX" decode "$TMP/bright.hdr" --hdr-clip -o "$TMP/b.png"
err_has "HDR floats clipped to [0, 1] (--hdr-clip: 1 of 6 R,G,B values, 16.67%, from 0.5 to 16)"
# The clipped image, independently: 16 -> 1.0 -> 255, 0.5 -> 127.5 -> 128 (round half to even, lrintf).
printf 'P6\n2 1\n255\n\377\200\200\200\200\200' > "$TMP/b_ref.ppm"
run 0 "$TINYTEX" compare "$TMP/b_ref.ppm" "$TMP/b.png" --json "$TMP/c.json"
check "--hdr-clip: the clipped image is (255,128,128), (128,128,128)" grep -q '"lossless":[[:space:]]*true' "$TMP/c.json"
run 0 "$TINYTEX" compare "$TMP/in01.hdr" "$TMP/in01.hdr"
err_has "HDR floats (all in [0, 1]) rounded to 8 bits"
finish
