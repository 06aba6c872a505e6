#!/bin/bash
# test_hash_cli.sh - `tinytex hash` end to end: train -> .tnx -> decode/info; PSNR printed == PSNR of the decoded PNG; corrupted files refused.
. "$(dirname "$0")/lib.sh"

# A 64x48 binary PPM (smooth gradients plus a pattern), made here so the test needs no data file.
awk 'BEGIN { printf "P6\n64 48\n255\n" > "/dev/stderr";
  for (y = 0; y < 48; y++) for (x = 0; x < 64; x++) {
    r = int(128 + 100 * sin(x * 0.2) * cos(y * 0.15)); g = int(x * 4); b = int((x + 2 * y) * 2) % 256;
    printf "\\%03o\\%03o\\%03o", r, g, b } }' 2>"$TMP/head" >"$TMP/body.txt"
{ cat "$TMP/head"; printf '%b' "$(cat "$TMP/body.txt")"; } >"$TMP/img.ppm"
check "test image is 64x48x3 + header" [ "$(wc -c <"$TMP/img.ppm")" -eq $((64 * 48 * 3 + 13)) ]

# Prototype spellings (--n_levels, --log2_T, --max_res) are accepted.
run 0 "$TINYTEX" hash "$TMP/img.ppm" -o "$TMP/m.tnx" --n_levels 8 --log2_T 10 --max_res 64 --hidden 16 \
    --iters 200 --batch 1024 --json "$TMP/h.json" --decoded "$TMP/d.png" --log "$TMP/log.csv" \
    --snapshot-every 100 --snapshot-dir "$TMP/snaps" --decode-repeats 1
cat "$TMP/err" | tail -1
P_HASH=$(json_num "$TMP/h.json" psnr_rgb)
BYTES=$(json_num "$TMP/h.json" output_bytes)
RATIO=$(json_num "$TMP/h.json" ratio)
check "file size in the report is the size on disk" [ "$BYTES" = "$(wc -c <"$TMP/m.tnx")" ]
check "ratio = raw RGB8 / file size" near "$RATIO" "$(awk -v b="$BYTES" 'BEGIN { print 64 * 48 * 3 / b }')" 0.001
check "trains past 24 dB in 200 steps (got $P_HASH)" ge "$P_HASH" 24
check "log has a header and 200 steps" [ "$(wc -l <"$TMP/log.csv")" -eq 201 ]
check "log header" [ "$(head -1 "$TMP/log.csv")" = "step,loss,psnr,seconds" ]

# Without --max-res the finest level is capped at the image's longer side, so a small image gets a small model; a
# file larger than the raw image is written with a warning. A level holds min(res^2, T) entries, so levels finer
# than 64 (with --max_res 512, the prototype's spelling) are full tables of T = 1024 that the capped model lacks.
run 0 "$TINYTEX" hash "$TMP/img.ppm" -o "$TMP/cap.tnx" --n-levels 8 --log2-t 10 --hidden 16 --iters 5 --batch 256 --decode-repeats 1
run 0 "$TINYTEX" hash "$TMP/img.ppm" -o "$TMP/nocap.tnx" --n-levels 8 --log2-t 10 --hidden 16 --iters 5 --batch 256 --decode-repeats 1 --max_res 512
check "capped at the image: a smaller file than --max-res 512" [ "$(wc -c <"$TMP/cap.tnx")" -lt "$(wc -c <"$TMP/nocap.tnx")" ]
check "capped model: levels 16..64 (info)" grep -q "resolution 16\.\.64 " <("$TINYTEX" info "$TMP/cap.tnx")
check "a file larger than the raw image: warned" grep -q "larger than the image as raw RGB8" "$TMP/err"
check "two snapshots" [ -f "$TMP/snaps/step_000100.png" ] && [ -f "$TMP/snaps/step_000200.png" ]

