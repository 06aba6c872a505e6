#!/usr/bin/env bash
# check_cycles.sh - the library's dependency graph (who calls whom, from nm) must have no cycle between files or src/ modules, and no path into the CLI.
# Usage: check_cycles.sh LIBTINYTEX_A SRC_DIR     checks the archive against the sources under SRC_DIR
#        check_cycles.sh --self-test              checks the checker on small made-up graphs
# Edge A -> B: object A has an undefined symbol that object B defines. Files map to src/<module>/<file>.c by
# name (a generated FILE.c maps to its src/.../FILE.c.in). Needs only bash, awk, nm, tsort (and find, sort).
set -euo pipefail

# analyse NM_OUTPUT SRC_DIR: prints what it finds; returns 1 on a cycle or a CLI dependency.
analyse() {
    local nmout=$1 src=$2 tmp
    tmp=$(mktemp -d)
    # basename -> path under src/ (without the src/ prefix), library files only.
    (cd "$src" && find . -path ./cli -prune -o -type f \( -name '*.c' -o -name '*.c.in' \) -print) |
        awk '{ p = substr($0, 3); b = p; sub(/.*\//, "", b); sub(/\.in$/, "", b);
               if (b in seen) { print "duplicate " b ": " seen[b] " and " p; bad = 1 } seen[b] = p; print "map " b " " p }
             END { exit bad }' > "$tmp/map" || { awk '/^duplicate/' "$tmp/map" >&2; rm -rf "$tmp"; return 1; }

    # Symbols: "member type name"; member is the field before the last ':' of nm -A's first column.
    awk '{ n = split($1, a, ":"); m = a[n - 1]; sub(/\.o(bj)?$/, "", m)
           if ($2 ~ /^[A-Z]$/ && NF >= 3) print m, $2, $3 }' "$nmout" > "$tmp/syms"
    local rc=0
    awk 'NR == FNR { if ($1 == "map") path[$2] = $3; next }
         { if (!($1 in path)) { print "check_cycles: " $1 ".o: no source file under src/ of that name"; bad = 1 } }
         END { exit bad }' "$tmp/map" "$tmp/syms" | sort -u >&2 || rc=1

    # The library never depends on the CLI.
    awk '$3 ~ /^cli_/ { print "check_cycles: " $1 " " ($2 == "U" ? "references" : "defines") " the CLI symbol " $3 }' \
        "$tmp/syms" | sort -u > "$tmp/cli"
    (cd "$src" && find . -path ./cli -prune -o -type f \( -name '*.c' -o -name '*.h' \) -print) | sort |
        while read -r f; do
            awk -v f="src/${f#./}" '/^[ \t]*#[ \t]*include[ \t]*[<"]([^">]*\/)?cli(\/|_|\.h)/ {
                print "check_cycles: " f ":" FNR " includes a CLI header: " $0 }' "$src/$f"
        done >> "$tmp/cli"
    if [ -s "$tmp/cli" ]; then cat "$tmp/cli" >&2; rc=1; fi

    # File edges, then module edges (module = first folder under src/).
    awk 'NR == FNR { if ($1 == "map") path[$2] = $3; next }
         $2 != "U" { def[$3] = $1; next }
         { ref[++n] = $1 " " $3 }
         END { for (i = 1; i <= n; i++) { split(ref[i], r, " ")
                   if ((r[2] in def) && def[r[2]] != r[1] && (r[1] in path) && (def[r[2]] in path))
                       print "src/" path[r[1]], "src/" path[def[r[2]]] } }' "$tmp/map" <(awk '$2 != "U"' "$tmp/syms") "$tmp/syms" |
        sort -u > "$tmp/file_edges"
    awk '{ a = $1; b = $2; sub(/\/[^\/]*$/, "", a); sub(/\/[^\/]*$/, "", b); if (a != b) print a, b }' \
        "$tmp/file_edges" | sort -u > "$tmp/module_edges"

    local level
    for level in file module; do
        # tsort decides; awk names every strongly connected group (mutual reachability), which tsort's one loop
        # per report may only show part of.
        if ! tsort "$tmp/${level}_edges" > /dev/null 2> "$tmp/tsort.err"; then
            rc=1
            awk '{ e[$1, $2] = 1; nodes[$1] = 1; nodes[$2] = 1; r[$1, $2] = 1 }
                 END { for (k in nodes) for (i in nodes) if ((i, k) in r) for (j in nodes) if ((k, j) in r) r[i, j] = 1
                       for (i in nodes) { if (done[i] || !((i, i) in r)) continue
                           grp = ""; for (j in nodes) if ((i, j) in r && (j, i) in r) { done[j] = 1; grp = grp " " j }
                           print grp } }' "$tmp/${level}_edges" |
                while read -r grp; do
                    echo "check_cycles: cycle between ${level}s: $(printf '%s\n' $grp | sort | tr '\n' ' ')" >&2
                done
        fi
    done
    if [ $rc = 0 ]; then
        echo "check_cycles: no cycle ($(awk 'END { print NR }' "$tmp/file_edges") file edges," \
             "$(awk 'END { print NR }' "$tmp/module_edges") module edges), no CLI dependency"
    fi
    rm -rf "$tmp"
    return $rc
}

