#!/usr/bin/env bash
# test_install.sh - cmake --install into a temporary prefix, then programs built on it with pkg-config and find_package run, and the CLI reads what they wrote.
# Environment (set by ctest): TT_BUILD_DIR, TT_SOURCE_DIR, TT_INSTALL_LIBDIR, TINYTEX (the CLI), TT_CC (C compiler),
# TT_SANITIZE (1: skipped, a sanitized library needs its runtime in every program).
set -euo pipefail
: "${TT_BUILD_DIR:?}" "${TT_SOURCE_DIR:?}" "${TINYTEX:?}"
libdir_rel=${TT_INSTALL_LIBDIR:-lib}
cc=${TT_CC:-cc}
if [ "${TT_SANITIZE:-0}" = 1 ]; then echo "SKIP: sanitized build"; exit 77; fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
libdir=$prefix/$libdir_rel
fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "--- $*"; }

step "cmake --install to $prefix"
cmake --install "$TT_BUILD_DIR" --prefix "$prefix" > "$tmp/install.log" || { cat "$tmp/install.log"; fail "cmake --install"; }
for f in "$prefix/bin/tinytex" "$libdir/libtinytex.a" "$libdir/libtinytex.so" "$libdir/libtinytex.so.0" "$libdir/libtinytex.so.0.1.0" \
         "$prefix/include/tinytex.h" "$libdir/pkgconfig/tinytex.pc" "$libdir/cmake/tinytex/tinytexConfig.cmake" \
         "$libdir/cmake/tinytex/tinytexConfigVersion.cmake" "$libdir/cmake/tinytex/tinytexTargets.cmake" \
         "$libdir/cmake/tinytex/tinytexStaticTargets.cmake"; do
    [ -e "$f" ] || fail "not installed: ${f#"$prefix"/}"
done
soname=$(readelf -d "$libdir/libtinytex.so.0.1.0" | awk '/SONAME/ { gsub(/[][]/, "", $NF); print $NF }')
[ "$soname" = libtinytex.so.0 ] || fail "SONAME is '$soname', want libtinytex.so.0"

export PKG_CONFIG_PATH=$libdir/pkgconfig
[ "$(pkg-config --modversion tinytex)" = 0.1.0 ] || fail "pkg-config --modversion tinytex"
cflags=$(pkg-config --cflags tinytex)
libs=$(pkg-config --libs tinytex)
static_libs=$(pkg-config --static --libs tinytex)
warn="-std=c11 -Wall -Wextra -Wpedantic -Werror"

step "smoke program: pkg-config, shared and static"
# shellcheck disable=SC2086
$cc $warn "$TT_SOURCE_DIR/tests/install/smoke.c" -o "$tmp/smoke_pc" $cflags $libs
LD_LIBRARY_PATH=$libdir "$tmp/smoke_pc"
# The same flags with the archive in place of -ltinytex: Libs.private and Requires.private must be enough.
# shellcheck disable=SC2086
$cc $warn "$TT_SOURCE_DIR/tests/install/smoke.c" -o "$tmp/smoke_pc_static" $cflags ${static_libs/-ltinytex/-l:libtinytex.a}
if readelf -d "$tmp/smoke_pc_static" | grep -q 'libtinytex\.so'; then fail "the static build needs libtinytex.so"; fi
"$tmp/smoke_pc_static"

step "smoke program: find_package(tinytex), tinytex::tinytex and tinytex::tinytex_static"
cmake -S "$TT_SOURCE_DIR/tests/install/project" -B "$tmp/smoke_cmake" -DCMAKE_PREFIX_PATH="$prefix" \
      -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=Release > "$tmp/cmake.log" 2>&1 || { cat "$tmp/cmake.log"; fail "configure"; }
cmake --build "$tmp/smoke_cmake" > "$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; fail "build"; }
"$tmp/smoke_cmake/smoke_shared"
"$tmp/smoke_cmake/smoke_static"

# The example calls functions that other branches of issue 18 define: until they are merged it cannot link.
example=$TT_SOURCE_DIR/samples/example
missing=$(awk 'NR == FNR { e[$3] = 1; next }
               { while (match($0, /tt_[a-z0-9_]+\(/)) { f = substr($0, RSTART, RLENGTH - 1); $0 = substr($0, RSTART + RLENGTH)
                     if (!(f in e) && !(f in seen)) { seen[f] = 1; printf "%s ", f } } }' \
          <(nm -D --defined-only "$libdir/libtinytex.so") "$example/example.c")
if [ -n "$missing" ]; then
    fail "samples/example calls functions libtinytex.so does not export: $missing"
fi

step "samples/example: pkg-config and find_package builds"
# shellcheck disable=SC2086
$cc $warn "$example/example.c" -o "$tmp/example_pc" $cflags $libs
cmake -S "$example" -B "$tmp/example_cmake" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_COMPILER="$cc" \
      > "$tmp/cmake2.log" 2>&1 || { cat "$tmp/cmake2.log"; fail "configure samples/example"; }
cmake --build "$tmp/example_cmake" > "$tmp/build2.log" 2>&1 || { cat "$tmp/build2.log"; fail "build samples/example"; }

image=$TT_SOURCE_DIR/tests/data/cli_rgb_451x300.png
model=$TT_SOURCE_DIR/tests/fuzz/corpus/tnx/lat_raw.tnx
step "run both"
LD_LIBRARY_PATH=$libdir "$tmp/example_pc" "$image" "$tmp/a.ktx2" "$model" | tee "$tmp/a.out"
"$tmp/example_cmake/example" "$image" "$tmp/b.ktx2" "$model" | tee "$tmp/b.out"
cmp "$tmp/a.ktx2" "$tmp/b.ktx2" || fail "the two builds wrote different KTX2 files"
grep -q '^model: .*32x32 image' "$tmp/a.out" || fail "no model line with a 32x32 image"

step "the CLI reads the example's KTX2"
"$TINYTEX" info "$tmp/a.ktx2" | tee "$tmp/info.out"
grep -q 'KTX2, BC7 UNORM, 451x300' "$tmp/info.out" || fail "tinytex info does not describe a 451x300 BC7 KTX2"
"$TINYTEX" decode "$tmp/a.ktx2" -o "$tmp/a.png"
"$TINYTEX" compare "$image" "$tmp/a.png" | tee "$tmp/compare.out"
ex_psnr=$(awk '/^bc7:/ { for (i = 1; i < NF; i++) if ($i == "PSNR") print $(i + 1) }' "$tmp/a.out")
cli_psnr=$(awk '/PSNR/ { for (i = 1; i < NF; i++) if ($i == "PSNR") print $(i + 1) }' "$tmp/compare.out")
[ -n "$ex_psnr" ] && [ "$ex_psnr" = "$cli_psnr" ] || fail "PSNR: example $ex_psnr dB, tinytex decode + compare $cli_psnr dB"
"$TINYTEX" bc7 "$image" -o "$tmp/cli.ktx2" > /dev/null
cmp "$tmp/a.ktx2" "$tmp/cli.ktx2" || fail "tt_bc7_encode + tt_texture_save and tinytex bc7 wrote different KTX2 files"
echo "PASS: example and CLI agree on $ex_psnr dB and on the KTX2 bytes"
