#!/usr/bin/env bash
# test_batch.sh - `tinytex bc7` over asset folders on lavapipe: mirrored tree, failures, skips, --force, --jobs, JSON/CSV reports, exit codes.
. "$(dirname "$0")/lib.sh"
D=$TT_TEST_DATA
# The GPU encoder (lavapipe here) runs the issue's main scenario and the --jobs comparison; the
# other runs test the driver's logic with the C reference encoder (--cpu), which skips the
# seconds of shader compilation lavapipe spends per process.
CPU=--cpu

# files_status REPORT: "input status" per entry of files[] (cJSON prints one key per line, input before status).
files_status() {
    awk -F'"' '/^[[:space:]]*"files":/ { f = 1 } f && $2 == "input" { i = $4 } f && $2 == "status" { print i, $4 }' "$1"
}
# summary_num REPORT KEY: a number from the summary object.
summary_num() { awk -F'[:,]' -v k="\"$2\"" '/"summary":/ { s = 1 } s && $1 ~ k { gsub(/[[:space:]]/, "", $2); print $2; exit }' "$1"; }

# An asset tree: good images in nested folders, one truncated PNG, a text file.
A=$TMP/assets
mkdir -p "$A/sub/deep"
cp "$D/cli_rgba16.png" "$A/wall.png"
cp "$D/cli_rgba_alpha.png" "$A/sub/leaf.png"
cp "$D/cli_grey8.png" "$A/sub/deep/stone.png"
cp "$D/cli_palette.png" "$A/sub/deep/zz_palette.png"
head -c 200 "$D/cli_rgb_451x300.png" > "$A/sub/broken.png"
echo "not an image" > "$A/sub/notes.txt"
GOOD="wall sub/leaf sub/deep/stone sub/deep/zz_palette"

run 1 "$TINYTEX" bc7 --gpu "$A" -o "$TMP/tree" --json "$TMP/r.json" --csv "$TMP/r.csv"
for f in $GOOD; do check "mirrored: tree/$f.dds" [ -s "$TMP/tree/$f.dds" ]; done
check "no output for the corrupt image" [ ! -e "$TMP/tree/sub/broken.dds" ]
check "no output for the text file" [ -z "$(find "$TMP/tree" -name 'notes*')" ]
check "no temporary files left" [ -z "$(find "$TMP/tree" -name '*.tmp-*')" ]
check "corrupt image: one error line naming it" [ "$(grep -c 'error: .*broken.png' "$TMP/err")" -eq 1 ]
check "text file: a note naming it" grep -q 'note: .*notes.txt.*skipped' "$TMP/err"
check "only the corrupt file is an error" [ "$(grep -c 'error:' "$TMP/err")" -eq 1 ]
files_status "$TMP/r.json" > "$TMP/st"
check "report: 5 files" [ "$(wc -l < "$TMP/st")" -eq 5 ]
check "report: broken.png failed" grep -q 'sub/broken.png failed$' "$TMP/st"
check "report: 4 ok" [ "$(grep -c ' ok$' "$TMP/st")" -eq 4 ]
check "report: the error names the file" grep -q '"error":.*broken.png: ' "$TMP/r.json"
check "report: files in sorted order" [ "$(awk '{print $1}' "$TMP/st" | sed "s|^$A/||" | tr '\n' ' ')" = \
    "sub/broken.png sub/deep/stone.png sub/deep/zz_palette.png sub/leaf.png wall.png " ]
check "report: text file listed as ignored" grep -q "\"$A/sub/notes.txt\"" "$TMP/r.json"
check "report: schema and version" grep -q '"schema":[[:space:]]*"tinytex-report"' "$TMP/r.json"
check "summary: failed 1" [ "$(summary_num "$TMP/r.json" failed)" = 1 ]
check "summary: ok 4" [ "$(summary_num "$TMP/r.json" ok)" = 4 ]
# Sizes on disk: 148-byte DDS header + ceil(w/4)*ceil(h/4) blocks of 16 bytes (37x23 -> 10x6 blocks).
check "wall.dds size" [ "$(stat -c %s "$TMP/tree/wall.dds")" -eq $((148 + 10 * 6 * 16)) ]
check "summary bytes = sum of files" [ "$(summary_num "$TMP/r.json" output_bytes)" -eq \
    "$(find "$TMP/tree" -name '*.dds' -exec stat -c %s {} + | awk '{s += $1} END {print s}')" ]
# Every reported PSNR is the one `compare` measures on the written file.
for f in $GOOD; do
    want=$(awk -F'"' -v i="$A/$f.png" '$2 == "input" { cur = $4 } cur == i && $2 == "psnr_rgb" { sub(/[,[:space:]]+$/, "", $3); sub(/^:[[:space:]]*/, "", $3); print $3; exit }' "$TMP/r.json")
    "$TINYTEX" compare "$A/$f.png" "$TMP/tree/$f.dds" --json "$TMP/c.json" -q
    check "$f: report PSNR $want = compare's" near "$want" "$(json_num "$TMP/c.json" psnr_rgb)" 1e-9
