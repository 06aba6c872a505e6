#!/usr/bin/env bash
# test_plot.sh - `tinytex plot`: SVG structure (points per line, ticks, labels, legend), PNG size and content, phases, --x/--group, bad CSVs (exit 1, file:line), usage errors.
. "$(dirname "$0")/lib.sh"

# A hash-style log: 50 steps, PSNR 10.4 .. 30.0 dB, one "inf" row (loss 0) that cannot be drawn.
awk 'BEGIN { print "step,loss,psnr,seconds"; for (s = 1; s <= 50; s++) printf "%d,0.01,%.4f,%.2f\n", s, 10 + 0.4 * s, s / 10;
             print "51,0,inf,5.1" }' > "$TMP/a.csv"
# A latent-style log: phase column, 30 training steps then 10 fine-tuning steps restarting at 1 (CRLF line ends).
awk 'BEGIN { print "phase,step,loss,psnr,seconds\r"; for (s = 1; s <= 30; s++) printf "train,%d,0.01,%.4f,0.1\r\n", s, 12 + 0.5 * s;
             for (s = 1; s <= 10; s++) printf "finetune,%d,0.01,%.4f,0.1\r\n", s, 27 + 0.1 * s }' > "$TMP/b.csv"

# points_per_line SVG: the number of x,y pairs of each <polyline>, one line each.
points_per_line() { grep -o 'points="[^"]*"' "$1" | sed 's/points="//; s/"$//' | awk '{ print NF }'; }
# xs SVG N: the x coordinates of polyline N, one per line.
xs() { grep -o 'points="[^"]*"' "$1" | sed -n "${2}p" | sed 's/points="//; s/"$//' | tr ' ' '\n' | cut -d, -f1; }
# ticks SVG CLASS: the tick labels of group CLASS (xticks or yticks), space-separated.
ticks() { awk -v c="class=\"$2\"" 'index($0, c) { f = 1; next } f && /^<\/g>/ { exit } f' "$1" | sed 's/<[^>]*>//g' | tr '\n' ' '; }

run 0 "$TINYTEX" plot "$TMP/a.csv" -o "$TMP/a.svg"
check "SVG is XML" grep -q '^<svg xmlns="http://www.w3.org/2000/svg" width="800" height="480"' "$TMP/a.svg"
check "one line" [ "$(grep -c '<polyline' "$TMP/a.svg")" -eq 1 ]
check "50 points (the inf row left out)" [ "$(points_per_line "$TMP/a.svg")" = 50 ]
xs "$TMP/a.svg" 1 > "$TMP/x1"
check "x increases along the line" sort -g -c "$TMP/x1"
# 1-2-5 ticks, about 6 per axis: steps 0..50 every 10, PSNR 10..30 every 5.
check "x ticks 0..50 by 10" [ "$(ticks "$TMP/a.svg" xticks)" = "0 10 20 30 40 50 " ]
check "y ticks 10..30 by 5" [ "$(ticks "$TMP/a.svg" yticks)" = "10 15 20 25 30 " ]
check "x axis label" grep -q '>training step</text>' "$TMP/a.svg"
check "y axis label" grep -q '>PSNR (dB)</text>' "$TMP/a.svg"
check "title" grep -q 'class="title"[^>]*>PSNR vs training step</text>' "$TMP/a.svg"
check "grid lines" [ "$(grep -c '^<line' "$TMP/a.svg")" -ge 11 ]
check "legend names the file" grep -q '>a</text>' "$TMP/a.svg"
check "stdout says what was drawn" grep -q '1 line, 50 points' "$TMP/out"
# Step 1 (10.4 dB) is left of and below step 50 (30 dB): SVG y grows downwards.
grep -o 'points="[^"]*"' "$TMP/a.svg" | sed 's/points="//; s/"$//' | tr ' ' '\n' > "$TMP/pts"
first=$(head -1 "$TMP/pts"); last=$(tail -1 "$TMP/pts")
check "first point lower left of the last" awk -v a="$first" -v b="$last" 'BEGIN { split(a, p, ","); split(b, q, ","); exit !(p[1] < q[1] && p[2] > q[2]) }'

