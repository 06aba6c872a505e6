#!/usr/bin/env bash
# test_containers_cli.sh - arrays, cube maps, volumes and short files in DDS and KTX2: decoded with --layer/--face, or refused (exit 1) with a message naming the problem; info lists levels, layers and faces.
. "$(dirname "$0")/lib.sh"
CORPUS=$TT_TEST_DATA/../fuzz/corpus

# A layer or face beyond the file is a usage error (exit 2), as --level beyond the chain is.
# put32 FILE OFFSET VALUE (little-endian), without awk or python.
put32() {
    printf "$(printf '\\%03o\\%03o\\%03o\\%03o' $(($3 & 255)) $((($3 >> 8) & 255)) $((($3 >> 16) & 255)) \
        $((($3 >> 24) & 255)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
# err_has TEXT: the last command's stderr holds TEXT.
err_has() { check "message: $1" grep -qF -- "$1" "$TMP/err"; }
no_file() { check "no output $1" test ! -e "$1"; }

# Building blocks: the 32 BC7 bytes (2 blocks) of a 5x3 texture, and 32 other bytes (the 1x1 texture's block
# twice), so that each image of an array is recognisably itself.
DDS=$CORPUS/dds/cli_rgb_5x3.dds      # 148 bytes of headers, then 32 bytes of level 0
KTX=$CORPUS/ktx2/cli_rgb_5x3.ktx2    # one level: 32 bytes at byte 176, the end of the file
tail -c 32 "$DDS" > "$TMP/a.bin"
tail -c 16 "$CORPUS/dds/cli_rgb_1x1.dds" > "$TMP/one.bin"
cat "$TMP/one.bin" "$TMP/one.bin" > "$TMP/b.bin"
check "the two images differ" sh -c "! cmp -s '$TMP/a.bin' '$TMP/b.bin'"
head -c 148 "$DDS" > "$TMP/head.dds"
# The reference for image B: a plain one-image DDS holding it, decoded.
cat "$TMP/head.dds" "$TMP/b.bin" > "$TMP/b.dds"
run 0 "$TINYTEX" decode "$TMP/b.dds" -o "$TMP/b.png" -q
run 0 "$TINYTEX" decode "$DDS" -o "$TMP/a.png" -q

# ---- DDS: a mip count the data does not hold ---------------------------------
cp "$DDS" "$TMP/mips.dds"; put32 "$TMP/mips.dds" 28 3          # the full chain of 5x3, one level of data
run 1 "$TINYTEX" decode "$TMP/mips.dds" -o "$TMP/x.png"; err_has "DDS data truncated"; no_file "$TMP/x.png"
run 1 "$TINYTEX" info "$TMP/mips.dds"; err_has "DDS data truncated"
cp "$DDS" "$TMP/mips10.dds"; put32 "$TMP/mips10.dds" 28 10     # beyond the chain
run 1 "$TINYTEX" info "$TMP/mips10.dds"; err_has "mipMapCount 10 is invalid for 5x3"

# ---- DDS array: arraySize 6, image 2 is B -------------------------------------
cat "$TMP/head.dds" "$TMP/a.bin" "$TMP/a.bin" "$TMP/b.bin" "$TMP/a.bin" "$TMP/a.bin" "$TMP/a.bin" > "$TMP/arr.dds"
put32 "$TMP/arr.dds" 140 6
run 1 "$TINYTEX" decode "$TMP/arr.dds" -o "$TMP/x.png"; err_has "DDS array of 6 layers"; err_has "--layer N"
no_file "$TMP/x.png"
run 0 "$TINYTEX" decode "$TMP/arr.dds" --layer 2 -o "$TMP/l2.png" -q
check "DDS --layer 2 is the third image" cmp -s "$TMP/l2.png" "$TMP/b.png"
run 0 "$TINYTEX" decode "$TMP/arr.dds" --layer 5 -o "$TMP/l5.png" -q
check "DDS --layer 5 is the sixth image" cmp -s "$TMP/l5.png" "$TMP/a.png"
run 2 "$TINYTEX" decode "$TMP/arr.dds" --layer 6 -o "$TMP/x.png"; err_has "no layer 6 (the texture has 6 layers)"
run 2 "$TINYTEX" decode "$TMP/arr.dds" --layer 0 --face 1 -o "$TMP/x.png"; err_has "not a cube map"
run 0 "$TINYTEX" compare "$TMP/b.png" "$TMP/arr.dds" --layer 2 --json "$TMP/c.json"
check "compare --layer 2 against image B: lossless" grep -q '"lossless":[[:space:]]*true' "$TMP/c.json"
run 1 "$TINYTEX" compare "$TMP/b.png" "$TMP/arr.dds"; err_has "--layer N"
run 2 "$TINYTEX" compare "$TMP/b.png" "$TMP/a.png" --layer 1; err_has "neither"
run 0 "$TINYTEX" info "$TMP/arr.dds"; check "info: array of 6 layers" grep -q "array of 6 layers" "$TMP/out"
run 0 "$TINYTEX" info "$TMP/arr.dds" --json
check "info --json: layers 6" test "$(json_num "$TMP/out" layers)" = 6
check "info --json: faces 1" test "$(json_num "$TMP/out" faces)" = 1
check "info --json: mip_levels 1" test "$(json_num "$TMP/out" mip_levels)" = 1
# Five images of data where the header promises six.
head -c $((148 + 5 * 32)) "$TMP/arr.dds" > "$TMP/arr5.dds"
run 1 "$TINYTEX" decode "$TMP/arr5.dds" --layer 0 -o "$TMP/x.png"; err_has "6 images of 1 level(s) of 5x3 need 192"
run 1 "$TINYTEX" info "$TMP/arr5.dds"; err_has "DDS data truncated"

# ---- DDS cube map: miscFlag TEXTURECUBE, face 4 is B --------------------------
cat "$TMP/head.dds" "$TMP/a.bin" "$TMP/a.bin" "$TMP/a.bin" "$TMP/a.bin" "$TMP/b.bin" "$TMP/a.bin" > "$TMP/cube.dds"
put32 "$TMP/cube.dds" 136 4; put32 "$TMP/cube.dds" 112 $((0x200 | 0xFC00))   # caps2: CUBEMAP and all faces
run 1 "$TINYTEX" decode "$TMP/cube.dds" -o "$TMP/x.png"; err_has "DDS cube map (1 layer of 6 faces)"; err_has "--face N"
run 0 "$TINYTEX" decode "$TMP/cube.dds" --face 4 -o "$TMP/f4.png" -q
check "DDS --face 4 is the fifth image" cmp -s "$TMP/f4.png" "$TMP/b.png"
run 2 "$TINYTEX" decode "$TMP/cube.dds" --face 6 -o "$TMP/x.png"; err_has "outside [0, 5]"
run 2 "$TINYTEX" decode "$TMP/cube.dds" --layer 1 --face 0 -o "$TMP/x.png"; err_has "no layer 1"
run 0 "$TINYTEX" info "$TMP/cube.dds"; check "info: cube map" grep -q "cube map: 1 layer of 6 faces" "$TMP/out"
head -c $((148 + 6 * 32 - 1)) "$TMP/cube.dds" > "$TMP/cube5.dds"
run 1 "$TINYTEX" decode "$TMP/cube5.dds" --face 0 -o "$TMP/x.png"; err_has "DDS data truncated"
cp "$DDS" "$TMP/caps2.dds"; put32 "$TMP/caps2.dds" 112 $((0x200 | 0xFC00))           # legacy cube bits only
run 1 "$TINYTEX" decode "$TMP/caps2.dds" -o "$TMP/x.png"; err_has "caps2 marks a cube map"
# ---- DDS volume claims on a 2D texture ---------------------------------------
cp "$DDS" "$TMP/depth.dds"; put32 "$TMP/depth.dds" 24 4
run 1 "$TINYTEX" decode "$TMP/depth.dds" -o "$TMP/x.png"; err_has "claims a volume (depth 4)"
run 1 "$TINYTEX" info "$TMP/depth.dds"; err_has "3D textures are not supported"

# ---- KTX2: layerCount / faceCount / pixelDepth -------------------------------
# ktx_images FILE LAYERS FACES IMG...: the 5x3 KTX2 with layerCount, faceCount and level 0 replaced by IMG...
ktx_images() {
    local f=$1 layers=$2 faces=$3; shift 3
    { head -c 176 "$KTX"; cat "$@"; } > "$f"
    put32 "$f" 32 "$layers"; put32 "$f" 36 "$faces"
    put32 "$f" 88 $((32 * $#)); put32 "$f" 96 $((32 * $#))   # byteLength, uncompressedByteLength (low words)
}
ktx_images "$TMP/arr.ktx2" 5 1 "$TMP/a.bin" "$TMP/a.bin" "$TMP/a.bin" "$TMP/b.bin" "$TMP/a.bin"
run 1 "$TINYTEX" decode "$TMP/arr.ktx2" -o "$TMP/x.png"; err_has "KTX2 array of 5 layers"; no_file "$TMP/x.png"
run 0 "$TINYTEX" decode "$TMP/arr.ktx2" --layer 3 -o "$TMP/k3.png" -q
check "KTX2 --layer 3 is the fourth image" cmp -s "$TMP/k3.png" "$TMP/b.png"
run 0 "$TINYTEX" info "$TMP/arr.ktx2" --json
check "KTX2 info --json: layers 5" test "$(json_num "$TMP/out" layers)" = 5
ktx_images "$TMP/cube.ktx2" 0 6 "$TMP/a.bin" "$TMP/b.bin" "$TMP/a.bin" "$TMP/a.bin" "$TMP/a.bin" "$TMP/a.bin"
run 1 "$TINYTEX" decode "$TMP/cube.ktx2" -o "$TMP/x.png"; err_has "KTX2 cube map (1 layer of 6 faces)"
run 0 "$TINYTEX" decode "$TMP/cube.ktx2" --face 1 -o "$TMP/kf1.png" -q
check "KTX2 --face 1 is the second image" cmp -s "$TMP/kf1.png" "$TMP/b.png"
run 0 "$TINYTEX" info "$TMP/cube.ktx2"; check "KTX2 info: cube map" grep -q "cube map: 1 layer of 6 faces" "$TMP/out"
# A cube map array: layer 1, face 2 is image 1 x 6 + 2 = 8.
ktx_images "$TMP/cubes.ktx2" 2 6 "$TMP/a.bin" "$TMP/a.bin" "$TMP/a.bin" "$TMP/a.bin" "$TMP/a.bin" "$TMP/a.bin" \
    "$TMP/a.bin" "$TMP/a.bin" "$TMP/b.bin" "$TMP/a.bin" "$TMP/a.bin" "$TMP/a.bin"
run 0 "$TINYTEX" decode "$TMP/cubes.ktx2" --layer 1 --face 2 -o "$TMP/c12.png" -q
check "KTX2 cube array: layer 1 face 2 is image 8" cmp -s "$TMP/c12.png" "$TMP/b.png"
run 1 "$TINYTEX" decode "$TMP/cubes.ktx2" --layer 1 -o "$TMP/x.png"; err_has "pick it with --face N"
run 1 "$TINYTEX" decode "$TMP/cubes.ktx2" --face 1 -o "$TMP/x.png"; err_has "pick it with --layer N"
no_file "$TMP/x.png"
# The header promises images the file does not hold.
cp "$KTX" "$TMP/lay5.ktx2"; put32 "$TMP/lay5.ktx2" 32 5
run 1 "$TINYTEX" decode "$TMP/lay5.ktx2" --layer 0 -o "$TMP/x.png"; err_has "5 image(s) of 5x3 BC7 are 160 bytes"
run 1 "$TINYTEX" info "$TMP/lay5.ktx2"; err_has "uncompressedByteLength"
cp "$KTX" "$TMP/face6.ktx2"; put32 "$TMP/face6.ktx2" 36 6
run 1 "$TINYTEX" info "$TMP/face6.ktx2"; err_has "6 image(s)"
cp "$KTX" "$TMP/depth.ktx2"; put32 "$TMP/depth.ktx2" 28 4
run 1 "$TINYTEX" decode "$TMP/depth.ktx2" -o "$TMP/x.png"; err_has "KTX2 3D texture (depth 4)"

# ---- layers and faces of things that have none --------------------------------
run 2 "$TINYTEX" decode "$DDS" --layer 1 -o "$TMP/x.png"; err_has "no layer 1 (the texture has 1 layer)"
run 0 "$TINYTEX" decode "$DDS" --layer 0 --face 0 -o "$TMP/x0.png" -q
check "--layer 0 --face 0 of a plain texture is the texture" cmp -s "$TMP/x0.png" "$TMP/a.png"
run 2 "$TINYTEX" decode "$TMP/a.png" --face 2 -o "$TMP/x.png"; err_has "an image file has no face 2"
run 0 "$TINYTEX" info "$DDS" --json
check "plain texture: layers 1, faces 1" test "$(json_num "$TMP/out" layers)$(json_num "$TMP/out" faces)" = 11
finish
