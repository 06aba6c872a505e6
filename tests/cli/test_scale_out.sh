#!/usr/bin/env bash
# test_scale_out.sh - a folder as 3 --shard runs under GNU parallel, `report merge`, --files-from/-0/--base, bad --shard specs, --device all (lavapipe).
. "$(dirname "$0")/lib.sh"
D=$TT_TEST_DATA
command -v parallel >/dev/null || { echo "GNU parallel is not installed (Debian: parallel)"; exit 1; }
FAST="--preset fastest"

# report_body REPORT: files[], ignored and summary with timings dropped and output folders made relative, so an
# unsharded report and a merged one compare line by line (cJSON prints one key per line).
report_body() {
    sed -n '/^	"files":/,$p' "$1" | grep -v -E '"(seconds|gpu_ms|mpix_per_s)":' |
        sed -e 's/,$//' -e "s|$TMP/[a-z]*/out/||"
}
# inputs_of REPORT...: the input of every files[] entry, one per line.
inputs_of() { awk -F'"' '$2 == "input" { print $4 }' "$@"; }

A=$TMP/assets
mkdir -p "$A/sub/deep" "$A/other"
cp "$D/cli_rgba16.png" "$A/wall.png"
cp "$D/cli_rgba_alpha.png" "$A/sub/leaf.png"
cp "$D/cli_grey8.png" "$A/sub/deep/stone.png"
cp "$D/cli_palette.png" "$A/sub/deep/zz_palette.png"
cp "$D/cli_rgb_5x3.png" "$A/other/tiny.png"
cp "$D/cli_rgb_1x1.png" "$A/other/dot.png"
cp "$D/cli_greyalpha.png" "$A/a-b.png"
echo "not an image" > "$A/notes.txt"
N=7

# The reference: one unsharded run.
run 0 "$TINYTEX" bc7 $FAST "$A" -o "$TMP/un/out" --json "$TMP/un.json" --csv "$TMP/un.csv" -q
# The rebuild manifest (.tinytex-manifest.json) is run state, not an output: shards that write into one folder
# merge their records into it under a lock of the folder (below: a re-run after the shards skips every file).
check "unsharded: $N outputs" [ "$(find "$TMP/un/out" -type f ! -name .tinytex-manifest.json | wc -l)" -eq $N ]

# Three shards side by side under GNU parallel.
parallel --will-cite "$TINYTEX" bc7 $FAST "$A" -o "$TMP/sh/out" --shard {}/3 --json "$TMP/sh/r{}.json" -q ::: 1 2 3 \
    >"$TMP/out" 2>"$TMP/err"
check "parallel: every shard exits 0" [ $? -eq 0 ]
inputs_of "$TMP"/sh/r[123].json | sort > "$TMP/sharded_inputs"
check "shards: $N files in all" [ "$(wc -l < "$TMP/sharded_inputs")" -eq $N ]
check "shards: no file twice" [ -z "$(uniq -d "$TMP/sharded_inputs")" ]
check "shards: the files of the unsharded run" [ "$(inputs_of "$TMP/un.json" | sort)" = "$(cat "$TMP/sharded_inputs")" ]
check "shards: $N outputs" [ "$(find "$TMP/sh/out" -type f ! -name .tinytex-manifest.json | wc -l)" -eq $N ]
for f in $(cd "$TMP/un/out" && find . -type f ! -name .tinytex-manifest.json | sort); do
    check "byte-identical: $f" cmp -s "$TMP/un/out/$f" "$TMP/sh/out/$f"
done
check "shard report names its part" grep -q '"count":[[:space:]]*3' "$TMP/sh/r2.json"
check "shards: one manifest with every output" \
    [ "$(grep -c '"request":' "$TMP/sh/out/.tinytex-manifest.json")" -eq $N ]
run 0 "$TINYTEX" bc7 $FAST "$A" -o "$TMP/sh/out" --json "$TMP/sh/again.json" -q
check "unsharded re-run after the shards: every file up to date" \
    [ "$(grep -c '"status":[[:space:]]*"skipped"' "$TMP/sh/again.json")" -eq $N ]

