#!/usr/bin/env bash
# test_mipmaps.sh - `tinytex bc7 --mipmaps` end to end: 10 levels of a 1000x600 photo in DDS, KTX2 and KTX2+zstd, every level read back identically by the C decoder and the device's sampler, info and decode per level, reports per level, PNG colour chunks at -v, --alpha-test, option errors.
. "$(dirname "$0")/lib.sh"
: "${TT_TILE_IMAGE:?TT_TILE_IMAGE must point at the tile_image tool}"

"$TT_TILE_IMAGE" "$TT_SAMPLES/sample.png" 1000 600 "$TMP/photo.png" >/dev/null || { bad "tile_image"; finish; exit 1; }

# One chain, three files (fast preset keeps lavapipe quick; the container is what is tested here).
run 0 "$TINYTEX" bc7 "$TMP/photo.png" -o "$TMP/m.dds" --mipmaps --preset fastest -q --json "$TMP/m.json"
run 0 "$TINYTEX" bc7 "$TMP/photo.png" -o "$TMP/m.ktx2" --mipmaps --preset fastest -q
run 0 "$TINYTEX" bc7 "$TMP/photo.png" -o "$TMP/z.ktx2" --mipmaps --preset fastest --zstd 19 -q
check "report: 10 mip levels" [ "$(json_num "$TMP/m.json" mip_levels)" = 10 ]
check "report: a PSNR per level" grep -q '"level_psnr_rgb":[[:space:]]*"[0-9.]*;[0-9.;]*"' "$TMP/m.json"

# info lists every level with the floor-rule sizes (1000x600, 500x300, ..., 3x2, 1x1)
run 0 "$TINYTEX" info "$TMP/m.dds"
check "info: 10 mip levels" grep -q '1000x600, 10 mip levels' "$TMP/out"
i=0
for s in 1000x600 500x300 250x150 125x75 62x37 31x18 15x9 7x4 3x2 1x1; do
    check "info: level $i is $s" grep -Eq "level +$i: +${s%x*}x${s#*x} " "$TMP/out"
    i=$((i + 1))
done
run 0 "$TINYTEX" info "$TMP/z.ktx2"
check "info: KTX2 zstd noted" grep -q 'Zstandard' "$TMP/out"

# zstd is smaller and decodes identically; DDS and KTX2 hold the same blocks
dds=$(stat -c %s "$TMP/m.dds"); ktx=$(stat -c %s "$TMP/m.ktx2"); zst=$(stat -c %s "$TMP/z.ktx2")
check "zstd KTX2 ($zst bytes) smaller than plain ($ktx)" [ "$zst" -lt "$ktx" ]
for f in m.dds m.ktx2 z.ktx2; do
    run 0 "$TINYTEX" decode "$TMP/$f" -o "$TMP/$f.png" --all-levels -q
    run 0 "$TINYTEX" decode "$TMP/$f" -o "$TMP/$f.gpu.png" --all-levels --sampler -q
done
for l in "" -1 -2 -5 -9; do
    check "level ${l:-0}: DDS = KTX2" cmp -s "$TMP/m.dds$l.png" "$TMP/m.ktx2$l.png"
    check "level ${l:-0}: KTX2 = KTX2+zstd" cmp -s "$TMP/m.ktx2$l.png" "$TMP/z.ktx2$l.png"
done
for l in "" -1 -2 -3 -4 -5 -6 -7 -8 -9; do
    run 0 "$TINYTEX" compare "$TMP/m.dds$l.png" "$TMP/m.dds.gpu$l.png" --json "$TMP/s.json"
    check "level ${l:-0}: the device's sampler decodes it as tinytex does" grep -q '"lossless":[[:space:]]*true' "$TMP/s.json"
done
run 0 "$TINYTEX" decode "$TMP/m.dds" -o "$TMP/l3.png" --level 3 -q
check "decode --level 3 = --all-levels' level 3" cmp -s "$TMP/l3.png" "$TMP/m.dds-3.png"
run 0 "$TINYTEX" compare "$TMP/m.dds" "$TMP/m.ktx2" --level 9 --json "$TMP/c.json"
check "compare --level 9 of two textures" grep -q '"lossless":[[:space:]]*true' "$TMP/c.json"
run 2 "$TINYTEX" decode "$TMP/m.dds" -o "$TMP/x.png" --level 10
check "level past the chain named" grep -q 'no mip level 10' "$TMP/err"

# --mip-levels N cuts the chain; --premultiply is marked in the file
run 0 "$TINYTEX" bc7 "$TMP/photo.png" -o "$TMP/m3.ktx2" --mip-levels 3 --preset fastest --premultiply -q
run 0 "$TINYTEX" info "$TMP/m3.ktx2"
check "--mip-levels 3: 3 levels" grep -q '3 mip levels' "$TMP/out"
check "--premultiply: premultiplied alpha in the file" grep -q 'premultiplied alpha' "$TMP/out"