# Several files and phases: a line per file and phase, labelled; fine-tuning continues the step axis.
run 0 "$TINYTEX" plot "$TMP/a.csv" "$TMP/b.csv" -o "$TMP/ab.svg" --labels "hash,latent" --title 'A & B <2>'
check "three lines" [ "$(points_per_line "$TMP/ab.svg" | tr '\n' ' ')" = "50 30 10 " ]
check "legend: hash, latent (train), latent (finetune)" sh -c "grep -q '>hash</text>' '$TMP/ab.svg' && grep -q '>latent (train)</text>' '$TMP/ab.svg' && grep -q '>latent (finetune)</text>' '$TMP/ab.svg'"
check "fine-tuning starts right of the last training step" awk -v a="$(xs "$TMP/ab.svg" 2 | tail -1)" -v b="$(xs "$TMP/ab.svg" 3 | head -1)" 'BEGIN { exit !(b > a) }'
check "title escaped" grep -q '>A &amp; B &lt;2&gt;</text>' "$TMP/ab.svg"
check "distinct colours" [ "$(grep -o '<polyline[^>]*stroke="#[0-9a-f]*"' "$TMP/ab.svg" | grep -o '#[0-9a-f]*' | sort -u | wc -l)" -eq 3 ]
run 0 "$TINYTEX" plot "$TMP/a.csv" -o "$TMP/y.svg" --y-min 20 --y-max 25
check "--y-min/--y-max: ticks 20..25" [ "$(ticks "$TMP/y.svg" yticks)" = "20 21 22 23 24 25 " ]

# Another x column and --group (a rate-distortion table): one line per codec named by the codec, the lines sharing the
# bpp axis (no continuation), x ticks and label from the data.
printf 'image,codec,bpp,psnr\nx.png,jpeg,0.5,30\nx.png,jpeg,1,33\nx.png,jpeg,2,37\nx.png,webp,0.4,31\nx.png,webp,1.2,35\n' > "$TMP/rd.csv"
run 0 "$TINYTEX" plot "$TMP/rd.csv" --x bpp --group codec -o "$TMP/rd.svg"
check "rd: two lines of 3 and 2 points" [ "$(points_per_line "$TMP/rd.svg" | tr '\n' ' ')" = "3 2 " ]
check "rd: legend names the codecs" sh -c "grep -q '>jpeg</text>' '$TMP/rd.svg' && grep -q '>webp</text>' '$TMP/rd.svg'"
check "rd: second line starts left of the first's end" awk -v a="$(xs "$TMP/rd.svg" 1 | tail -1)" -v b="$(xs "$TMP/rd.svg" 2 | head -1)" 'BEGIN { exit !(b < a) }'
check "rd: x ticks 0..2 by 0.5" [ "$(ticks "$TMP/rd.svg" xticks)" = "0.0 0.5 1.0 1.5 2.0 " ]
check "rd: x label is the column" grep -q 'class="xlabel"[^>]*>bpp</text>' "$TMP/rd.svg"
check "rd: default title" grep -q 'class="title"[^>]*>PSNR vs bpp</text>' "$TMP/rd.svg"
check "rd: stdout names the x column" grep -q '2 lines, 5 points, bpp 0.4..2,' "$TMP/out"
check "rd: no markers unless asked" [ "$(grep -o '<circle' "$TMP/rd.svg" | wc -l)" -eq 0 ]
run 0 "$TINYTEX" plot "$TMP/rd.csv" --x bpp --group codec --markers -o "$TMP/rdm.svg"
check "rd: --markers, a dot per point" [ "$(grep -o '<circle' "$TMP/rdm.svg" | wc -l)" -eq 5 ]
run 0 "$TINYTEX" plot "$TMP/rd.csv" --x bpp --group codec -o "$TMP/rd.png"
run 0 "$TINYTEX" plot "$TMP/rd.csv" --x bpp --group codec --markers -o "$TMP/rdm.png"
check "rd: --markers changes the PNG" sh -c "! cmp -s '$TMP/rd.png' '$TMP/rdm.png'"
run 0 "$TINYTEX" plot "$TMP/rd.csv" "$TMP/rd.csv" --x bpp --group codec --x-label "bits per pixel" --labels "a,b" -o "$TMP/rd2.svg"
check "rd, two files: NAME (value) labels" sh -c "grep -q '>a (jpeg)</text>' '$TMP/rd2.svg' && grep -q '>b (webp)</text>' '$TMP/rd2.svg'"
check "rd: --x-label" grep -q 'class="xlabel"[^>]*>bits per pixel</text>' "$TMP/rd2.svg"
run 1 "$TINYTEX" plot "$TMP/rd.csv" --x bytes --group codec -o "$TMP/rdbad.svg"
check "rd: missing --x column named" grep -qF "rd.csv:1: no 'bytes' column in the header" "$TMP/err"
run 1 "$TINYTEX" plot "$TMP/rd.csv" --x bpp --group setting -o "$TMP/rdbad.svg"
check "rd: missing --group column named" grep -qF "rd.csv:1: no 'setting' column in the header (--group)" "$TMP/err"
printf 'codec,bpp,psnr\njpeg,abc,30\n' > "$TMP/rdtext.csv"
run 1 "$TINYTEX" plot "$TMP/rdtext.csv" --x bpp --group codec -o "$TMP/rdbad.svg"
check "rd: x not a number names the column" grep -qF "rdtext.csv:2: bpp 'abc' is not a number" "$TMP/err"
run 2 "$TINYTEX" plot "$TMP/rd.csv" --x bpp --group bpp -o "$TMP/rdbad.svg"
run 2 "$TINYTEX" plot "$TMP/rd.csv" --x "" -o "$TMP/rdbad.svg"
check "rd: errors write nothing" [ ! -e "$TMP/rdbad.svg" ]

# PNG: size from the options, deterministic, the lines drawn.
png_size() { od -An -tu1 -j16 -N8 "$1" | awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 "x" $5 * 16777216 + $6 * 65536 + $7 * 256 + $8 }'; }
run 0 "$TINYTEX" plot "$TMP/a.csv" "$TMP/b.csv" -o "$TMP/ab.png"
check "PNG signature" [ "$(head -c 8 "$TMP/ab.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]
check "PNG 800x480 by default" [ "$(png_size "$TMP/ab.png")" = 800x480 ]
run 0 "$TINYTEX" plot "$TMP/a.csv" "$TMP/b.csv" -o "$TMP/ab2.png" --width 640 --height 400
check "PNG --width 640 --height 400" [ "$(png_size "$TMP/ab2.png")" = 640x400 ]
run 0 "$TINYTEX" plot "$TMP/a.csv" "$TMP/b.csv" -o "$TMP/ab3.png"
check "PNG is deterministic" cmp -s "$TMP/ab.png" "$TMP/ab3.png"
run 0 "$TINYTEX" plot "$TMP/a.csv" -o "$TMP/a.png"
"$TINYTEX" compare "$TMP/ab.png" "$TMP/a.png" --json "$TMP/c.json" -q
check "PNG: the second file's lines change pixels" grep -q '"lossless":[[:space:]]*false' "$TMP/c.json"

# Bad CSVs: exit 1, one line naming the file (and line), no output.
printf 'a,b\n1,2\n' > "$TMP/nocol.csv"
printf 'step,loss,psnr,seconds\n1,0.1,10,0.1\n2,0.1,abc,0.2\n' > "$TMP/text.csv"
printf 'step,loss,psnr,seconds\n1,0.1,10\n' > "$TMP/short.csv"
printf 'step,loss,psnr,seconds\n' > "$TMP/header.csv"
: > "$TMP/empty.csv"
for bad in "nocol.csv:1: no 'step' column" "text.csv:3: psnr 'abc' is not a number" "short.csv:2: 3 fields" \
           "header.csv: a header but no rows" "empty.csv: empty" "missing.csv: "; do
    f=${bad%%:*}
    run 1 "$TINYTEX" plot "$TMP/a.csv" "$TMP/$f" -o "$TMP/bad.svg"
    check "$f: one error line" [ "$(wc -l < "$TMP/err")" -eq 1 ]
    check "$f: names file and line" grep -qF "$bad" "$TMP/err"
done
check "no output after errors" [ ! -e "$TMP/bad.svg" ]

# Usage errors.
run 2 "$TINYTEX" plot "$TMP/a.csv" -o "$TMP/u.jpg"
run 2 "$TINYTEX" plot "$TMP/a.csv"
run 2 "$TINYTEX" plot -o "$TMP/u.svg"
run 2 "$TINYTEX" plot "$TMP/a.csv" "$TMP/b.csv" --labels one -o "$TMP/u.svg"
run 2 "$TINYTEX" plot "$TMP/a.csv" --y-min 30 --y-max 20 -o "$TMP/u.svg"
run 2 "$TINYTEX" plot "$TMP/a.csv" --y-min abc -o "$TMP/u.svg"
run 2 "$TINYTEX" plot "$TMP/a.csv" --width 10 -o "$TMP/u.png"
check "usage errors write nothing" [ -z "$(find "$TMP" -maxdepth 1 -name 'u.*')" ]

# The logs tinytex writes plot as they are (latent: a training and a fine-tuning phase).
base=$TT_TEST_DATA/cli_rgba_alpha.png
run 0 "$TINYTEX" latent "$base" -o "$TMP/l.tnx" --iters 20 --batch 256 --ch-lo 4 --ch-hi 2 --scale-lo 4 --scale-hi 2 \
    --hidden 8 --depth 1 --qat-start 10 --latent-codec jpeg --finetune-steps 5 --decode-repeats 1 --log "$TMP/l.csv" -q
run 0 "$TINYTEX" plot "$TMP/l.csv" -o "$TMP/l.svg"
check "latent log: 20 + 5 points" [ "$(points_per_line "$TMP/l.svg" | tr '\n' ' ')" = "20 5 " ]
finish