run 0 "$TINYTEX" report merge "$TMP"/sh/r[123].json -o "$TMP/merged.json" --csv "$TMP/merged.csv"
check "merged report = unsharded report apart from timings" \
    diff <(report_body "$TMP/un.json") <(report_body "$TMP/merged.json")
check "merged report body: $N files" [ "$(report_body "$TMP/merged.json" | grep -c '"input":')" -eq $N ]
check "merged report: complete" grep -q '"complete":[[:space:]]*true' "$TMP/merged.json"
# The CSV's first 12 columns (paths, status, sizes, PSNR; seconds is the 13th) are free of commas here.
check "merged CSV = unsharded CSV apart from timings" \
    diff <(cut -d, -f1-12 "$TMP/un.csv" | sed "s|$TMP/un/out/||") <(cut -d, -f1-12 "$TMP/merged.csv" | sed "s|$TMP/sh/out/||")
# A threshold given to the merge applies to every file: just above the lowest PSNR -> exit 3.
low=$(awk -F'[:,]' '/"min_psnr_rgb":/ { gsub(/[[:space:]]/, "", $2); print $2 }' "$TMP/merged.json")
run 3 "$TINYTEX" report merge "$TMP"/sh/r[123].json -o "$TMP/q.json" --min-psnr "$(awk -v x="$low" 'BEGIN { print x + 0.01 }')"
run 0 "$TINYTEX" report merge "$TMP"/sh/r[123].json -o "$TMP/q.json" --min-psnr "$(awk -v x="$low" 'BEGIN { print x - 0.01 }')"

# An unsharded batch report is shard 1/1 of its set: it merges to itself. A report that is not a batch's is refused.
run 0 "$TINYTEX" report merge "$TMP/un.json" -o "$TMP/self.json"
check "1/1 merge = the report" diff <(report_body "$TMP/un.json") <(report_body "$TMP/self.json")
"$TINYTEX" bc7 --cpu "$D/cli_rgb_5x3.png" -o "$TMP/one.dds" --json "$TMP/one.json" -q
run 1 "$TINYTEX" report merge "$TMP/sh/r1.json" "$TMP/one.json" -o "$TMP/m1.json"
check "single-file report refused, named" grep -q 'one.json: not the report of a batch run' "$TMP/err"
run 2 "$TINYTEX" report merge "$TMP/sh/r1.json"
run 2 "$TINYTEX" report

# A missing shard report, a shard given twice, and a report of another set are detected.
run 1 "$TINYTEX" report merge "$TMP/sh/r1.json" "$TMP/sh/r2.json" -o "$TMP/m2.json"
check "missing shard named" grep -q 'shard 3/3 is missing' "$TMP/err"
check "incomplete merge marked" grep -q '"complete":[[:space:]]*false' "$TMP/m2.json"
run 1 "$TINYTEX" report merge "$TMP"/sh/r[123].json "$TMP/sh/r2.json" -o "$TMP/m3.json"
check "duplicate shard named" grep -q 'shard 2/3 is given twice' "$TMP/err"
run 0 "$TINYTEX" bc7 --cpu "$A/sub" -o "$TMP/x/out" --shard 1/3 --json "$TMP/x1.json" -q
run 1 "$TINYTEX" report merge "$TMP/sh/r1.json" "$TMP/x1.json" -o "$TMP/m4.json"
check "another set refused" grep -q 'another run' "$TMP/err"

# A failed file in one shard makes the merged exit code 1 (the C encoder: this checks the driver, not the GPU).
B=$TMP/broken
cp -r "$A" "$B"
head -c 200 "$D/cli_rgb_451x300.png" > "$B/sub/broken.png"
parallel --will-cite "$TINYTEX" bc7 --cpu "$B" -o "$TMP/bs/out" --shard {}/3 --json "$TMP/bs/r{}.json" -q ::: 1 2 3 \
    >"$TMP/out" 2>"$TMP/err"
check "parallel: exactly one shard failed" [ $? -eq 1 ]
run 1 "$TINYTEX" report merge "$TMP"/bs/r[123].json -o "$TMP/bm.json"
check "merged: failed 1" grep -q '"failed":[[:space:]]*1,' "$TMP/bm.json"
check "merged: $((N + 1)) files" grep -q "\"files\":[[:space:]]*$((N + 1)),\$" "$TMP/bm.json"

