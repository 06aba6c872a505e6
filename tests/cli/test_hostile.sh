#!/usr/bin/env bash
# test_hostile.sh - hundreds of mutated DDS, KTX2 and .tnx files (bit flips, truncations, extreme header values, appended junk): decode/info exit 0 or 1 with a one-line error, in bounded time, no sanitizer report, no output or temporary left.
. "$(dirname "$0")/lib.sh"
CORPUS=$TT_TEST_DATA/../fuzz/corpus
RANDOM=1 # fixed seed: the same mutations every run
# seeded_bytes N: N bytes from the seeded $RANDOM (not /dev/urandom, so that a failure can be replayed).
seeded_bytes() {
    local i b fmt=""   # printf -v: a $(...) subshell would draw from a reseeded $RANDOM
    for i in $(seq "$1"); do printf -v b '\\%03o' $((RANDOM % 256)); fmt+=$b; done
    printf "$fmt"
}

# Sanitizer builds: a report must not look like an ordinary "exit 1".
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=99"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}halt_on_error=1:exitcode=99"

M=$TMP/m
mkdir -p "$M"
N=0 # mutated files made

# ---- byte patching without awk (mawk has no bit operations) ----------------
# put8 FILE OFFSET VALUE / put32 FILE OFFSET VALUE (little-endian)
put8() { printf "$(printf '\\%03o' $(($3 & 255)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none; }
put32() {
    printf "$(printf '\\%03o\\%03o\\%03o\\%03o' $(($3 & 255)) $((($3 >> 8) & 255)) $((($3 >> 16) & 255)) \
        $((($3 >> 24) & 255)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
get8() { od -An -tu1 -j"$2" -N1 "$1" | tr -d ' '; }
get32() { od -An -tu4 -j"$2" -N4 "$1" | tr -d ' '; } # host order = little-endian here
fsize() { wc -c < "$1" | tr -d ' '; }
# The CRC-32 of .tnx (zlib's) is the one gzip stores in its trailer.
crc32_le() { gzip -c | tail -c8 | head -c4; }

# .tnx: recompute the header CRC and every chunk CRC, so that mutations reach
# the parsers behind the checksums (docs: 32-byte header, chunks of
# type u32, length u32, payload, crc32(type + payload)).
tnx_fix_crcs() {
    local f=$1 size pos len
    size=$(fsize "$f")
    head -c 28 "$f" | crc32_le | dd of="$f" bs=1 seek=28 conv=notrunc status=none
    pos=32
    while [ $((size - pos)) -ge 12 ]; do
        len=$(get32 "$f" $((pos + 4)))
        [ "$len" -le $((size - pos - 12)) ] || break
        { tail -c +$((pos + 1)) "$f" | head -c 4; tail -c +$((pos + 9)) "$f" | head -c "$len"; } | crc32_le |
            dd of="$f" bs=1 seek=$((pos + 8 + len)) conv=notrunc status=none
        pos=$((pos + 12 + len))
    done
}
tnx_fix_header() { head -c 28 "$1" | crc32_le | dd of="$1" bs=1 seek=28 conv=notrunc status=none; }
# tnx_fix_chunk FILE PAYLOAD_OFFSET: recompute one chunk's CRC.
tnx_fix_chunk() {
    local f=$1 p=$2 len
    len=$(get32 "$f" $((p - 4)))
    { tail -c +$((p - 7)) "$f" | head -c 4; tail -c +$((p + 1)) "$f" | head -c "$len"; } | crc32_le |
        dd of="$f" bs=1 seek=$((p + len)) conv=notrunc status=none
}
# tnx_chunk FILE TYPE: offset of TYPE's payload (empty if absent).
tnx_chunk() {
    local f=$1 size pos len
    size=$(fsize "$f")
    pos=32
    while [ $((size - pos)) -ge 12 ]; do
        len=$(get32 "$f" $((pos + 4)))
        if [ "$(tail -c +$((pos + 1)) "$f" | head -c 4)" = "$2" ]; then echo $((pos + 8)); return; fi
        pos=$((pos + 12 + len))
    done
}

new() { N=$((N + 1)); OUT=$M/$(printf '%04d' $N)-$2.$1; cp "$3" "$OUT"; } # new EXT WHAT BASE -> $OUT

# ---- mutations of one base file ---------------------------------------------
mutate_common() { # EXT BASE HEADER_BYTES
    local ext=$1 base=$2 hdr=$3 size i pos b
    size=$(fsize "$base")
    for i in $(seq 12); do # single bit flips: mostly in the header, some anywhere
        if [ $i -le 8 ]; then pos=$((RANDOM % hdr)); else pos=$((RANDOM % size)); fi
        new "$ext" "flip$pos" "$base"
        b=$(get8 "$OUT" $pos)
        put8 "$OUT" $pos $((b ^ (1 << (RANDOM % 8))))
    done
    new "$ext" "bytes" "$base" # a burst of random bytes in the header
    for i in $(seq 6); do put8 "$OUT" $((RANDOM % hdr)) $((RANDOM % 256)); done
    for cut in 0 3 4 $((hdr / 2)) $((hdr - 1)) $hdr $((hdr + 1)) $((size - 1)) $((RANDOM % size)); do
        [ "$cut" -lt "$size" ] || continue
        N=$((N + 1)); OUT=$M/$(printf '%04d' $N)-cut$cut.$ext
        head -c "$cut" "$base" > "$OUT"
    done
    new "$ext" "junk" "$base"; seeded_bytes 777 >> "$OUT"
    new "$ext" "zeros" "$base"; head -c 70000 /dev/zero >> "$OUT"
    new "$ext" "twice" "$base"; cat "$base" >> "$OUT"
}

# extreme FILE-EXT BASE OFFSET...: every listed 32-bit field set to each extreme value.
EXTREMES="0 1 65536 65537 2147483648 4294967295"
extreme() {
    local ext=$1 base=$2 off v
    shift 2
    for off in "$@"; do
        for v in $EXTREMES; do
            new "$ext" "f${off}v$v" "$base"
            put32 "$OUT" "$off" "$v"
        done
    done
}

# ---- DDS: header fields (Microsoft DDS_HEADER / DDS_HEADER_DXT10 offsets) ----
D1=$CORPUS/dds/cli_rgb_5x3.dds
D2=$CORPUS/dds/cli_rgba_alpha.dds
for f in "$D1" "$D2" "$CORPUS/ktx2/cli_rgb_5x3.ktx2" "$CORPUS/ktx2/cli_rgba_alpha.ktx2" \
    "$CORPUS/tnx/lat_png.tnx" "$CORPUS/tnx/lat_jpeg.tnx" "$CORPUS/tnx/hash_small_fp16.tnx" "$CORPUS/tnx/lat_raw.tnx"; do
    [ -f "$f" ] || { bad "missing base file $f"; finish; exit 1; }
done
mutate_common dds "$D1" 148
mutate_common dds "$D2" 148
# height width pitch depth mipcount pf.size pf.flags fourcc | dxgi dimension misc arraysize
extreme dds "$D1" 12 16 20 28 76 84 128 132 140
# Huge sizes with the matching data missing, and a legacy DXT1 header.
new dds "legacy-dxt1" "$D1"; printf 'DXT1' | dd of="$OUT" bs=1 seek=84 conv=notrunc status=none
new dds "65536sq" "$D2"; put32 "$OUT" 12 65536; put32 "$OUT" 16 65536

# ---- KTX2: header, index and level index (KTX 2.0 spec offsets) -------------
K1=$CORPUS/ktx2/cli_rgb_5x3.ktx2
K2=$CORPUS/ktx2/cli_rgba_alpha.ktx2
mutate_common ktx2 "$K1" 160
mutate_common ktx2 "$K2" 160
# vkFormat typeSize width height depth layers faces levels supercompression
# dfdOffset dfdLength kvdOffset kvdLength sgd(lo,hi) level0 offset(lo,hi) length(lo,hi) uncompressed
extreme ktx2 "$K1" 12 16 20 24 28 32 36 40 44 48 52 56 60 64 72 76 80 84 88 92 96
# DFD with another colour model (BC1 = 128) and a DFD length that disagrees.
new ktx2 "dfd-model" "$K1"; put8 "$OUT" $(($(get32 "$K1" 48) + 12)) 128
new ktx2 "dfd-total" "$K1"; put32 "$OUT" "$(get32 "$K1" 48)" 7

# ---- .tnx: header (CRC-protected), then the same with the CRCs recomputed ----
for t in lat_png hash_small_fp16; do mutate_common tnx "$CORPUS/tnx/$t.tnx" 64; done
T1=$CORPUS/tnx/lat_png.tnx
T2=$CORPUS/tnx/hash_small_fp16.tnx
# Header fields with a valid header CRC: version/size, kind, width, height, chunk count.
for off in 8 12 16 20 24; do
    for v in 0 1 3 65536 4294967295; do
        new tnx "hdr${off}v$v" "$T1"; put32 "$OUT" $off $v; tnx_fix_header "$OUT"
    done
done
# Decoder chunk: hidden depth activation omega0 features total.
DEC=$(tnx_chunk "$T2" DECP)
for i in 0 1 2 3 4 5; do
    for v in 0 3 257 2139095040 4294967295; do # 2139095040 = +inf as float
        new tnx "decp$i-v$v" "$T2"; put32 "$OUT" $((DEC + 4 * i)) $v; tnx_fix_chunk "$OUT" "$DEC"
    done
done
# Hash config: levels features log2_t base_res max_res.
HASH=$(tnx_chunk "$T2" HASH)
for i in 0 1 2 3 4; do
    for v in 0 33 65537 4294967295; do
        new tnx "hash$i-v$v" "$T2"; put32 "$OUT" $((HASH + 4 * i)) $v; tnx_fix_chunk "$OUT" "$HASH"
    done
done
# Latent config (ch_lo scale_lo ch_hi scale_hi qat_bits qat_start) and the
# latent section's header bytes (version codec pack bits features).
LATC=$(tnx_chunk "$T1" LATC)
for i in 0 1 2 3 4; do
    for v in 0 1 128 4097 4294967295; do
        new tnx "latc$i-v$v" "$T1"; put32 "$OUT" $((LATC + 4 * i)) $v; tnx_fix_chunk "$OUT" "$LATC"
    done
done
LGRD=$(tnx_chunk "$T1" LGRD)
for i in 0 1 2 3 4 5; do
    for v in 0 2 3 255; do
        new tnx "lgrd$i-v$v" "$T1"; put8 "$OUT" $((LGRD + i)) $v; tnx_fix_chunk "$OUT" "$LGRD"
    done
done
# The PNG plane inside: its IHDR width/height (big-endian) and its IDAT length.
PNG=$(LC_ALL=C grep -obUaP '\x89PNG' "$T1" | head -1 | cut -d: -f1)
[ -n "$PNG" ] || { bad "no PNG plane found in $T1"; PNG=0; }
for v in 0 255 65535; do
    new tnx "plane-w$v" "$T1"; put8 "$OUT" $((PNG + 18)) $((v >> 8)); put8 "$OUT" $((PNG + 19)) $v
    tnx_fix_chunk "$OUT" "$LGRD"
    new tnx "plane-idat$v" "$T1"; put8 "$OUT" $((PNG + 33)) $v; put8 "$OUT" $((PNG + 34)) $v
    tnx_fix_chunk "$OUT" "$LGRD"
done
# CRC-fixed random byte bursts through the whole model.
for t in "$T1" "$CORPUS/tnx/lat_jpeg.tnx" "$T2"; do
    size=$(fsize "$t")
    for i in $(seq 6); do
        new tnx "burst$i" "$t"
        for k in 1 2 3; do put8 "$OUT" $((32 + RANDOM % (size - 32))) $((RANDOM % 256)); done
        tnx_fix_crcs "$OUT"
    done
done

# ---- run decode and info on every file ------------------------------------------
echo "made $N mutated files in ${SECONDS}s"
# TT_HOSTILE_KEEP=DIR keeps the mutants (e.g. to replay them through the
# library parsers: build/test_fuzz_regress tnx DIR/*.tnx).
if [ -n "${TT_HOSTILE_KEEP:-}" ]; then mkdir -p "$TT_HOSTILE_KEEP" && cp "$M"/* "$TT_HOSTILE_KEEP"/; fi
check "made hundreds of mutated files ($N)" [ "$N" -ge 300 ]
run_one() { # FILE CMD...: exit 0 or 1, one-line error on 1, no sanitizer report, within the time bound
    local f=$1 rc
    shift
    timeout 20 "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    local why=""
    case $rc in
    0) ;;
    1) [ "$(wc -l < "$TMP/err")" -eq 1 ] || why="exit 1 without a one-line error" ;;
    124) why="hung (killed after 20 s)" ;;
    *) why="exit $rc" ;;
    esac
    if grep -q -e 'Sanitizer' -e 'runtime error' "$TMP/err"; then why="sanitizer report"; fi
    if [ -n "$why" ]; then
        bad "${f##*/}: $* : $why"
        head -5 "$TMP/err" | sed 's/^/  | /'
        return 1
    fi
    PASS=$((PASS + 1))
    return 0
}
decoded=0 refused=0
for f in "$M"/*; do
    rm -f "$TMP/o.png"
    if run_one "$f" "$TINYTEX" decode "$f" -o "$TMP/o.png"; then
        if [ -e "$TMP/o.png" ]; then decoded=$((decoded + 1)); else refused=$((refused + 1)); fi
    fi
    run_one "$f" "$TINYTEX" info "$f"
done
echo "decode: $decoded decoded, $refused refused"
check "some mutants still decode (appended junk, harmless bits)" [ "$decoded" -gt 0 ]
check "most mutants are refused" [ "$refused" -gt "$decoded" ]
check "no temporary file left" [ -z "$(ls -A "$TMP" | grep -e '\.tmp-' || true)" ]
finish