# decode rebuilds the same image; its PSNR is the one hash printed.
run 0 "$TINYTEX" decode "$TMP/m.tnx" -o "$TMP/out.png" --json "$TMP/dec.json"
check "decode == --decoded" cmp -s "$TMP/out.png" "$TMP/d.png"
# Both reports say which decode ran, as `devices` predicts (lavapipe: the fp32 loop).
"$TINYTEX" devices > "$TMP/dev.txt"
if grep -q 'tensor-core decode yes' "$TMP/dev.txt"; then WANT=tensor_cores; else WANT=fp32; fi
check "devices states the tensor-core decode" grep -Eq 'tensor-core decode (yes|no)' "$TMP/dev.txt"
check "hash report: decode_path $WANT" grep -q "\"decode_path\":[[:space:]]*\"$WANT\"" "$TMP/h.json"
check "decode report: decode_path $WANT" grep -q "\"decode_path\":[[:space:]]*\"$WANT\"" "$TMP/dec.json"
run 0 "$TINYTEX" compare "$TMP/img.ppm" "$TMP/out.png" --json "$TMP/c.json"
P_CMP=$(json_num "$TMP/c.json" psnr_rgb)
check "PSNR printed ($P_HASH) == PSNR of the decoded PNG ($P_CMP)" near "$P_HASH" "$P_CMP" 0.0001

run 0 "$TINYTEX" info "$TMP/m.tnx"
check "info names the model" grep -q "hash grid: 8 levels x 2 features, T = 2^10" "$TMP/out"
check "info checks the checksum" grep -q "checksum   ok" "$TMP/out"
check "info gives the parameter count" grep -q "params " "$TMP/out"

# fp32 files are larger and decode to at least the same quality.
run 0 "$TINYTEX" hash "$TMP/img.ppm" -o "$TMP/m32.tnx" --n-levels 8 --log2-t 10 --max-res 64 --hidden 16 \
    --iters 20 --batch 256 --precision fp32 --decode-repeats 1 -q
check "-q prints nothing" [ ! -s "$TMP/err" ]
run 0 "$TINYTEX" info "$TMP/m32.tnx"
check "fp32 stored" grep -q "stored fp32" "$TMP/out"

# Corrupted and truncated files: exit 1 with one line naming the file.
cp "$TMP/m.tnx" "$TMP/flip.tnx"
printf '\x55' | dd of="$TMP/flip.tnx" bs=1 seek=300 conv=notrunc 2>/dev/null
run 1 "$TINYTEX" decode "$TMP/flip.tnx" -o "$TMP/bad.png"
check "bit flip: one line" [ "$(wc -l <"$TMP/err")" -eq 1 ]
check "bit flip: says checksum" grep -q "flip.tnx: checksum mismatch" "$TMP/err"
check "no output written" [ ! -e "$TMP/bad.png" ]
head -c 1000 "$TMP/m.tnx" >"$TMP/cut.tnx"
run 1 "$TINYTEX" info "$TMP/cut.tnx"
check "truncated: one line" [ "$(wc -l <"$TMP/err")" -eq 1 ]
check "truncated: says so" grep -q "cut.tnx: truncated" "$TMP/err"

# Usage errors (exit 2) and the quality gate (exit 3, file still written).
run 2 "$TINYTEX" hash "$TMP/img.ppm" -o "$TMP/x.tnx" --hidden 30
run 2 "$TINYTEX" hash "$TMP/img.ppm" -o "$TMP/x.tnx" --no-such-option 1
run 2 "$TINYTEX" hash "$TMP/img.ppm" -o "$TMP/x.tnx" --precision fp8
run 2 "$TINYTEX" hash "$TMP/img.ppm" -o "$TMP/x.tnx" --snapshot-every 5
run 3 "$TINYTEX" hash "$TMP/img.ppm" -o "$TMP/q.tnx" --n-levels 4 --max-res 32 --hidden 8 --iters 5 --batch 64 \
    --min-psnr 99 --decode-repeats 1
check "file written despite --min-psnr" [ -s "$TMP/q.tnx" ]
finish
