#!/usr/bin/env bash
# neural_bench.sh - the hash/latent figures of docs/benchmarks.md: the prototype's configurations on sample.png.
# usage: tests/bench/neural_bench.sh BIN_DIR OUT_DIR
# PSNR @500/@2000 are checkpoints of the 5000-step run (--snapshot-every 500), as in docs/algorithms.md, "Prototype figures";
# every PSNR is of the image rebuilt from the .tnx bytes; seconds are GPU training time.
set -u
bin=$1; out=$2
mkdir -p "$out"
P=samples/sample.png
# Keep the checkpoint lines (@500, @2000, @5000) and the final summary.
run() {
    local name=$1; shift
    echo "== $name: $*"
    "$bin/tinytex" "$@" --json "$out/$name.json" 2>&1 | tr '\r' '\n' |
        grep -E 'snapshot step 0*(500|2000|5000):|-> .*\.tnx|\.tnx: [0-9]+ bytes|before the codec|grids \(|fine-tuned|trained [0-9]+ steps'
}
run hash-default hash "$P" -o "$out/hd.tnx" --snapshot-every 500 --snapshot-dir "$out/snap-hd"
run hash-tiny hash "$P" -o "$out/ht.tnx" --log2_T 10 --hidden 32 --depth 1 --snapshot-every 500 --snapshot-dir "$out/snap-ht"
run hash-large hash "$P" -o "$out/hl.tnx" --log2_T 14 --hidden 128 --depth 3 --snapshot-every 500 --snapshot-dir "$out/snap-hl"
run hash-jpg hash samples/sample.jpg -o "$out/hj.tnx"
run latent-raw latent "$P" -o "$out/lr.tnx" --latent-codec raw
run latent-raw-seed1 latent "$P" -o "$out/lr1.tnx" --latent-codec raw --seed 1
run latent-jpeg latent "$P" -o "$out/lj.tnx" --latent-codec jpeg
run latent-jpg-raw latent samples/sample.jpg -o "$out/ljr.tnx" --latent-codec raw
run latent-float latent "$P" -o "$out/lf.tnx" --ch-lo 32 --ch-hi 0 --qat-bits 0
# Decode of the written files on the default path (tensor cores where the device has VK_NV_cooperative_matrix) and
# on the fp32 loop (TINYTEX_NN_COOPMAT=0), and how far apart the two images are.
for f in hd ht hl lr lf; do
    "$bin/tinytex" decode "$out/$f.tnx" -o "$out/$f.png" -v 2>&1 | tail -1
    TINYTEX_NN_COOPMAT=0 "$bin/tinytex" decode "$out/$f.tnx" -o "$out/$f-fp32.png" -v 2>&1 | tail -1
    "$bin/tinytex" compare "$out/$f.png" "$out/$f-fp32.png"
done
