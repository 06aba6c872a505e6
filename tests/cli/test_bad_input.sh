#!/usr/bin/env bash
# test_bad_input.sh - hostile and broken inputs: one-line error naming the file, exit 1 (2 for usage), no output left, no crash.
. "$(dirname "$0")/lib.sh"
S=$TT_SAMPLES/sample.jpg
head -c 3000 "$TT_SAMPLES/sample.png" > "$TMP/truncated.png"
head -c 5000 "$S" > "$TMP/truncated.jpg"
{ head -c 600 "$S"; head -c 4000 /dev/zero | tr '\0' '\377'; } > "$TMP/corrupt.jpg"
echo "this is not an image" > "$TMP/text.png"
: > "$TMP/empty.png"
mkdir "$TMP/adir.png"
cp "$TT_TEST_DATA/cli_huge_header.png" "$TMP/huge.png"

for f in truncated.png truncated.jpg corrupt.jpg text.png empty.png huge.png missing.png; do
    out="$TMP/out-$f.dds"
    run 1 "$TINYTEX" bc7 "$TMP/$f" -o "$out"
    check "$f: one-line error" [ "$(wc -l < "$TMP/err")" -eq 1 ]
    check "$f: error names the file" grep -q "$f" "$TMP/err"
    check "$f: no output file" [ ! -e "$out" ]
    check "$f: no temporary left" [ -z "$(ls "$TMP" | grep -e '\.tmp' || true)" ]
done
# A folder as the input makes a batch, whose -o must be a folder: a file-like -o is a usage error (docs/cli.md).
run 2 "$TINYTEX" bc7 "$TMP/adir.png" -o "$TMP/out-adir.png.dds"
check "adir.png: no output" [ ! -e "$TMP/out-adir.png.dds" ]
# Unwritable output path (a file where a parent folder should be; missing folders are created).
: > "$TMP/plainfile"
run 1 "$TINYTEX" bc7 "$TT_TEST_DATA/cli_rgb_5x3.png" -o "$TMP/plainfile/out.dds"
check "unwritable: error names the path" grep -q 'plainfile' "$TMP/err"
# A directory as the output of one input: a usage error, and the directory is left alone.
mkdir "$TMP/dir.dds"
run 2 "$TINYTEX" bc7 "$TT_TEST_DATA/cli_rgb_5x3.png" -o "$TMP/dir.dds"
check "directory output untouched" [ -d "$TMP/dir.dds" ]
# An output path ending in '/' has no extension: usage error.
run 2 "$TINYTEX" bc7 "$TT_TEST_DATA/cli_rgb_5x3.png" -o "$TMP/x/"
# Corrupt textures for decode / compare / info.
"$TINYTEX" bc7 "$TT_TEST_DATA/cli_rgb_451x300.png" -o "$TMP/good.dds" -q
"$TINYTEX" bc7 "$TT_TEST_DATA/cli_rgb_451x300.png" -o "$TMP/good.ktx2" -q
for n in 10 100 147 1000; do
    head -c $n "$TMP/good.dds" > "$TMP/cut$n.dds"
    run 1 "$TINYTEX" decode "$TMP/cut$n.dds" -o "$TMP/cut$n.png"
    check "cut$n.dds: no PNG left" [ ! -e "$TMP/cut$n.png" ]
    head -c $n "$TMP/good.ktx2" > "$TMP/cut$n.ktx2"
    run 1 "$TINYTEX" info "$TMP/cut$n.ktx2"
    check "cut$n.ktx2: one line" [ "$(wc -l < "$TMP/err")" -eq 1 ]
done
# Image size limit is enforced before decoding.
run 1 "$TINYTEX" bc7 "$TT_TEST_DATA/cli_rgb_451x300.png" -o "$TMP/lim.dds" --max-size 256
check "limit message" grep -q 'max-size' "$TMP/err"
check "limit: no output" [ ! -e "$TMP/lim.dds" ]
# Compare of different sizes is a runtime error, not a crash.
run 1 "$TINYTEX" compare "$TT_TEST_DATA/cli_rgb_5x3.png" "$TT_TEST_DATA/cli_rgb_1x1.png"
finish
