#!/usr/bin/env bash
# test_neural_batch.sh - `tinytex hash` and `tinytex latent` over asset folders (lavapipe, tiny models): mirrored .tnx tree, failures, skips, --min-psnr, reports, usage errors.
. "$(dirname "$0")/lib.sh"
D=$TT_TEST_DATA
# Tiny models: the test checks the batch plumbing, not the quality of the fits.
HASH="--iters 30 --batch 1024 --n-levels 4 --log2-t 8 --max-res 64 --hidden 16 --depth 1 --decode-repeats 1"
LATENT="--iters 30 --batch 512 --ch-lo 4 --ch-hi 2 --scale-lo 4 --scale-hi 2 --hidden 16 --depth 1 --qat-start 15 --lr 1e-2 --decode-repeats 1"

# files_status REPORT: "input status" per entry of files[] (cJSON prints one key per line, input before status).
files_status() {
    awk -F'"' '/^[[:space:]]*"files":/ { f = 1 } f && $2 == "input" { i = $4 } f && $2 == "status" { print i, $4 }' "$1"
}
summary_num() { awk -F'[:,]' -v k="\"$2\"" '/"summary":/ { s = 1 } s && $1 ~ k { gsub(/[[:space:]]/, "", $2); print $2; exit }' "$1"; }
# report_psnr REPORT INPUT: psnr_rgb of that input's entry.
report_psnr() {
    awk -F'"' -v i="$2" '$2 == "input" { cur = $4 } cur == i && $2 == "psnr_rgb" { sub(/[,[:space:]]+$/, "", $3); sub(/^:[[:space:]]*/, "", $3); print $3; exit }' "$1"
}

# The issue's tree: good images in nested folders, one truncated PNG, a text file.
A=$TMP/assets
mkdir -p "$A/sub/deep"
cp "$D/cli_rgba16.png" "$A/wall.png"
cp "$D/cli_rgba_alpha.png" "$A/sub/leaf.png"
cp "$D/cli_grey8.png" "$A/sub/deep/stone.png"
head -c 200 "$D/cli_rgb_451x300.png" > "$A/sub/broken.png"
echo "not an image" > "$A/sub/notes.txt"
GOOD="wall sub/leaf sub/deep/stone"

for cmd in hash latent; do
    if [ $cmd = hash ]; then OPTS=$HASH; else OPTS=$LATENT; fi
    O=$TMP/$cmd
    # --jobs 2: loading/writing overlap, training is serialised on the one GPU context.
    run 1 "$TINYTEX" $cmd "$A" -o "$O" $OPTS --jobs 2 --json "$TMP/$cmd.json" --csv "$TMP/$cmd.csv"
    for f in $GOOD; do check "$cmd: mirrored $f.tnx" [ -s "$O/$f.tnx" ]; done
    check "$cmd: 3 outputs and the manifest, nothing else" [ "$(find "$O" -type f ! -name .tinytex-manifest.json | wc -l)" -eq 3 ] && [ -s "$O/.tinytex-manifest.json" ]
    check "$cmd: corrupt image: one error line naming it" [ "$(grep -c 'error: .*sub/broken.png' "$TMP/err")" -eq 1 ]
    check "$cmd: only one error" [ "$(grep -c 'error:' "$TMP/err")" -eq 1 ]
    check "$cmd: text file noted" grep -q 'note: .*notes.txt.*skipped' "$TMP/err"
    files_status "$TMP/$cmd.json" > "$TMP/st"
    check "$cmd: report lists 4 files" [ "$(wc -l < "$TMP/st")" -eq 4 ]
    check "$cmd: report: broken.png failed" grep -q 'sub/broken.png failed$' "$TMP/st"
    check "$cmd: report: 3 ok" [ "$(grep -c ' ok$' "$TMP/st")" -eq 3 ]
    check "$cmd: report: the error names the file" grep -q '"error":.*broken.png: ' "$TMP/$cmd.json"
    check "$cmd: report command" grep -q "\"command\":[[:space:]]*\"$cmd\"" "$TMP/$cmd.json"
    check "$cmd: summary bytes = files on disk" [ "$(summary_num "$TMP/$cmd.json" output_bytes)" -eq \
        "$(find "$O" -name '*.tnx' -exec stat -c %s {} + | awk '{ s += $1 } END { print s }')" ]
    check "$cmd: CSV header + 4 rows" [ "$(wc -l < "$TMP/$cmd.csv")" -eq 5 ]
    check "$cmd: CSV: broken row failed" grep -q "^$A/sub/broken.png,[^,]*,failed," "$TMP/$cmd.csv"
    check "$cmd: CSV: wall row 37x23" grep -q "^$A/wall.png,$O/wall.tnx,ok,false,,37,23," "$TMP/$cmd.csv"
    # Each output is a stand-alone model of its image.
    run 0 "$TINYTEX" info "$O/sub/leaf.tnx"
    check "$cmd: leaf.tnx is a $cmd model of 64x48" grep -q '64 x 48' "$TMP/out"
