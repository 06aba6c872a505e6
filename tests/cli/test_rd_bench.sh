#!/usr/bin/env bash
# test_rd_bench.sh - tests/bench/rd_bench.sh in smoke mode: a well-formed CSV whose sizes are those of the files on disk, finite PSNRs that re-measure, the table and the figure.
. "$(dirname "$0")/lib.sh"
bench=$(cd "$(dirname "$0")/../bench" && pwd)/rd_bench.sh
export TT_TILE_IMAGE TT_RD_SMOKE=1 TT_RD_NO_INSTALL=1
# The peers are optional here (the test never installs them): their rows are checked when they are installed.
codecs="latent hash"
command -v cwebp >/dev/null && command -v dwebp >/dev/null && codecs="$codecs webp"
command -v cjpeg >/dev/null && command -v djpeg >/dev/null && command -v cwebp >/dev/null && codecs="$codecs jpeg"
export TT_RD_CODECS=$codecs TT_RD_RATES="0.01 1 2"
out=$TMP/rd
run 0 "$bench" "$(dirname "$TINYTEX")" "$out" "$TT_SAMPLES/sample.png"
csv=$out/rd.csv
check "header" [ "$(head -1 "$csv")" = "image,codec,setting,file,bytes,width,height,bpp,psnr_rgb,seconds" ]
check "10 fields in every row" awk -F, 'NF != 10 { exit 1 }' "$csv"
for c in $codecs; do
    check "$c: two rows (the smoke settings)" [ "$(awk -F, -v c="$c" '$2 == c' "$csv" | wc -l)" -eq 2 ]
done
check "rows: two per codec" [ "$(($(wc -l < "$csv") - 1))" -eq $((2 * $(echo $codecs | wc -w))) ]
check "48x48 crop" awk -F, 'NR > 1 && ($6 != 48 || $7 != 48) { exit 1 } END { exit NR < 2 }' "$csv"
# Every PSNR a finite number of dB; the two points of a codec differ in size.
check "PSNR finite, 5..99 dB" awk -F, 'NR > 1 && !($9 ~ /^[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$/ && $9 > 5 && $9 < 99) { exit 1 }' "$csv"
# bytes is the size on disk of the file named, bpp = bytes * 8 / pixels.
sizes_ok=1; bpp_ok=1
while IFS=, read -r img codec setting file bytes w h bpp psnr secs; do
    [ "$(stat -c %s "$out/$file" 2>/dev/null)" = "$bytes" ] || { sizes_ok=0; echo "  size of $file is not $bytes"; }
    near "$bpp" "$(awk -v b="$bytes" 'BEGIN { print b * 8 / (48 * 48) }')" 0.0001 || { bpp_ok=0; echo "  $file: bpp $bpp"; }
done < <(tail -n +2 "$csv")
check "bytes = size on disk" [ $sizes_ok = 1 ]
check "bpp = bytes * 8 / pixels" [ $bpp_ok = 1 ]
# A latent file decoded here gives the PSNR of its row.
row=$(awk -F, '$2 == "latent"' "$csv" | head -1)
file=$(echo "$row" | cut -d, -f4); psnr=$(echo "$row" | cut -d, -f9)
"$TINYTEX" decode "$out/$file" -o "$TMP/again.png" -q
"$TINYTEX" compare "$out/work/sample_png/ref.png" "$TMP/again.png" --json "$TMP/c.json" -q
check "latent row: PSNR re-measured from the file" near "$(json_num "$TMP/c.json" psnr_rgb)" "$psnr" 0.0001
check "reference is 48x48" [ "$(od -An -tu1 -j16 -N8 "$out/work/sample_png/ref.png" | awk '{ print $4 "x" $8 }')" = 48x48 ]
# Table: a row per codec, n/a below the measured range.
for c in $codecs; do
    check "table row: $c" grep -q "^| $c | [0-9.]*-[0-9.]* | n/a |" "$out/rd.md"
done
check "table columns 0.01 1 2" grep -q '^| codec | measured bpp | 0.01 bpp | 1 bpp | 2 bpp | mean vs JPEG |$' "$out/rd.md"
# Figure: one line per codec, named by the codec.
check "figure: a line per codec" [ "$(grep -c '<polyline' "$out/sample_png_rd.svg")" -eq "$(echo $codecs | wc -w)" ]
for c in $codecs; do check "legend: $c" grep -q ">$c</text>" "$out/sample_png_rd.svg"; done
check "figure PNG" [ "$(head -c 8 "$out/sample_png_rd.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]

# Report only (TT_RD_FROM_CSV): two runs' rows, one with its codec renamed, give one more line and table row.
{ cat "$csv"; sed 's/,latent,/,latent-b,/' "$csv"; } > "$TMP/both.csv"
TT_RD_FROM_CSV=$TMP/both.csv run 0 "$bench" "$(dirname "$TINYTEX")" "$TMP/rep"
check "report only: rows kept, header once" [ "$(wc -l < "$TMP/rep/rd.csv")" -eq $((2 * $(wc -l < "$csv") - 1)) ]
check "report only: table row latent-b" grep -q '^| latent-b | ' "$TMP/rep/rd.md"
check "report only: a line more" [ "$(grep -c '<polyline' "$TMP/rep/sample_png_rd.svg")" -eq $(($(echo $codecs | wc -w) + 1)) ]
TT_RD_FROM_CSV=$out/rd_front.csv run 1 "$bench" "$(dirname "$TINYTEX")" "$TMP/rep2"
check "report only: another CSV refused" grep -q "rd_front.csv: not an rd_bench CSV" "$TMP/err"

# Bad settings and usage: exit 1 or 2, one clear line, no CSV.
printf 'latent --qat-bits 4,5\n' > "$TMP/comma.txt"
printf 'avif -q 50\n' > "$TMP/codec.txt"
for bad in comma codec; do
    TT_RD_SETTINGS=$TMP/$bad.txt run 1 "$bench" "$(dirname "$TINYTEX")" "$TMP/bad-$bad" "$TT_SAMPLES/sample.png"
    check "$bad: names the settings file" grep -q "$bad.txt: " "$TMP/err"
    check "$bad: no CSV" [ ! -e "$TMP/bad-$bad/rd.csv" ]
done
run 1 "$bench" "$(dirname "$TINYTEX")" "$TMP/bad-missing" "$TMP/missing.png"
check "missing input named" grep -q "missing.png: no such file" "$TMP/err"
run 2 "$bench" "$(dirname "$TINYTEX")"
finish
