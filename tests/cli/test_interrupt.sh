#!/usr/bin/env bash
# test_interrupt.sh - Ctrl-C (SIGINT/SIGTERM/SIGHUP) during encoding and during the output write leaves no partial or temporary file (the old output, or the complete new one where the rename came first); failed runs leave an existing output untouched; an interrupted batch writes the report of the files that finished, marked incomplete.
. "$(dirname "$0")/lib.sh"
TILE=$(dirname "$TINYTEX")/tile_image
if [ ! -x "$TILE" ]; then
    bad "tile_image not found next to $TINYTEX"
    finish
    exit 1
fi
# Large enough that lavapipe needs seconds for it (a real GPU: well under one).
"$TILE" "$TT_TEST_DATA/cli_rgb_451x300.png" 1024 1024 "$TMP/big.png" || bad "tile_image failed"
OLD="stale output of an earlier run"

temps() { # prints the temporary files (tinytex names them OUTPUT.tmp-XXXXXX) under $1
    find "$1" -name '*.tmp-*' 2>/dev/null
}
no_temps() { [ -z "$(temps "$TMP")" ]; }
is_old() { [ "$(head -c 64 "$1" 2>/dev/null | tr -d '\0')" = "$OLD" ]; }
# kept_or_complete WHAT: the old output, or (the rename came first) a complete new one.
kept_or_complete() {
    if is_old "$TMP/out.dds"; then
        ok "$1: existing output untouched"
    else
        check "$1: the rename came first, output complete" "$TINYTEX" info "$TMP/out.dds"
    fi
}
stopped() { # waits (up to 5 s) until every thread of process $1 is stopped
    local i t state
    for i in $(seq 500); do
        state=T
        for t in /proc/"$1"/task/*/stat; do
            [ -e "$t" ] || return 1
            case "$(sed 's/.*) //' "$t" 2>/dev/null | cut -c1)" in
                T | t) ;;
                *) state=R ;;
            esac
        done
        [ "$state" = T ] && return 0
        sleep 0.01
    done
    return 1
}

# ---- 1. interrupted while the GPU works: exit by the signal, nothing written --
for sig in INT TERM HUP; do
    echo "$OLD" > "$TMP/out.dds"
    "$TINYTEX" bc7 "$TMP/big.png" -o "$TMP/out.dds" >"$TMP/out" 2>"$TMP/err" &
    pid=$!
    sleep 0.5
    kill -s "$sig" "$pid" 2>/dev/null
    wait "$pid"
    rc=$?
    if [ "$rc" -eq 0 ]; then
        ok "SIG$sig: the encode finished before the signal (fast device); nothing to interrupt"
        continue
    fi
    want=$((128 + $(kill -l "$sig")))
    check "SIG$sig during encoding: died by the signal (exit $rc, want $want)" [ "$rc" -eq "$want" ]
    check "SIG$sig during encoding: says so on stderr" grep -q 'interrupted' "$TMP/err"
    # The signal may land between the rename and the exit (~50 ms here): then the new output is complete.
    kept_or_complete "SIG$sig during encoding"
    check "SIG$sig during encoding: no temporary file left" no_temps
done

# ---- 2. interrupted while the output is being written --------------------------
# Stop the process the moment its temporary file exists (glob and kill are
# bash builtins, so the polling loop is fast), check the state, then send
# SIGINT and let it run: the handler must remove the temporary file. The
# write of 1 MiB takes about a millisecond, so the poll may miss it; either
# way the run must end with a complete output or none, and no temporary.
# (The signal cleanup itself is tested deterministically in
# tests/unit/test_fileio.c; a kill during the write by SIGXFSZ in
# tests/cli/test_hostile_special.sh.)
for attempt in 1 2; do
    echo "$OLD" > "$TMP/out.dds"
    "$TINYTEX" bc7 "$TMP/big.png" -o "$TMP/out.dds" --no-refine >"$TMP/out" 2>"$TMP/err" &
    pid=$!
    tmpfile=""
    while kill -0 "$pid" 2>/dev/null; do
        for t in "$TMP"/out.dds.tmp-*; do
            [ -e "$t" ] && tmpfile=$t
        done
        [ -n "$tmpfile" ] && break
    done
    if [ -n "$tmpfile" ]; then
        kill -s STOP "$pid" 2>/dev/null
        # kill(2) returns before a thread running on another core has stopped;
        # until every thread is in state T the rename can still happen.
        if stopped "$pid" && [ -e "$tmpfile" ] && is_old "$TMP/out.dds"; then
            kill -s INT "$pid"
            kill -s CONT "$pid"
            wait "$pid"
            rc=$?
            check "SIGINT during the write: died by the signal (exit $rc)" [ "$rc" -eq 130 ]
            check "SIGINT during the write: temporary file removed" [ ! -e "$tmpfile" ]
            check "SIGINT during the write: no temporary file left" no_temps
            # The process may have stopped inside the commit, whose rename runs
            # with signals blocked (so that a handler that has begun replaces
            # nothing): the rename then finishes before SIGINT is taken. And a
            # thread other than the writer (the Vulkan driver's) may take the
            # signal while the writer renames. Either the old output or the
            # complete new one.
            kept_or_complete "SIGINT during the write"
            break
        fi
        kill -s CONT "$pid" 2>/dev/null # the rename won the race
    fi
    wait "$pid"
    rc=$?
    echo "note: attempt $attempt did not catch the write in progress"
    check "attempt $attempt: run finished (exit $rc)" [ "$rc" -eq 0 ]
    check "attempt $attempt: output complete" "$TINYTEX" info "$TMP/out.dds"
    check "attempt $attempt: no temporary file left" no_temps
done

# ---- 3. failing runs leave an existing output untouched ------------------------
echo "$OLD" > "$TMP/out.dds"
printf 'not an image' > "$TMP/bad.png"
run 1 "$TINYTEX" bc7 "$TMP/bad.png" -o "$TMP/out.dds"
check "bad input: existing output untouched" is_old "$TMP/out.dds"
# Write failure (file size limit, like a full disk): SIGXFSZ ignored, so
# write(2) fails with EFBIG; the run must fail cleanly.
(
    ulimit -f 16
    trap '' XFSZ
    exec "$TINYTEX" bc7 "$TT_TEST_DATA/cli_rgb_451x300.png" -o "$TMP/out.dds" --no-refine
) >"$TMP/out" 2>"$TMP/err"
rc=$?
check "write failure: exit 1 (got $rc)" [ "$rc" -eq 1 ]
check "write failure: one-line error" [ "$(wc -l < "$TMP/err")" -eq 1 ]
check "write failure: existing output untouched" is_old "$TMP/out.dds"
check "write failure: no temporary file left" no_temps

# ---- 4. a folder of inputs (several workers), interrupted ------------------------
mkdir -p "$TMP/in" "$TMP/outdir"
for i in 1 2 3; do cp "$TMP/big.png" "$TMP/in/img$i.png"; done
"$TINYTEX" bc7 "$TMP/in" -o "$TMP/outdir" >"$TMP/out" 2>"$TMP/err" &
pid=$!
sleep 1
kill -s INT "$pid" 2>/dev/null
wait "$pid"
rc=$?
check "folder: exit 0 or by SIGINT (got $rc)" [ "$rc" -eq 0 -o "$rc" -eq 130 ]
check "folder: no temporary file left" [ -z "$(temps "$TMP/outdir")" ]
for f in "$TMP"/outdir/*.dds; do
    [ -e "$f" ] || continue
    check "folder: ${f##*/} is complete" "$TINYTEX" info "$f"
