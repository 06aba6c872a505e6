#!/usr/bin/env bash
# test_rebuild.sh - a batch re-run rebuilds the outputs whose request changed (options, recorded in OUT/.tinytex-manifest.json), and the report says why each file was written or skipped.
. "$(dirname "$0")/lib.sh"
cd "$TMP" || exit 1
mkdir -p in
cp "$TT_TEST_DATA/cli_rgb_5x3.png" in/a.png
cp "$TT_TEST_DATA/cli_rgb_1x1.png" in/b.png
F="--preset fastest"
# reasons JSON: "status|reason" per file, in order
reasons() { grep -E '^[[:space:]]*"(status|reason)":' "$1" | sed 's/^[^:]*:[[:space:]]*//; s/,$//' | paste -d'|' - -; }
format_of() { "$TINYTEX" info --json "$1" | sed -n 's/.*"format":[[:space:]]*"\([^"]*\)".*/\1/p'; }

run 0 "$TINYTEX" bc7 in -o tree $F --json r1.json -q
check "first run: both written, reason 'no output yet'" [ "$(reasons r1.json | grep -c '"ok"|"no output yet"')" -eq 2 ]
check "first run: manifest written" grep -q '"tinytex-manifest"' tree/.tinytex-manifest.json
check "first run: linear UNORM" [ "$(format_of tree/a.dds)" = BC7_UNORM ]

run 0 "$TINYTEX" bc7 in -o tree $F --json r2.json -q
check "same options: both skipped as up to date with the same options" \
    [ "$(reasons r2.json | grep -c '"skipped"|"up to date: output newer than its input, made with the same options"')" -eq 2 ]

# The issue's case: --srgb after a linear run must rebuild, not report 'skipped'.
run 0 "$TINYTEX" bc7 in -o tree $F --srgb --json r3.json --csv r3.csv -q
check "--srgb after linear: both rebuilt, the reason names srgb 0 -> 1" \
    [ "$(reasons r3.json | grep -c '"ok"|"made with other options: srgb 0 -> 1"')" -eq 2 ]
check "--srgb after linear: the file is sRGB now" [ "$(format_of tree/a.dds)" = BC7_UNORM_SRGB ]
check "CSV has the reason column" grep -q 'srgb 0 -> 1' r3.csv
run 0 "$TINYTEX" bc7 in -o tree $F --srgb --json r4.json -q
check "--srgb again: skipped" [ "$(reasons r4.json | grep -c '"skipped"')" -eq 2 ]

# Another preset changes the blocks; a flag that does not change them (--jobs) does not rebuild.
run 0 "$TINYTEX" bc7 in -o tree --preset fast --srgb --json r5.json -q
check "--preset fast: rebuilt, naming modes" [ "$(reasons r5.json | grep -c '"ok"|"made with other options: modes')" -eq 2 ]
run 0 "$TINYTEX" bc7 in -o tree --preset fast --srgb --jobs 2 --json r6.json -q
check "--jobs 2: not a reason to rebuild" [ "$(reasons r6.json | grep -c '"skipped"')" -eq 2 ]
run 0 "$TINYTEX" bc7 in -o tree --preset fast --srgb --mipmaps --json r6b.json -q
check "--mipmaps: rebuilt" [ "$(reasons r6b.json | grep -c '"ok"|"made with other options: mip_levels')" -eq 2 ]

# An output replaced by hand (newer than its input, but not the file recorded) is rebuilt.
cp tree/b.dds saved.dds
"$TINYTEX" bc7 in/a.png -o tree/b.dds $F -q
run 0 "$TINYTEX" bc7 in -o tree --preset fast --srgb --mipmaps --json r7.json -q
check "replaced output: rebuilt, reason says replaced" [ "$(reasons r7.json | sed -n 2p | grep -c 'replaced since')" -eq 1 ]
check "replaced output: the other is skipped" [ "$(reasons r7.json | sed -n 1p | grep -c '"skipped"')" -eq 1 ]

# Without a manifest (older tinytex, or deleted): rebuilt, not trusted.
rm tree/.tinytex-manifest.json
run 0 "$TINYTEX" bc7 in -o tree --preset fast --srgb --mipmaps --json r8.json -q
check "no manifest: rebuilt, reason 'no record'" [ "$(reasons r8.json | grep -c '"ok"|"no record of the options')" -eq 2 ]
check "manifest written again" [ -s tree/.tinytex-manifest.json ]
# --force and a newer input.
run 0 "$TINYTEX" bc7 in -o tree --preset fast --srgb --mipmaps --force --json r9.json -q
check "--force: reason --force" [ "$(reasons r9.json | grep -c '"ok"|"--force"')" -eq 2 ]
touch -d '+2 seconds' in/a.png
run 0 "$TINYTEX" bc7 in -o tree --preset fast --srgb --mipmaps --json r10.json -q
check "newer input: reason says so" [ "$(reasons r10.json | sed -n 1p | grep -c 'input is newer')" -eq 1 ]
# The manifest is hidden, so an output folder inside the input folder still is not taken as input.
check "no temporary manifest left" [ -z "$(find tree -name '*.tmp-*')" ]
# A single input is always written, and says so.
run 0 "$TINYTEX" bc7 in/a.png -o one.dds $F --json r11.json -q
check "single file: reason 'always written'" grep -q '"one input file: always written"' r11.json
finish
