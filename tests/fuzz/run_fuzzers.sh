#!/usr/bin/env bash
# run_fuzzers.sh - runs each libFuzzer target in turn (niced, one at a time), growing a work corpus seeded from tests/fuzz/corpus.
#
# usage: tests/fuzz/run_fuzzers.sh BUILD_DIR WORK_DIR SECONDS [TARGET...]
#   BUILD_DIR: a build made with
#     cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DTT_FUZZ=ON -DTT_SANITIZE=ON \
#           -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_FLAGS=-fsanitize=fuzzer-no-link
#     cmake --build build-fuzz -j2 --target fuzz_image fuzz_dds fuzz_ktx2 fuzz_bc7_block fuzz_tnx
#   (-fsanitize=fuzzer-no-link gives the library coverage instrumentation;
#   without it libFuzzer only sees the few lines of tests/fuzz/*.)
# Writes WORK_DIR/<target>/ (corpus), WORK_DIR/crash-<target>/ (artifacts),
# WORK_DIR/<target>.log (libFuzzer output with -print_final_stats).
# MALLOC_LIMIT_MB (default 1024) / RSS_LIMIT_MB (2048) raise the limits, e.g.
# to fuzz past a known, not yet fixed allocation bug.
# New crash inputs belong in tests/fuzz/corpus/<target>/ once fixed; replay one
# without libFuzzer: build/test_fuzz_regress TARGET FILE.
set -u
BUILD=${1:?build dir}
WORK=${2:?work dir}
SECS=${3:?seconds per target}
shift 3
TARGETS=${*:-image dds ktx2 bc7_block tnx}
SRC=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$WORK"
for t in $TARGETS; do
    mkdir -p "$WORK/$t" "$WORK/crash-$t"
    # oom_* inputs stay out: they record allocations still made by code
    # outside this folder's control (see docs/robustness.md), and
    # -malloc_limit_mb would stop the run on them at once.
    for f in "$SRC/corpus/$t/"*; do
        case ${f##*/} in oom_*) ;; *) cp -n "$f" "$WORK/$t/" ;; esac
    done
    # -rss_limit_mb / -malloc_limit_mb: a parser must not allocate gigabytes
    # for a small input; such an allocation is reported like a crash.
    ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
        nice -n 19 "$BUILD/fuzz_$t" "$WORK/$t" -max_total_time="$SECS" -timeout=10 -rss_limit_mb="${RSS_LIMIT_MB:-2048}" \
        -malloc_limit_mb="${MALLOC_LIMIT_MB:-1024}" -print_final_stats=1 -artifact_prefix="$WORK/crash-$t/" \
        >"$WORK/$t.log" 2>&1
    echo "$t: exit $? ($(ls "$WORK/$t" | wc -l) corpus files, $(ls "$WORK/crash-$t" | wc -l) artifacts)"
done