done

# ---- 5. an interrupted batch writes the report of the files that finished, marked incomplete ----
rm -rf "$TMP/outdir2"
"$TINYTEX" bc7 "$TMP/in" -o "$TMP/outdir2" --json "$TMP/part.json" --csv "$TMP/part.csv" >"$TMP/out" 2>"$TMP/err" &
pid=$!
for i in $(seq 6000); do # up to 60 s for the first file to be done (its line printed: written and measured)
    grep -q 'img1' "$TMP/out" 2>/dev/null && break
    sleep 0.01
done
kill -s INT "$pid" 2>/dev/null
wait "$pid"
rc=$?
if [ "$rc" -eq 0 ]; then
    ok "report: the batch finished before the signal (fast device); nothing to interrupt"
    check "report: complete run says incomplete: false" grep -q '"incomplete":[[:space:]]*false' "$TMP/part.json"
else
    check "report: died by SIGINT (exit $rc)" [ "$rc" -eq 130 ]
    check "report: JSON written" [ -s "$TMP/part.json" ]
    check "report: marked incomplete" grep -q '"incomplete":[[:space:]]*true' "$TMP/part.json"
    check "report: says which signal" grep -q '"interrupted_by"' "$TMP/part.json"
    done_n=$(grep -c '"status":' "$TMP/part.json")
    check "report: lists img1, which finished" grep -q '"input":.*img1.png' "$TMP/part.json"
    check "report: the files not done are listed" grep -q '"not_done"' "$TMP/part.json"
    check "report: summary counts the finished files ($done_n)" \
        [ "$(sed -n '/"summary"/,$p' "$TMP/part.json" | json_num /dev/stdin files)" = "$done_n" ]
    check "report: CSV has one row per finished file" [ "$(($(wc -l < "$TMP/part.csv") - 1))" -eq "$done_n" ]
    check "report: the manifest records img1.dds" grep -q '"img1.dds"' "$TMP/outdir2/.tinytex-manifest.json"
    check "report: stderr says interrupted" grep -q 'interrupted' "$TMP/err"
    check "report: no temporary file left" [ -z "$(temps "$TMP")" ]
    # The next run skips what finished and encodes the rest.
    run 0 "$TINYTEX" bc7 "$TMP/in" -o "$TMP/outdir2" --json "$TMP/rest.json" -q
    check "re-run: img1 skipped" [ "$(grep -c '"skipped"' "$TMP/rest.json")" -ge 1 ]
    check "re-run: complete" grep -q '"incomplete":[[:space:]]*false' "$TMP/rest.json"
fi
finish
