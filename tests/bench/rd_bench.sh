#!/usr/bin/env bash
# rd_bench.sh - rate-distortion benchmark: tinytex latent/hash against JPEG (cjpeg) and WebP (cwebp), PSNR against bpp of the files written.
# usage: tests/bench/rd_bench.sh BIN_DIR OUT_DIR IMAGE_OR_FOLDER...
#   BIN_DIR holds tinytex and tile_image (the build folder); a folder input gives its *.png, *.jpg, *.jpeg.
# Writes OUT_DIR/rd.csv (image,codec,setting,file,bytes,width,height,bpp,psnr_rgb,seconds: one row per image, codec
# and setting; file is the coded file, under OUT_DIR/work, kept), OUT_DIR/rd.md (PSNR at fixed rates, dB above
# JPEG), OUT_DIR/IMAGE_rd.svg and .png (PSNR against bpp); docs/rd.md explains them.
# bytes is the size on disk of the coded file, bpp = bytes * 8 / pixels, psnr_rgb is `tinytex compare` of the file's
# decoding (tinytex decode, djpeg, dwebp) against the reference, which is the image as tinytex reads it (stb), written
# once as PNG (tile_image) and as PPM for cjpeg (cwebp -lossless + dwebp, checked to be the same RGB).
# Environment:
#   TT_RD_SETTINGS=FILE    rate points, one per line: CODEC OPTIONS... (default tests/bench/rd_settings.txt)
#   TT_RD_CODECS="..."     codecs to run, of latent hash jpeg webp (default all four)
#   TT_RD_LATENT_ARGS, TT_RD_HASH_ARGS   options added to every latent / hash line (e.g. "--iters 1000")
#   TT_RD_RATES="..."      bpp of the table (default 0.5 0.75 0.89 1 1.5 2)
#   TT_RD_SMOKE=1          a 48x48 crop of each image, tiny models, two points per codec (a test, not a figure)
#   TT_RD_NO_INSTALL=1     do not apt-get the peers; a peer that is missing is left out with a warning
#   TT_RD_FROM_CSV=FILE    code nothing: the table and figures of rows measured before (one or several rd.csv,
#                          concatenated; rename a codec, e.g. latent-2000, to set one run's rows apart)
# The peers are benchmark tools, never linked: missing ones are installed (apt-get install -y libjpeg-turbo-progs
# webp) when running as root, unless TT_RD_NO_INSTALL=1.
set -u
export LC_ALL=C
from_csv=${TT_RD_FROM_CSV:-}
if [ $# -lt 3 ] && ! { [ -n "$from_csv" ] && [ $# -eq 2 ]; }; then
    echo "usage: $0 BIN_DIR OUT_DIR IMAGE_OR_FOLDER...   (or TT_RD_FROM_CSV=rd.csv $0 BIN_DIR OUT_DIR)" >&2
    exit 2
fi
bin=$1; out=$2; shift 2
here=$(cd "$(dirname "$0")" && pwd)
tinytex=${TINYTEX:-$bin/tinytex}
tile_image=${TT_TILE_IMAGE:-$bin/tile_image}
smoke=${TT_RD_SMOKE:-0}
codecs=${TT_RD_CODECS:-latent hash jpeg webp}
rates=${TT_RD_RATES:-0.5 0.75 0.89 1 1.5 2}
latent_args=${TT_RD_LATENT_ARGS:-}
hash_args=${TT_RD_HASH_ARGS:-}
for exe in "$tinytex" "$tile_image"; do
    [ -x "$exe" ] || { echo "rd_bench: $exe: not an executable (BIN_DIR is the build folder)" >&2; exit 1; }
done

# ---- Front, figures, table ---------------------------------------------------------------------------------
# The front of each (image, codec): rows by bpp, kept when their PSNR beats every cheaper row's (several knobs give
# points that another setting beats at less rate). Figures and table use it; rd.csv keeps every row.
# report: rd_front.csv, the figures and rd.md from $csv, for the images in tags/names.
report() {
    front=$out/rd_front.csv
    {
        echo "image,codec,bpp,psnr"
        tail -n +2 "$csv" | awk -F, '$9 != "inf" && $9 != "nan" { print $1 "," $2 "," $8 "," $9 }' |
            sort -t, -k1,1 -k2,2 -k3,3g |
            awk -F, '{ key = $1 "," $2; if (key != last) { best = -1e9; last = key } if ($4 + 0 > best) { best = $4 + 0; print } }'
    } > "$front"

    for i in "${!tags[@]}"; do
        name=${names[$i]}; tag=${tags[$i]}
        [ -d "$out/work/$tag" ] || continue
        series=$out/work/$tag/front.csv
        awk -F, -v n="$name" 'NR == 1 { print "codec,bpp,psnr"; next } $1 == n { print $2 "," $3 "," $4 }' "$front" > "$series"
        [ "$(wc -l < "$series")" -gt 1 ] || continue
        for ext in svg png; do
            "$tinytex" plot "$series" --x bpp --group codec --markers --x-label "bits per pixel (file size)" \
                --title "$name: RGB PSNR vs bpp" -o "$out/${tag}_rd.$ext" -q || failed=1
        done
    done

    # Table: PSNR on the front, linear in bpp between measured points, n/a outside; (+d) is dB above JPEG at that rate;
    # the last column is the mean of that difference over the bpp range both codecs cover (a BD-PSNR, linear in bpp).
    awk -F, -v rates="$rates" '
    function at(key, r,   i, n) {
        n = cnt[key]
        if (n == 0 || r < X[key, 1] - 1e-9 || r > X[key, n] + 1e-9) return "n/a"
        for (i = 1; i < n; i++)
            if (r <= X[key, i + 1]) return Y[key, i] + (Y[key, i + 1] - Y[key, i]) * (r - X[key, i]) / (X[key, i + 1] - X[key, i])
        return Y[key, n]
    }
    NR == 1 { next }
    {
        key = $1 SUBSEP $2
        if (!(key in cnt)) { cnt[key] = 0; if (!($1 in seen)) { seen[$1] = 1; imgs[++ni] = $1 } nc[$1]++; cl[$1, nc[$1]] = $2 }
        cnt[key]++; X[key, cnt[key]] = $3; Y[key, cnt[key]] = $4
    }
    END {
        nr = split(rates, R, " ")
        nknown = split("latent hash webp jpeg", known, " ")  # table rows: tinytex first, then the peers, then others
        for (c = 1; c <= nknown; c++) isknown[known[c]] = 1
        printf "RGB PSNR (dB) at fixed bpp, linear in bpp between measured points (the front of each codec); (+d) is dB above JPEG at that rate; n/a: outside the measured range. Mean vs JPEG: the mean difference over the bpp range both cover.\n\n"
        for (m = 1; m <= ni; m++) {
            im = imgs[m]
            printf "**%s**\n\n| codec | measured bpp |", im
            for (j = 1; j <= nr; j++) printf " %s bpp |", R[j]
            printf " mean vs JPEG |\n|---|---|"
            for (j = 1; j <= nr; j++) printf "---|"
            printf "---|\n"
            jk = im SUBSEP "jpeg"
            hasj = jk in cnt  # before at() looks cnt up (which adds the key)
            norder = 0
            for (c = 1; c <= nknown; c++) if ((im SUBSEP known[c]) in cnt) named[++norder] = known[c]
            for (c = 1; c <= nc[im]; c++) if (!(cl[im, c] in isknown)) named[++norder] = cl[im, c]
            for (c = 1; c <= norder; c++) {
                key = im SUBSEP named[c]
                cod[im, c] = named[c]
                printf "| %s | %.2f-%.2f |", cod[im, c], X[key, 1], X[key, cnt[key]]
                for (j = 1; j <= nr; j++) {
                    p = at(key, R[j] + 0)
                    if (p == "n/a") { printf " n/a |"; continue }
                    printf " %.2f", p
                    q = at(jk, R[j] + 0)
                    if (cod[im, c] != "jpeg" && hasj && q != "n/a") printf " (%+.2f)", p - q
                    printf " |"
                }
                if (cod[im, c] == "jpeg" || !hasj) { printf " |\n"; continue }
                lo = X[key, 1] > X[jk, 1] ? X[key, 1] : X[jk, 1]
                hi = X[key, cnt[key]] < X[jk, cnt[jk]] ? X[key, cnt[key]] : X[jk, cnt[jk]]
                if (!(hi > lo)) { printf " |\n"; continue }
                s = 0
                for (t = 0; t <= 200; t++) { r = lo + (hi - lo) * t / 200; s += at(key, r) - at(jk, r) }
                printf " %+.2f dB over %.2f-%.2f bpp |\n", s / 201, lo, hi
            }
            printf "\n"
        }
    }' "$front" > "$out/rd.md.tmp" && mv "$out/rd.md.tmp" "$out/rd.md" || failed=1
    echo "wrote $csv ($(($(wc -l < "$csv") - 1)) rows), $out/rd.md, $(ls "$out"/*_rd.svg 2>/dev/null | wc -l) figures"
}

# ---- Report only: TT_RD_FROM_CSV=FILE ---------------------------------------------------------------------
if [ -n "$from_csv" ]; then
    # Rows measured before (rd.csv of one or several runs, concatenated; repeated headers are dropped).
    want='image,codec,setting,file,bytes,width,height,bpp,psnr_rgb,seconds'
    [ "$(head -1 "$from_csv" 2>/dev/null)" = "$want" ] ||
        { echo "rd_bench: $from_csv: not an rd_bench CSV (header $want)" >&2; exit 1; }
    mkdir -p "$out" || exit 1
    csv=$out/rd.csv
    { echo "$want"; grep -v "^$want\$" "$from_csv"; } > "$csv.tmp" && mv "$csv.tmp" "$csv" || exit 1
    failed=0; tags=(); names=()
    while IFS= read -r name; do
        names+=("$name"); tags+=("$(echo "$name" | tr -c 'A-Za-z0-9_\n-' '_')")
        mkdir -p "$out/work/${tags[-1]}" || exit 1
    done < <(tail -n +2 "$csv" | cut -d, -f1 | awk '!seen[$0]++')
    report
    exit $failed
fi

# ---- Settings ------------------------------------------------------------------------------
mkdir -p "$out" || exit 1
settings=${TT_RD_SETTINGS:-}
if [ -z "$settings" ] && [ "$smoke" = 1 ]; then
    settings=$out/smoke_settings.txt
    cat > "$settings" <<'EOF'
latent --qat-bits 4 --ch-lo 4 --ch-hi 0
latent --qat-bits 8 --ch-lo 4 --ch-hi 2
hash --log2-t 6 --n-levels 4 --n-features 2
hash --log2-t 8 --n-levels 4 --n-features 2
jpeg -quality 30 -optimize
jpeg -quality 90 -optimize
webp -q 30 -m 6
webp -q 90 -m 6
EOF
    # Tiny models: the point is the plumbing, not the figure.
    latent_args="--iters 30 --batch 1024 --scale-lo 4 --scale-hi 2 --hidden 8 --depth 1 --qat-start 10 $latent_args"
    hash_args="--iters 30 --batch 1024 --hidden 16 --depth 1 --base-res 4 --max-res 48 $hash_args"
fi
settings=${settings:-$here/rd_settings.txt}
[ -r "$settings" ] || { echo "rd_bench: $settings: cannot read the settings file" >&2; exit 1; }
if grep -v '^[[:space:]]*\(#\|$\)' "$settings" | grep -q ','; then
    echo "rd_bench: $settings: a setting contains a comma (the CSV has no quoting)" >&2
    exit 1
fi
if grep -v '^[[:space:]]*\(#\|$\)' "$settings" | awk '$1 !~ /^(latent|hash|jpeg|webp)$/ { bad = 1 } END { exit !bad }'; then
    echo "rd_bench: $settings: a line does not start with latent, hash, jpeg or webp" >&2
    exit 1
fi
wants() { case " $codecs " in *" $1 "*) return 0 ;; esac; return 1; }

