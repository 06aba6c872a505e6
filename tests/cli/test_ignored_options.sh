#!/usr/bin/env bash
# test_ignored_options.sh - options that would do nothing are usage errors (exit 2, nothing written), and each help lists only the exit codes its command can return.
. "$(dirname "$0")/lib.sh"
cd "$TMP" || exit 1
P="$TT_TEST_DATA/cli_rgb_5x3.png"
cp "$P" a.png
cp "$P" b.png
"$TINYTEX" bc7 a.png -o a.dds --preset fastest --cpu -q || bad "setup: bc7 failed"

# The issue's cases.
run 2 "$TINYTEX" compare a.png b.png -o cmp.png
check "compare -o: refused, nothing written" [ ! -e cmp.png ]
check "compare -o: points to --heatmap/--figure" grep -q -- '--heatmap' "$TMP/err"
run 2 "$TINYTEX" decode a.dds -o d.png --min-psnr 50
check "decode --min-psnr: refused, nothing written" [ ! -e d.png ]
check "decode --min-psnr: points to compare" grep -q 'compare' "$TMP/err"
for cmd in info devices plot decode; do
    "$TINYTEX" $cmd --help > help.txt
    check "$cmd --help: no exit code 3" sh -c '! grep -q "3 --min-psnr" help.txt && grep -q "^exit codes: 0 ok" help.txt'
done
for cmd in bc7 hash latent compare; do
    "$TINYTEX" $cmd --help > help.txt
    check "$cmd --help: lists exit code 3 (it has --min-psnr)" grep -q '3 --min-psnr not met' help.txt
done

# More options that did nothing.
run 2 "$TINYTEX" compare a.png b.png -i a.png
run 2 "$TINYTEX" compare a.png b.png --device 0
run 2 "$TINYTEX" decode a.dds -o d.png --device 0
check "decode --device with the C decoder: refused" [ ! -e d.png ]
run 2 "$TINYTEX" decode -i a.dds b.dds -o d.png
run 2 "$TINYTEX" bc7 a.png -o x.dds --cpu --device 0
run 2 "$TINYTEX" bc7 a.png -o x.dds --cpu --no-cache
run 2 "$TINYTEX" bc7 a.png -o x.dds --no-refine --nm-iterations 10
run 2 "$TINYTEX" bc7 a.png -o x.dds --force --cpu
run 2 "$TINYTEX" bc7 a.png -o x.dds --jobs 4 --cpu
check "bc7 single-input --force/--jobs: nothing written" [ ! -e x.dds ]
run 2 "$TINYTEX" hash a.png -o m.tnx --snapshot-dir snaps --iters 1
check "hash --snapshot-dir without --snapshot-every: nothing made" [ ! -e snaps ] && [ ! -e m.tnx ]
run 2 "$TINYTEX" latent a.png -o m.tnx --jpeg-quality 50 --iters 1
run 2 "$TINYTEX" latent a.png -o m.tnx --finetune-steps 0 --finetune-lr 0.1 --iters 1
check "latent: nothing written" [ ! -e m.tnx ]

# What is kept works: decode --json of a texture now writes its report.
run 0 "$TINYTEX" decode a.dds -o d.png --json d.json
check "decode --json (texture): report written" grep -q '"command":[[:space:]]*"decode"' d.json
check "decode --json: names the output" grep -q '"output":[[:space:]]*"d.png"' d.json
finish
