# lib.sh - shared helpers for the tests/cli/test_*.sh scripts (sourced, not run).
set -u
export LC_ALL=C   # byte-wise grep/sed/sort on binary files, whatever the runner's locale
: "${TINYTEX:?TINYTEX must point at the tinytex binary}"
: "${TT_SAMPLES:?}" "${TT_TEST_DATA:?}"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/tinytex-cli.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
PASS=0
FAIL=0

ok()   { PASS=$((PASS + 1)); echo "ok: $*"; }
bad()  { FAIL=$((FAIL + 1)); echo "FAIL: $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }

# run EXPECTED_RC CMD...: runs CMD, keeps stdout/stderr in $TMP/out, $TMP/err, checks the exit code.
run() {
    local want=$1; shift
    "$@" >"$TMP/out" 2>"$TMP/err"
    local rc=$?
    if [ "$rc" -eq "$want" ]; then ok "exit $want: ${*##*/}"; else
        bad "expected exit $want, got $rc: $*"; sed 's/^/  | /' "$TMP/err" | head -5; fi
    return 0
}

# json_num FILE KEY: the first numeric value of "KEY" in a cJSON-printed file.
json_num() { sed -n "s/^[[:space:]]*\"$2\":[[:space:]]*\([-0-9.eE+]*\),\{0,1\}$/\1/p" "$1" | head -1; }
# ge A B: A >= B as floating point.
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 >= b + 0) }'; }
gt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 > b + 0) }'; }
near() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= t) }'; }

finish() {
    echo "$PASS passed, $FAIL failed"
    [ "$FAIL" -eq 0 ]
}