# ---- Peers ---------------------------------------------------------------------------------------
have_peer() { command -v "$1" >/dev/null 2>&1 && command -v "$2" >/dev/null 2>&1; }
missing=
wants jpeg && ! have_peer cjpeg djpeg && missing="$missing libjpeg-turbo-progs"
# cwebp/dwebp are needed for WebP and to write the PPM reference that cjpeg reads.
{ wants webp || wants jpeg; } && ! have_peer cwebp dwebp && missing="$missing webp"
if [ -n "$missing" ] && [ "${TT_RD_NO_INSTALL:-0}" != 1 ]; then
    if [ "$(id -u)" = 0 ]; then
        echo "rd_bench: installing$missing (benchmark peers, not dependencies of tinytex)" >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y $missing >&2 ||
            { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y $missing >&2; } ||
            { echo "rd_bench: apt-get install$missing failed" >&2; exit 1; }
    else
        echo "rd_bench: missing$missing: install it (apt-get install -y$missing) or run as root" >&2
        exit 1
    fi
fi
if wants jpeg && ! { have_peer cjpeg djpeg && have_peer cwebp dwebp; }; then
    echo "rd_bench: warning: cjpeg/djpeg or cwebp/dwebp missing: no JPEG points" >&2
    codecs=$(echo " $codecs " | sed 's/ jpeg / /')