# Made-up graphs in nm -A's format, with a made-up src/ tree.
self_test() {
    local t fails=0 out
    t=$(mktemp -d)
    mkdir -p "$t/src/a" "$t/src/b" "$t/src/c" "$t/src/cli"
    for f in a/x.c a/y.c a/z.c b/p.c b/q.c c/r.c cli/main.c; do echo "/* $f */" > "$t/src/$f"; done
    sym() { printf 'lib.a:%s.c.o:0000000000000010 T %s\n' "$1" "$2"; }
    ref() { printf 'lib.a:%s.c.o:                 U %s\n' "$1" "$2"; }
    # expect NAME WANT_RC WANT_TEXT: runs the checker on $t/nm and checks the exit status and the message.
    expect() {
        local rc=0
        out=$(analyse "$t/nm" "$t/src" 2>&1) || rc=$?
        if [ $rc != "$2" ] || ! printf '%s\n' "$out" | awk -v w="$3" 'index($0, w) { f = 1 } END { exit !f }'; then
            echo "self-test $1: FAILED (exit $rc, wanted $2 and \"$3\"):"; printf '%s\n' "$out"; fails=$((fails + 1))
        else
            echo "self-test $1: ok"
        fi
    }
    { sym x fx; sym y fy; sym z fz; sym p fp; sym q fq; sym r fr
      ref x fy; ref y fz; ref x fp; ref p fq; ref q fr; ref z fr; } > "$t/nm"
    expect acyclic 0 "no cycle (6 file edges, 3 module edges)"
    { cat "$t/nm"; ref z fx; ref r fr; } > "$t/nm2" && mv "$t/nm2" "$t/nm"
    expect file-cycle 1 "cycle between files: src/a/x.c src/a/y.c src/a/z.c "
    { sym x fx; sym y fy; sym z fz; sym p fp; sym q fq; sym r fr
      ref x fp; ref q fy; } > "$t/nm"
    expect module-cycle 1 "cycle between modules: src/a src/b "
    { sym x fx; sym p fp; ref x fp; ref p cli_error; } > "$t/nm"
    expect cli-symbol 1 "p.c references the CLI symbol cli_error"
    { sym x fx; } > "$t/nm"; echo '#include "cli/cli.h"' > "$t/src/b/q.c"
    expect cli-include 1 "src/b/q.c:1 includes a CLI header"
    rm -rf "$t"
    return $((fails > 0))
}

if [ "${1:-}" = --self-test ]; then self_test; exit; fi
[ $# = 2 ] || { echo "usage: check_cycles.sh LIBTINYTEX_A SRC_DIR | --self-test" >&2; exit 2; }
[ -f "$1" ] || { echo "check_cycles: $1: no such file" >&2; exit 1; }
nmout=$(mktemp)
trap 'rm -f "$nmout"' EXIT
nm -A "$1" > "$nmout"
analyse "$nmout" "$2"