# batch: the CSV and JSON reports carry each file's level count and per-level PSNR
mkdir -p "$TMP/in"
cp "$TT_TEST_DATA/cli_rgb_451x300.png" "$TT_TEST_DATA/cli_rgb_5x3.png" "$TMP/in/"
run 0 "$TINYTEX" bc7 "$TMP/in" -o "$TMP/outdir" --mipmaps --preset fastest -q --csv "$TMP/b.csv" --json "$TMP/b.json"
check "CSV: mip_levels and level_psnr_rgb columns" grep -q 'mip_levels.*level_psnr_rgb' "$TMP/b.csv"
check "CSV: 451x300 has 9 levels" grep -q 'cli_rgb_451x300.png,.*,9,[0-9.]*;' "$TMP/b.csv"
check "CSV: 5x3 has 3 levels" grep -q 'cli_rgb_5x3.png,.*,3,[0-9.]*;' "$TMP/b.csv"
check "JSON: a levels array" grep -q '"levels":' "$TMP/b.json"

# a PNG's colour-space chunks are named at -v (sRGB data the user may want to mark --srgb)
run 0 "$TINYTEX" bc7 "$TT_TEST_DATA/cli_srgb_chunks.png" -o "$TMP/c.dds" --preset fastest -v
check "-v names the sRGB and gAMA chunks" grep -q 'colour-space chunks: sRGB, gAMA (sRGB data?' "$TMP/err"
run 0 "$TINYTEX" bc7 "$TT_TEST_DATA/cli_srgb_chunks.png" -o "$TMP/c.dds" --preset fastest --srgb -v
check "-v --srgb: chunks named, no hint" grep -q 'colour-space chunks: sRGB, gAMA$' "$TMP/err"
run 0 "$TINYTEX" bc7 "$TT_TEST_DATA/cli_srgb_chunks.png" -o "$TMP/c.dds" --preset fastest
check "without -v: no note" sh -c "! grep -q 'colour-space' '$TMP/err'"
run 0 "$TINYTEX" bc7 "$TMP/photo.png" -o "$TMP/c.dds" --preset fastest -v
check "-v on a PNG without such chunks: no note" sh -c "! grep -q 'colour-space' '$TMP/err'"

# --alpha-test reaches the encoder (blocks of the filtered levels, whose alpha lies between the cutout's 0 and 255,
# with a texel across 0.5 are re-encoded: the file changes), and
# --alpha-coverage implies it (the same file as with both)
mkdir -p "$TMP/set" && "$TT_BC7_TESTSET" "$TT_SAMPLES/sample.jpg" "$TT_SAMPLES/sample.png" "$TMP/set" >/dev/null
run 0 "$TINYTEX" bc7 "$TMP/set/cutout.png" -o "$TMP/a0.dds" --preset fastest --mipmaps -q
run 0 "$TINYTEX" bc7 "$TMP/set/cutout.png" -o "$TMP/a1.dds" --preset fastest --mipmaps --alpha-test 0.5 -q
check "--alpha-test changes the blocks" sh -c "! cmp -s '$TMP/a0.dds' '$TMP/a1.dds'"
run 0 "$TINYTEX" bc7 "$TMP/set/cutout.png" -o "$TMP/a2.dds" --preset fastest --mipmaps --alpha-coverage 0.5 -q
run 0 "$TINYTEX" bc7 "$TMP/set/cutout.png" -o "$TMP/a3.dds" --preset fastest --mipmaps --alpha-coverage 0.5 --alpha-test 0.5 -q
check "--alpha-coverage implies --alpha-test" cmp -s "$TMP/a2.dds" "$TMP/a3.dds"
run 0 "$TINYTEX" bc7 "$TMP/set/cutout.png" -o "$TMP/a4.dds" --preset fastest --mipmaps --alpha-coverage 0.5 --alpha-test 0.2 -q
check "--alpha-test overrides --alpha-coverage's reference" sh -c "! cmp -s '$TMP/a2.dds' '$TMP/a4.dds'"
run 2 "$TINYTEX" bc7 "$TMP/set/cutout.png" -o "$TMP/x.dds" --alpha-test 1.5

# option errors are usage errors
run 2 "$TINYTEX" bc7 "$TMP/photo.png" -o "$TMP/x.dds" --zstd 3
check "--zstd with DDS refused" grep -q 'zstd' "$TMP/err"
run 2 "$TINYTEX" bc7 "$TMP/photo.png" -o "$TMP/x.dds" --alpha-coverage 0.5
run 2 "$TINYTEX" bc7 "$TMP/photo.png" -o "$TMP/x.dds" --mip-filter box
run 2 "$TINYTEX" bc7 "$TMP/photo.png" -o "$TMP/x.dds" --normal-map --srgb
run 2 "$TINYTEX" bc7 "$TMP/photo.png" -o "$TMP/x.ktx2" --zstd 23
check "no partial outputs" [ ! -e "$TMP/x.dds" ] && [ ! -e "$TMP/x.ktx2" ]
finish