# Adding a file moves only that file: every other file stays in its shard.
for i in 1 2 3; do "$TINYTEX" bc7 --cpu "$A" -o "$TMP/s0/out" --shard $i/3 --json "$TMP/s0/r$i.json" -q; done
cp "$D/cli_grey16.png" "$A/sub/new.png"
for i in 1 2 3; do "$TINYTEX" bc7 --cpu "$A" -o "$TMP/s1/out" --shard $i/3 --json "$TMP/s1/r$i.json" -q; done
for i in 1 2 3; do
    check "shard $i/3 keeps its files after one is added" \
        [ "$(inputs_of "$TMP/s0/r$i.json")" = "$(inputs_of "$TMP/s1/r$i.json" | grep -v '/sub/new.png$')" ]
done
rm "$A/sub/new.png"

# --files-from: NUL-separated from stdin, mirrored relative to --base: the unsharded run's outputs.
(cd "$TMP" && find assets -name '*.png' -print0) > "$TMP/list0"
(cd "$TMP" && "$TINYTEX" bc7 $FAST --files-from - -0 --base assets -o "$TMP/fl/out" --json "$TMP/fl.json" -q < "$TMP/list0")
check "--files-from -0: exit 0" [ $? -eq 0 ]
for f in $(cd "$TMP/un/out" && find . -type f ! -name .tinytex-manifest.json | sort); do
    check "--files-from: $f as the folder run's" cmp -s "$TMP/un/out/$f" "$TMP/fl/out/$f"
done
# One path per line; a path outside --base fails (it has no place below -o), the others go on.
printf '%s\n' "$A/wall.png" "$D/cli_rgb_5x3.png" > "$TMP/list"
run 1 "$TINYTEX" bc7 --cpu --files-from "$TMP/list" --base "$A" -o "$TMP/fl2" -q
check "outside --base: named" grep -q 'cli_rgb_5x3.png: not below --base' "$TMP/err"
check "inside --base: written" [ -s "$TMP/fl2/wall.dds" ]

# --device all: one worker per device (lavapipe: one), each file's report entry names its device; the outputs are the
# one-device run's. A listed device that is not there is refused before any work.
ndev=$("$TINYTEX" devices | grep -cE '^[* ] [0-9]+: ')
run 0 "$TINYTEX" bc7 $FAST "$A" -o "$TMP/da/out" --device all --json "$TMP/da.json" -q
check "--device all: every file names its device index" [ "$(grep -c '"device_index":' "$TMP/da.json")" -eq $N ]
check "--device all: indices are listed devices" \
    [ -z "$(awk -F'[:,]' -v n="$ndev" '/"device_index":/ { gsub(/[[:space:]]/, "", $2); if ($2 + 0 >= n + 0) print }' "$TMP/da.json")" ]
for f in $(cd "$TMP/un/out" && find . -type f ! -name .tinytex-manifest.json | sort); do
    check "--device all: $f as one device's" cmp -s "$TMP/un/out/$f" "$TMP/da/out/$f"
done
run 1 "$TINYTEX" bc7 $FAST "$A" -o "$TMP/dx" --device "0,$ndev" -q
check "--device list: a missing device named" grep -q "device $ndev does not exist" "$TMP/err"
run 2 "$TINYTEX" bc7 $FAST "$A" -o "$TMP/dx" --device 0,0 -q
run 2 "$TINYTEX" decode "$TMP/un/out/wall.dds" -o "$TMP/dx.png" --device all

# Bad --shard specs are usage errors; so are -0 and --base without --files-from.
for s in 0/0 4/3 x 0/3 1/ /3; do run 2 "$TINYTEX" bc7 --cpu "$A" -o "$TMP/bad" --shard "$s"; done
check "bad specs wrote nothing" [ ! -e "$TMP/bad" ]
run 2 "$TINYTEX" bc7 --cpu "$A" -o "$TMP/bad" -0
run 2 "$TINYTEX" bc7 --cpu "$A" -o "$TMP/bad" --base "$A"
run 2 "$TINYTEX" bc7 --cpu "$D/cli_rgb_5x3.png" -o "$TMP/bad.dds" --shard 1/2

finish
