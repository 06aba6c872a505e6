#!/usr/bin/env bash
# check_exports.sh - libtinytex.so must export exactly the TT_API functions of include/tinytex.h, nothing internal.
# Usage: check_exports.sh LIBTINYTEX_SO TINYTEX_H
set -euo pipefail
so=$1 header=$2
[ -f "$so" ] || { echo "check_exports: $so: no such file" >&2; exit 1; }
[ -f "$header" ] || { echo "check_exports: $header: no such file" >&2; exit 1; }

# Function names declared in the header; a declaration without TT_API would stay hidden, so it is an error too.
declared=$(awk '
    /^typedef/ { next }
    /^TT_API / { if (match($0, /tt_[a-z0-9_]+[ ]*\(/)) { s = substr($0, RSTART, RLENGTH); sub(/[ ]*\($/, "", s); print s }; next }
    /^[a-z].*tt_[a-z0-9_]+\(/ { print "UNMARKED " FILENAME ":" NR ": " $0 }
' "$header" | sort -u)
unmarked=$(printf '%s\n' "$declared" | awk '/^UNMARKED /')
if [ -n "$unmarked" ]; then
    echo "check_exports: declarations without TT_API (they would not be exported):" >&2
    printf '%s\n' "$unmarked" | sed 's/^UNMARKED /  /' >&2
    exit 1
fi
[ -n "$declared" ] || { echo "check_exports: no TT_API declarations found in $header" >&2; exit 1; }

exported=$(nm -D --defined-only "$so" | awk 'NF >= 3 { print $3 }' | sort -u)
[ -n "$exported" ] || { echo "check_exports: $so exports nothing" >&2; exit 1; }

extra=$(awk 'NR == FNR { d[$0] = 1; next } !($0 in d)' <(printf '%s\n' "$declared") <(printf '%s\n' "$exported"))
missing=$(awk 'NR == FNR { e[$0] = 1; next } !($0 in e)' <(printf '%s\n' "$exported") <(printf '%s\n' "$declared"))
rc=0
if [ -n "$extra" ]; then
    echo "check_exports: $so exports symbols that include/tinytex.h does not declare:" >&2
    printf '  %s\n' $extra >&2
    rc=1
fi
if [ -n "$missing" ]; then
    echo "check_exports: declared in the header but not exported by $so:" >&2
    printf '  %s\n' $missing >&2
    rc=1
fi
[ $rc = 0 ] && echo "check_exports: $(printf '%s\n' "$exported" | awk 'END { print NR }') exported symbols, all declared in the header"
exit $rc