fi
if wants webp && ! have_peer cwebp dwebp; then
    echo "rd_bench: warning: cwebp/dwebp missing: no WebP points" >&2
    codecs=$(echo " $codecs " | sed 's/ webp / /')
fi

# ---- Inputs ------------------------------------------------------------------------------------------
images=()
for arg in "$@"; do
    if [ -d "$arg" ]; then
        while IFS= read -r f; do images+=("$f"); done < <(find "$arg" -maxdepth 1 -type f \
            \( -iname '*.png' -o -iname '*.jpg' -o -iname '*.jpeg' \) | sort)
    elif [ -f "$arg" ]; then
        images+=("$arg")
    else
        echo "rd_bench: $arg: no such file or folder" >&2
        exit 1
    fi
done
[ ${#images[@]} -gt 0 ] || { echo "rd_bench: no PNG or JPEG image in $*" >&2; exit 1; }

# png_size FILE: "W H" from the IHDR of a PNG.
png_size() { od -An -tu1 -j16 -N8 "$1" | awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4, $5 * 16777216 + $6 * 65536 + $7 * 256 + $8 }'; }
# rgb_psnr REF TEST: the RGB PSNR of `tinytex compare` (full precision from its JSON, where identical is null: inf).
rgb_psnr() {
    local json=$work/compare.json v
    rm -f "$json"
    "$tinytex" compare "$1" "$2" --json "$json" -q || return 1
    v=$(sed -n 's/^[[:space:]]*"psnr_rgb":[[:space:]]*\([^,]*\),\{0,1\}$/\1/p' "$json" | head -1)
    case "$v" in null) echo inf ;; '') return 1 ;; *) echo "$v" ;; esac
}
now() { date +%s.%N; }