done

# The PSNR in the report is that of the written file: decode it and compare.
run 0 "$TINYTEX" decode "$TMP/hash/sub/leaf.tnx" -o "$TMP/leaf.png"
"$TINYTEX" compare "$A/sub/leaf.png" "$TMP/leaf.png" --json "$TMP/c.json" -q
check "hash: report PSNR = compare's on the decoded file" \
    near "$(report_psnr "$TMP/hash.json" "$A/sub/leaf.png")" "$(json_num "$TMP/c.json" psnr_rgb)" 1e-6

# Second run: outputs are newer than their inputs -> skipped, not rewritten, still measured.
sleep 1; touch "$TMP/marker"; sleep 1
run 1 "$TINYTEX" hash "$A" -o "$TMP/hash" $HASH --json "$TMP/h2.json"
check "hash second run: nothing rewritten" [ -z "$(find "$TMP/hash" -type f -name '*.tnx' -newer "$TMP/marker")" ]
check "hash second run: 3 skipped" [ "$(files_status "$TMP/h2.json" | grep -c ' skipped$')" -eq 3 ]
check "hash second run: skipped files keep their PSNR" [ "$(grep -c '"psnr_rgb":[[:space:]]*[0-9]' "$TMP/h2.json")" -eq 3 ]
check "hash second run: lines say up to date" [ "$(grep -c 'up to date, skipped' "$TMP/out")" -eq 3 ]
# The same for latent, where one up-to-date output is a hash model copied over it: not the file the manifest recorded,
# so it is made again (and measured).
cp "$TMP/hash/wall.tnx" "$TMP/latent/wall.tnx"
run 1 "$TINYTEX" latent "$A" -o "$TMP/latent" $LATENT --json "$TMP/l2.json" -v
check "latent second run: 2 skipped, the hash model re-encoded" \
    [ "$(files_status "$TMP/l2.json" | grep -c ' skipped$')" -eq 2 ] && files_status "$TMP/l2.json" | grep -q 'wall.png ok$'
check "latent second run: the note says why" grep -q 'note: .*wall.tnx: the output is not the file recorded in .tinytex-manifest.json (replaced since); rebuilding' "$TMP/err"
check "latent second run: every good file has its PSNR" [ "$(grep -c '"psnr_rgb":[[:space:]]*[0-9]' "$TMP/l2.json")" -eq 3 ]
run 0 "$TINYTEX" info "$TMP/latent/wall.tnx"
check "latent second run: wall.tnx is a latent model again" grep -qi 'latent' "$TMP/out"

# --min-psnr above what tiny models reach: exit 3, outputs still written (fresh encode, then skips).
rm "$A/sub/broken.png"
run 3 "$TINYTEX" latent "$A/sub" -o "$TMP/q" $LATENT --min-psnr 99 --json "$TMP/q.json"
check "latent --min-psnr 99: 2 below" [ "$(summary_num "$TMP/q.json" below_min_psnr)" = 2 ]
check "latent --min-psnr 99: error lines" [ "$(grep -c 'below --min-psnr' "$TMP/err")" -eq 2 ]
check "latent --min-psnr 99: outputs written" [ -s "$TMP/q/leaf.tnx" ] && [ -s "$TMP/q/deep/stone.tnx" ]
run 3 "$TINYTEX" hash "$A" -o "$TMP/hash" $HASH --min-psnr 99 -q
check "-q: nothing on stdout" [ ! -s "$TMP/out" ]

# One input file with --csv goes through the batch driver: one row.
run 0 "$TINYTEX" hash "$D/cli_grey8.png" -o "$TMP/one.tnx" $HASH --csv "$TMP/one.csv" -q
check "single + --csv: header + 1 row" [ "$(wc -l < "$TMP/one.csv")" -eq 2 ]

# Usage errors (exit 2, nothing written): single-file options with several inputs, no -o folder.
run 2 "$TINYTEX" hash "$A" -o "$TMP/u" $HASH --decoded "$TMP/u.png"
run 2 "$TINYTEX" hash "$A" -o "$TMP/u" $HASH --log "$TMP/u.csv"
run 2 "$TINYTEX" hash "$A" -o "$TMP/u" $HASH --snapshot-every 10 --snapshot-dir "$TMP/u"
run 2 "$TINYTEX" hash "$A"
run 2 "$TINYTEX" latent "$A" -o "$TMP/u" $LATENT --latent-preview "$TMP/u.png"
run 2 "$TINYTEX" latent "$A" "$D/cli_grey8.png" -o "$TMP/u" $LATENT --sweep png
run 2 "$TINYTEX" latent "$D/cli_grey8.png" -o "$TMP/u.tnx" $LATENT --decoded "$TMP/u.png" --csv "$TMP/u.csv"
check "usage errors write nothing" [ ! -e "$TMP/u" ] && [ ! -e "$TMP/u.png" ] && [ ! -e "$TMP/u.tnx" ]
finish
