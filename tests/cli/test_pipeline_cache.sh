#!/usr/bin/env bash
# test_pipeline_cache.sh - the persistent pipeline cache file: written once, skipped with --no-cache or TINYTEX_NO_CACHE=1, a corrupt file ignored, concurrent writers safe.
. "$(dirname "$0")/lib.sh"
# Never the user's real cache: every run here gets its own cache folder under $TMP.
export XDG_CACHE_HOME="$TMP/cache"
unset TINYTEX_NO_CACHE
IN="$TT_TEST_DATA/cli_rgb_5x3.png"
cache_files() { ls "$1"/tinytex/pipelines-*.bin 2>/dev/null; }
no_temp_left() { ! ls "$1"/tinytex/ 2>/dev/null | grep -q 'tmp-'; }

# The reference output, made without any cache.
run 0 "$TINYTEX" bc7 "$IN" -o "$TMP/ref.dds" --gpu --no-cache -q
check "--no-cache writes no cache file" [ -z "$(cache_files "$XDG_CACHE_HOME")" ]
TINYTEX_NO_CACHE=1 run 0 "$TINYTEX" bc7 "$IN" -o "$TMP/env.dds" --gpu -q
check "TINYTEX_NO_CACHE=1 writes no cache file" [ -z "$(cache_files "$XDG_CACHE_HOME")" ]
run 0 "$TINYTEX" bc7 --help
check "help lists --no-cache" grep -q -- '--no-cache' "$TMP/out"
# compare never creates a Vulkan context: --no-cache would do nothing there, so it is not an option of it.
run 2 "$TINYTEX" compare "$IN" "$IN" --no-cache

# First run: the file is made (folders too), named after the device and driver.
run 0 "$TINYTEX" bc7 "$IN" -o "$TMP/a.dds" --gpu -q
F=$(cache_files "$XDG_CACHE_HOME" | head -1)
check "first run writes the cache file" [ -n "$F" ] && [ -s "$F" ]
check "file named pipelines-VENDOR-DEVICE-DRIVER.bin" \
    bash -c 'basename "$1" | grep -Eq "^pipelines-[0-9a-f]{4,8}-[0-9a-f]{4,8}-[0-9a-f]{8}\.bin$"' _ "$F"
check "same output as without the cache" cmp -s "$TMP/ref.dds" "$TMP/a.dds"
# Second run: loads it, the same output, no note even at -v (the header matches).
run 0 "$TINYTEX" bc7 "$IN" -o "$TMP/b.dds" --gpu -v
check "warm run: same output" cmp -s "$TMP/ref.dds" "$TMP/b.dds"
check "warm run: the file is accepted" bash -c '! grep -q "pipeline cache.*ignored" "$1"' _ "$TMP/err"

# Corrupt files: exit 0, the right output, silent at the default level, a note at -v; the file is rewritten valid.
head -c 5000 /dev/urandom > "$F"
run 0 "$TINYTEX" bc7 "$IN" -o "$TMP/c.dds" --gpu
check "random bytes: same output" cmp -s "$TMP/ref.dds" "$TMP/c.dds"
check "random bytes: silent by default" bash -c '! grep -q "pipeline cache" "$1"' _ "$TMP/err"
printf 'xx' > "$F"
run 0 "$TINYTEX" bc7 "$IN" -o "$TMP/d.dds" --gpu -v
check "truncated file: same output" cmp -s "$TMP/ref.dds" "$TMP/d.dds"
check "truncated file: a note at -v" grep -q "pipeline cache.*ignored" "$TMP/err"
run 0 "$TINYTEX" bc7 "$IN" -o "$TMP/e.dds" --gpu -v
check "rewritten file is accepted" bash -c '! grep -q "pipeline cache.*ignored" "$1"' _ "$TMP/err"
# The right header but another pipelineCacheUUID (bytes 16..31).
cp "$F" "$TMP/good.bin"
{ head -c 16 "$TMP/good.bin"; printf '0123456789abcdef'; tail -c +33 "$TMP/good.bin"; } > "$F"
run 0 "$TINYTEX" bc7 "$IN" -o "$TMP/f.dds" --gpu -v
check "wrong UUID: same output" cmp -s "$TMP/ref.dds" "$TMP/f.dds"
check "wrong UUID: a note at -v" grep -q "pipeline cache.*another driver" "$TMP/err"

# Two processes at once on an empty cache folder: both succeed, and the file left is a valid cache.
export XDG_CACHE_HOME="$TMP/cache2"
"$TINYTEX" bc7 "$IN" -o "$TMP/p1.dds" --gpu -q & P1=$!
"$TINYTEX" bc7 "$IN" -o "$TMP/p2.dds" --gpu -q & P2=$!
wait $P1; R1=$?
wait $P2; R2=$?
check "concurrent run 1 exit 0" [ "$R1" -eq 0 ]
check "concurrent run 2 exit 0" [ "$R2" -eq 0 ]
check "concurrent outputs right" bash -c 'cmp -s "$1" "$2" && cmp -s "$1" "$3"' _ "$TMP/ref.dds" "$TMP/p1.dds" "$TMP/p2.dds"
check "one cache file, no temporary left" bash -c '[ "$(ls "$1"/tinytex | wc -l)" -eq 1 ]' _ "$XDG_CACHE_HOME"
check "no temporary file left" no_temp_left "$XDG_CACHE_HOME"
run 0 "$TINYTEX" bc7 "$IN" -o "$TMP/p3.dds" --gpu -v
check "third run accepts the file" bash -c '! grep -q "pipeline cache.*ignored" "$1"' _ "$TMP/err"
check "third run output right" cmp -s "$TMP/ref.dds" "$TMP/p3.dds"

# Without XDG_CACHE_HOME: $HOME/.cache; with neither: no file and no error.
unset XDG_CACHE_HOME
HOME="$TMP/home" run 0 "$TINYTEX" bc7 "$IN" -o "$TMP/h.dds" --gpu -q
check "HOME fallback: \$HOME/.cache/tinytex" [ -n "$(cache_files "$TMP/home/.cache")" ]
env -u HOME -u XDG_CACHE_HOME "$TINYTEX" bc7 "$IN" -o "$TMP/n.dds" --gpu -q
check "neither variable: exit 0" [ $? -eq 0 ]
# A cache folder that cannot be made: still exit 0 (a note at -v only).
: > "$TMP/blocker"
XDG_CACHE_HOME="$TMP/blocker" run 0 "$TINYTEX" bc7 "$IN" -o "$TMP/u.dds" --gpu -v
check "unwritable cache: same output" cmp -s "$TMP/ref.dds" "$TMP/u.dds"
check "unwritable cache: a note at -v" grep -q "pipeline cache.*not written" "$TMP/err"
finish
