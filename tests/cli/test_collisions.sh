#!/usr/bin/env bash
# test_collisions.sh - no output of a run may replace an input or another output (same path, symbolic link, hard link), output names must match what is written, and -o follows one rule (one input: a file, parent folders made; several inputs or a folder: a folder): each refusal is exit 2 before any work, with the input byte-identical afterwards.
. "$(dirname "$0")/lib.sh"
P="$TT_TEST_DATA/cli_rgb_5x3.png"
cd "$TMP" || exit 1
cp "$P" src.png
cp "$P" keep.png
F="--preset fastest --cpu"

# unchanged FILE: still the original PNG, byte for byte
unchanged() { cmp -s "$1" "$P"; }
# refused WHAT FILE CMD...: exit 2, an error naming FILE, FILE unchanged
refused() {
    local what=$1 file=$2; shift 2
    "$@" >out.txt 2>err.txt
    local rc=$?
    check "$what: exit 2 (got $rc)" [ "$rc" -eq 2 ]
    check "$what: the error names $file" grep -qF "$file" err.txt
    check "$what: $file byte-identical" unchanged "$file"
}

# The issue's cases.
cp "$P" x.dds
refused "-o x.dds --decoded x.dds (a PNG under a .dds name)" x.dds "$TINYTEX" bc7 src.png -o x.dds --decoded x.dds $F
cp "$P" p.png
refused "compare p.png p.png --heatmap p.png" p.png "$TINYTEX" compare p.png p.png --heatmap p.png
refused "compare: --figure over the TEST" p.png "$TINYTEX" compare src.png p.png --figure p.png
cp "$P" c.dds
refused "bc7 c.dds -o c.dds (its own source)" c.dds "$TINYTEX" bc7 c.dds -o c.dds $F
run 2 "$TINYTEX" bc7 src.png -o y.dds --decoded y.jpg $F
check "--decoded y.jpg: refused, nothing written" [ ! -e y.jpg ] && [ ! -e y.dds ]
check "--decoded y.jpg: says PNG" grep -q 'PNG' "$TMP/err"
run 2 "$TINYTEX" compare src.png keep.png --heatmap h.jpg
check "--heatmap h.jpg: nothing written" [ ! -e h.jpg ]
run 2 "$TINYTEX" compare src.png keep.png --figure f.bmp
check "--figure f.bmp: nothing written" [ ! -e f.bmp ]

# Other outputs of the same run, and the report files.
refused "--json over the input" src.png "$TINYTEX" bc7 src.png -o z.dds --json src.png $F
cp "$P" rep.json
refused "--json same as --decoded" rep.json "$TINYTEX" bc7 src.png -o z.dds --decoded rep.json $F
run 2 "$TINYTEX" bc7 src.png -o z.dds --decoded d.png --json r.json --csv r.json $F
check "--json and --csv the same file: refused, nothing written" [ ! -e z.dds ] && [ ! -e r.json ] && [ ! -e d.png ]
run 2 "$TINYTEX" bc7 src.png -o z.dds --decoded same.png --json same.png $F
check "--json with a .png name: refused" [ ! -e same.png ]
refused "decode: -o over the input" keep.png "$TINYTEX" decode keep.png -o keep.png
cp "$P" h.png
refused "compare: --heatmap same as --figure" h.png "$TINYTEX" compare src.png keep.png --heatmap h.png --figure h.png

# The same file under another name: ./, .., a symbolic link, a hard link.
mkdir -p sub
refused "-o ./sub/../src.png spelling" src.png "$TINYTEX" compare keep.png src.png --heatmap ./sub/../src.png
ln -s src.png link.png
refused "symbolic link to the input" src.png "$TINYTEX" compare keep.png src.png --heatmap link.png
ln src.png hard.png
refused "hard link to the input" src.png "$TINYTEX" compare keep.png src.png --heatmap hard.png
ln src.png hard.json
refused "--json a hard link to the input" src.png "$TINYTEX" bc7 src.png -o w.dds --json hard.json $F
check "nothing written by the refused runs" [ ! -e w.dds ] && [ ! -e z.dds ]

# Neural commands check before training.
refused "hash: --decoded over the input" src.png "$TINYTEX" hash src.png -o m.tnx --decoded src.png --iters 1
refused "latent: --latent-preview over the input" src.png "$TINYTEX" latent src.png -o m.tnx --latent-preview src.png --iters 1
run 2 "$TINYTEX" hash src.png -o m.png --iters 1
check "hash -o m.png (a model under a .png name): refused" [ ! -e m.png ]
run 2 "$TINYTEX" latent src.png -o m.tnx --log m.txt --iters 1
check "latent --log m.txt: refused" [ ! -e m.tnx ] && [ ! -e m.txt ]
refused "hash: --log over the input" src.png "$TINYTEX" hash src.png -o m.tnx --log src.csv --iters 1 --decoded src.png

# -o rules. One input: a file, its parent folders made (as in batch mode).
run 0 "$TINYTEX" bc7 src.png -o new/deep/one.dds $F
check "one input: -o new/deep/one.dds written with its folders" "$TINYTEX" info new/deep/one.dds
mkdir -p adir
run 2 "$TINYTEX" bc7 src.png -o adir $F
check "one input, -o an existing folder: usage error naming it" grep -q 'adir' "$TMP/err"
# Several inputs or a folder: a folder; a file-like name is refused.
run 2 "$TINYTEX" bc7 src.png keep.png -o out.ktx2 $F
check "two inputs, -o out.ktx2: no folder out.ktx2 made" [ ! -e out.ktx2 ]
mkdir -p in && cp "$P" in/a.png
run 2 "$TINYTEX" bc7 in -o out.dds $F
check "a folder, -o out.dds: nothing made" [ ! -e out.dds ]
: > afile
run 2 "$TINYTEX" bc7 in -o afile $F
check "a folder, -o an existing file: refused, file untouched" [ ! -s afile ]
run 0 "$TINYTEX" bc7 src.png keep.png -o outdir $F
check "two inputs, -o outdir: two outputs inside" [ -f outdir/src.dds ] && [ -f outdir/keep.dds ]
# A batch report inside the input folder may not replace an input.
refused "batch --json over an input" in/a.png "$TINYTEX" bc7 in -o o2 --json in/a.png $F
# decode --all-levels writes OUT-1.png, OUT-2.png, ...: a texture named like one of them is refused before it is read.
run 0 "$TINYTEX" bc7 "$TT_TEST_DATA/cli_rgb_451x300.png" -o mips.dds --mipmaps $F
cp mips.dds lv-2.png
run 2 "$TINYTEX" decode lv-2.png -o lv.png --all-levels
check "decode --all-levels over the input: the error names it" grep -qF "lv-2.png" "$TMP/err"
check "decode --all-levels over the input: input byte-identical" cmp -s mips.dds lv-2.png
check "decode --all-levels over the input: nothing written" [ ! -e lv.png ] && [ ! -e lv-1.png ]
run 0 "$TINYTEX" decode mips.dds -o lv.png --all-levels -q
check "decode --all-levels: the levels written" [ -s lv.png ] && [ -s lv-1.png ]
finish