done
# CSV: a header and one row per file.
check "CSV header" grep -q '^input,output,status,skipped,error,width,height,psnr_rgb,psnr_rgba,max_abs_error,output_bytes,bits_per_pixel,seconds' "$TMP/r.csv"
check "CSV: 1 + 5 lines" [ "$(wc -l < "$TMP/r.csv")" -eq 6 ]
check "CSV: broken row failed" grep -q "^$A/sub/broken.png,[^,]*,failed," "$TMP/r.csv"
check "CSV: wall row 37x23" grep -q "^$A/wall.png,$TMP/tree/wall.dds,ok,false,,37,23," "$TMP/r.csv"

# A marker file strictly between older and newer files, even on file systems with 1 s timestamps.
fresh_marker() { sleep 1; touch "$TMP/marker"; sleep 1; }

# Second run: the outputs are newer than their inputs, so they are skipped (and not rewritten).
fresh_marker
run 1 "$TINYTEX" bc7 $CPU "$A" -o "$TMP/tree" --json "$TMP/r2.json"
check "second run: nothing rewritten" [ -z "$(find "$TMP/tree" -type f -name '*.dds' -newer "$TMP/marker")" ]
files_status "$TMP/r2.json" > "$TMP/st2"
check "second run: 4 skipped" [ "$(grep -c ' skipped$' "$TMP/st2")" -eq 4 ]
check "second run: skipped entries say so" [ "$(grep -c '"skipped":[[:space:]]*true' "$TMP/r2.json")" -eq 4 ]
check "second run: skipped files keep their PSNR" [ "$(grep -c '"psnr_rgb":[[:space:]]*[0-9]' "$TMP/r2.json")" -eq 4 ]
check "second run: the corrupt file still fails" grep -q 'sub/broken.png failed$' "$TMP/st2"
# An input edited after its output is encoded again; the others stay skipped.
touch "$A/sub/leaf.png"
run 1 "$TINYTEX" bc7 $CPU "$A" -o "$TMP/tree" --json "$TMP/r3.json"
files_status "$TMP/r3.json" > "$TMP/st3"
check "edited input re-encoded" grep -q 'sub/leaf.png ok$' "$TMP/st3"
check "others still skipped" [ "$(grep -c ' skipped$' "$TMP/st3")" -eq 3 ]
# --force re-encodes everything.
fresh_marker
run 1 "$TINYTEX" bc7 $CPU "$A" -o "$TMP/tree" --force --json "$TMP/r4.json"
check "--force: 4 ok, 0 skipped" [ "$(files_status "$TMP/r4.json" | grep -c ' ok$')" -eq 4 ]
check "--force: every output rewritten" [ "$(find "$TMP/tree" -type f -name '*.dds' -newer "$TMP/marker" | wc -l)" -eq 4 ]

# --min-psnr on a folder without the corrupt file: just above the lowest PSNR reached -> exit 3,
# outputs still written; just below -> exit 0.
rm "$A/sub/broken.png"
run 0 "$TINYTEX" bc7 $CPU "$A" -o "$TMP/q0" --json "$TMP/q0.json" -q
low=$(summary_num "$TMP/q0.json" min_psnr_rgb)
above=$(awk -v x="$low" 'BEGIN { print x + 0.01 }')
below=$(awk -v x="$low" 'BEGIN { print x - 0.01 }')
run 3 "$TINYTEX" bc7 $CPU "$A" -o "$TMP/q1" --min-psnr "$above" --json "$TMP/q1.json"
check "exit 3: one file below" [ "$(summary_num "$TMP/q1.json" below_min_psnr)" = 1 ]
check "exit 3: error line for it" [ "$(grep -c 'below --min-psnr' "$TMP/err")" -eq 1 ]
for f in $GOOD; do check "exit 3: out/$f.dds still written" [ -s "$TMP/q1/$f.dds" ]; done
run 0 "$TINYTEX" bc7 $CPU "$A" -o "$TMP/q2" --min-psnr "$below" -q
# Skipped outputs are measured too, so a re-run still enforces --min-psnr.
run 3 "$TINYTEX" bc7 $CPU "$A" -o "$TMP/q2" --min-psnr "$above" -q
# Failed beats below-threshold: exit 1.
cp "$D/corrupt.jpg" "$A/corrupt.jpg"
run 1 "$TINYTEX" bc7 $CPU "$A" -o "$TMP/q3" --min-psnr "$above" -q
rm "$A/corrupt.jpg"