csv=$out/rd.csv
rows=$out/rd.csv.tmp
echo "image,codec,setting,file,bytes,width,height,bpp,psnr_rgb,seconds" > "$rows"
failed=0
tags=(); names=(); used=" "
for img in "${images[@]}"; do
    name=$(basename "$img" | tr , _)  # the CSV has no quoting
    tag=$(echo "$name" | tr -c 'A-Za-z0-9_\n-' '_')
    # Two inputs of the same name (from different folders) get their own rows, work folders and figures.
    n=1; t=$tag
    while [[ $used == *" $t "* ]]; do n=$((n + 1)); t=${tag}_$n; done
    [ $n -gt 1 ] && name="$name ($n)"
    tag=$t; used="$used$tag "; tags+=("$tag"); names+=("$name")
    work=$out/work/$tag
    mkdir -p "$work" || exit 1
    ref=$work/ref.png
    if [ "$smoke" = 1 ]; then
        "$tile_image" "$img" 48 48 "$ref" || { echo "rd_bench: $img: cannot read" >&2; failed=1; continue; }
    else
        # tile_image at the image's own size: the pixels as tinytex reads them, written as PNG.
        "$tinytex" info "$img" --json > "$work/info.json" || { failed=1; continue; }
        w=$(sed -n 's/^[[:space:]]*"width":[[:space:]]*\([0-9]*\),\{0,1\}$/\1/p' "$work/info.json" | head -1)
        h=$(sed -n 's/^[[:space:]]*"height":[[:space:]]*\([0-9]*\),\{0,1\}$/\1/p' "$work/info.json" | head -1)
        [ -n "$w" ] && [ -n "$h" ] || { echo "rd_bench: $img: no width/height in tinytex info" >&2; failed=1; continue; }
        "$tile_image" "$img" "$w" "$h" "$ref" || { failed=1; continue; }
    fi
    read -r width height < <(png_size "$ref")
    pixels=$((width * height))
    if wants jpeg; then
        cwebp -quiet -lossless -exact "$ref" -o "$work/ref.webp" && dwebp -quiet "$work/ref.webp" -ppm -o "$work/ref.ppm" ||
            { echo "rd_bench: $img: cannot write the PPM reference" >&2; failed=1; continue; }
        p=$(rgb_psnr "$ref" "$work/ref.ppm")
        [ "$p" = inf ] || { echo "rd_bench: $img: the PPM reference differs from the PNG ($p dB)" >&2; failed=1; continue; }
    fi
    echo "== $name (${width}x${height})"
    k=0
    while read -r codec opts <&3; do
        case "$codec" in ''|'#'*) continue ;; esac
        wants "$codec" || continue
        k=$((k + 1))
        base=$work/$codec-$k
        rm -f "$base".*   # a file of an earlier run must not stand in for one this run failed to write
        t0=$(now)
        case "$codec" in
        latent) coded=$base.tnx; decoded=$base.png
            # shellcheck disable=SC2086  # options are words
            "$tinytex" latent "$ref" -o "$coded" $latent_args $opts --decode-repeats 1 -q &&
                "$tinytex" decode "$coded" -o "$decoded" -q ;;
        hash) coded=$base.tnx; decoded=$base.png
            # shellcheck disable=SC2086
            "$tinytex" hash "$ref" -o "$coded" $hash_args $opts --decode-repeats 1 -q && "$tinytex" decode "$coded" -o "$decoded" -q ;;
        jpeg) coded=$base.jpg; decoded=$base.ppm
            # shellcheck disable=SC2086
            cjpeg $opts -outfile "$coded" "$work/ref.ppm" && djpeg -outfile "$decoded" "$coded" ;;
        webp) coded=$base.webp; decoded=$base.png
            # shellcheck disable=SC2086
            cwebp -quiet $opts "$ref" -o "$coded" && dwebp -quiet "$coded" -o "$decoded" ;;
        esac
        rc=$?
        t1=$(now)
        if [ $rc -ne 0 ] || [ ! -s "$coded" ] || [ ! -s "$decoded" ]; then
            echo "rd_bench: $name: $codec $opts failed (exit $rc)" >&2
            failed=1
            continue
        fi
        bytes=$(stat -c %s "$coded")
        psnr=$(rgb_psnr "$ref" "$decoded") || { echo "rd_bench: $name: $codec $opts: compare failed" >&2; failed=1; continue; }
        line=$(awk -v n="$name" -v c="$codec" -v s="$opts" -v f="${coded#"$out"/}" -v b="$bytes" -v w="$width" -v h="$height" \
            -v px="$pixels" -v p="$psnr" -v t0="$t0" -v t1="$t1" \
            'BEGIN { printf "%s,%s,%s,%s,%d,%d,%d,%.4f,%s,%.1f", n, c, s, f, b, w, h, b * 8 / px, p, t1 - t0 }')
        echo "$line" >> "$rows"
        echo "$line" | awk -F, '{ printf "  %-6s %-44s %8d B %7.3f bpp %7.3f dB %6.1f s\n", $2, $3, $5, $8, $9, $10 }'
    done 3< "$settings"
done
mv "$rows" "$csv" || exit 1

report
exit $failed
