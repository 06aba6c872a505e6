#!/usr/bin/env bash
# test_hostile_special.sh - special files and signals as input/output hazards: a FIFO given as input must not hang; a run killed by SIGXFSZ (file size limit) mid-write must leave no temporary file.
. "$(dirname "$0")/lib.sh"
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=99"

# A FIFO with no writer: opening it for reading blocks forever unless the
# opener uses O_NONBLOCK (tt_read_file does; the CLI's magic sniffing must too).
mkfifo "$TMP/pipe.dds" "$TMP/pipe.png"
for cmd in "info $TMP/pipe.dds" "decode $TMP/pipe.dds -o $TMP/p.png" "bc7 $TMP/pipe.png -o $TMP/p.dds" \
    "compare $TMP/pipe.png $TT_TEST_DATA/cli_rgb_5x3.png"; do
    # shellcheck disable=SC2086
    timeout 5 "$TINYTEX" $cmd >"$TMP/out" 2>"$TMP/err"
    rc=$?
    check "FIFO input, tinytex ${cmd%% *}: refused with exit 1, no hang (got $rc)" [ "$rc" -eq 1 ]
    check "FIFO input, tinytex ${cmd%% *}: one-line error" [ "$(wc -l < "$TMP/err")" -eq 1 ]
done

# RLIMIT_FSIZE: the kernel sends SIGXFSZ when a write crosses the limit
# (a quota-like failure). Its default action kills the process without the
# Ctrl-C cleanup, so the CLI must ignore it (write then fails with EFBIG and
# the atomic writer removes its temporary file).
(
    ulimit -f 16
    exec "$TINYTEX" bc7 "$TT_TEST_DATA/cli_rgb_451x300.png" -o "$TMP/big.dds" --no-refine
) >"$TMP/out" 2>"$TMP/err"
rc=$?
check "file size limit: exit 1 (got $rc)" [ "$rc" -eq 1 ]
check "file size limit: no temporary file left" [ -z "$(find "$TMP" -name '*.tmp-*')" ]
check "file size limit: no output" [ ! -e "$TMP/big.dds" ]
finish