# --jobs 2 writes the same bytes as --jobs 1, and the report lists files in the same order.
run 0 "$TINYTEX" bc7 --gpu "$A" -o "$TMP/j1" --jobs 1 --json "$TMP/j1.json" -q
run 0 "$TINYTEX" bc7 --gpu "$A" -o "$TMP/j2" --jobs 2 --json "$TMP/j2.json" -q
check "--jobs 2 == --jobs 1 (byte-identical tree)" diff -r -x .tinytex-manifest.json "$TMP/j1" "$TMP/j2"
check "--jobs 2: same report order" [ "$(files_status "$TMP/j1.json")" = "$(files_status "$TMP/j2.json")" ]
check "--jobs 2: 4 files" [ "$(find "$TMP/j2" -type f -name '*.dds' | wc -l)" -eq 4 ]

# --format ktx2 for folder outputs.
run 0 "$TINYTEX" bc7 $CPU "$A/sub" -o "$TMP/k" --format ktx2 -q
run 0 "$TINYTEX" info "$TMP/k/leaf.ktx2"
check "--format ktx2" grep -q 'KTX2, BC7 UNORM, 64x48' "$TMP/out"

# Several inputs (files and a folder): -o is a folder; plain files land at its top.
run 0 "$TINYTEX" bc7 $CPU "$D/cli_rgb_5x3.png" "$A/sub/deep" -o "$TMP/m" -q
check "several inputs: file at the top" [ -s "$TMP/m/cli_rgb_5x3.dds" ]
check "several inputs: folder contents mirrored" [ -s "$TMP/m/stone.dds" ]
# A missing input among several fails, the others go on.
run 1 "$TINYTEX" bc7 $CPU "$TMP/missing.png" "$D/cli_rgb_1x1.png" -o "$TMP/m2"
check "missing input named" grep -q 'error: .*missing.png' "$TMP/err"
check "the other input encoded" [ -s "$TMP/m2/cli_rgb_1x1.dds" ]
# Two inputs that map to one output: the second fails instead of overwriting the first.
mkdir -p "$TMP/clash"
cp "$D/cli_rgb_5x3.png" "$TMP/clash/x.png"
cp "$D/cli_rgb_1x1.png" "$TMP/clash/x.tga"
run 1 "$TINYTEX" bc7 $CPU "$TMP/clash" -o "$TMP/clash-out"
check "clash reported" grep -q 'x.tga: output .*x.dds is already written from .*x.png' "$TMP/err"
run 0 "$TINYTEX" info "$TMP/clash-out/x.dds"
check "clash: the first input wins" grep -q '5x3' "$TMP/out"
# An empty folder is an error (a wrong path in a CI job must not pass), and creates nothing.
mkdir -p "$TMP/empty"
run 1 "$TINYTEX" bc7 $CPU "$TMP/empty" -o "$TMP/empty-out"
check "empty folder: error names it" grep -q "$TMP/empty: no image files" "$TMP/err"
check "empty folder: no output folder" [ ! -e "$TMP/empty-out" ]

# Single file: the report has the flat v1 fields and files[] + summary.
run 0 "$TINYTEX" bc7 "$D/cli_rgb_5x3.png" -o "$TMP/one.dds" --json "$TMP/one.json" --csv "$TMP/one.csv" -q
check "single: top-level width" grep -q '^	"width":[[:space:]]*5,' "$TMP/one.json"
check "single: files[]" [ "$(files_status "$TMP/one.json" | wc -l)" -eq 1 ]
check "single: summary" [ "$(summary_num "$TMP/one.json" ok)" = 1 ]
check "single: CSV 2 lines" [ "$(wc -l < "$TMP/one.csv")" -eq 2 ]
# Single file: an existing output is rewritten (no skipping for one explicit file).
fresh_marker
run 0 "$TINYTEX" bc7 $CPU "$D/cli_rgb_5x3.png" -o "$TMP/one.dds" -q
check "single: always rewritten" [ -n "$(find "$TMP/one.dds" -newer "$TMP/marker")" ]

# Usage errors.
run 2 "$TINYTEX" bc7 $CPU "$A" -o "$TMP/u" --benchmark 2
run 2 "$TINYTEX" bc7 $CPU "$A" -o "$TMP/u" --decoded "$TMP/u.png"
run 2 "$TINYTEX" bc7 $CPU "$A"
run 2 "$TINYTEX" bc7 $CPU "$A" -o "$TMP/u" --format png
run 2 "$TINYTEX" bc7 $CPU "$A" -o "$TMP/u" --jobs -1
run 2 "$TINYTEX" bc7 $CPU "$D/cli_rgb_5x3.png" -o "$TMP/u.dds" --format ktx2
check "usage errors write nothing" [ ! -e "$TMP/u" ] && check "no u.dds" [ ! -e "$TMP/u.dds" ]
finish
