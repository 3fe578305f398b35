#!/usr/bin/env bash
# Zero-shot retrieval on real features (issue 10): TuxPaint stamps at folder depth 2 (classes with at least 8
# stamps), image and text (the English description) through the pretrained encoders (ImageNet ResNet-18, 512-d;
# MiniLM, 384-d), class embeddings = MiniLM vectors of the class names. Items are split 60/20/20 per class once
# (tuxpaint seed 1); the seen/unseen class split is `--unseen random:0.25` with the run's --seed (a quarter of the
# classes, spread round-robin over the top categories), seeds 1..SEEDS. JFSE and validation-tuned CCA on the same
# features and splits, standard, ZSL and GZSL; FGCrossNet (fine-tuning ImageNet ResNet-18 on the pictures and its
# character CNN on the text) on the same items and classes when FGCROSSNET=1.
# Results: $dir/runs/<method>-<scenario>-<seed>/metrics.json, summarised by aggregate.py into $dir/summary.md.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dir="${BENCH_DIR:-/tmp/cm-bench-zsl-tuxpaint}"
seeds="${SEEDS:-3}"
threads="${THREADS:-1}"
dataset='tuxpaint:depth=2,min=8,video=false,seed=1'
cm="${CM:-$root/crossmedia}"   # CM="dotnet /path/CrossMedia.Cli.dll": a fixed build while the tree changes
mkdir -p "$dir/runs"
[[ -f "$dir/features/manifest.json" ]] || $cm features --dataset "$dataset" --media image,text --out "$dir/features" --threads "$threads"
train() { # method scenario seed [options...]
  local out="$dir/runs/$1-$2-$3"
  [[ -f "$out/metrics.json" ]] && return 0
  $cm train --method "$1" --scenario "$2" --seed "$3" --unseen random:0.25 --class-encoder minilm --threads "$threads" --out "$out" --overwrite "${@:4}" \
    > "$out.log" 2>&1 || { echo "failed: $out (see $out.log)" >&2; return 1; }
}
for seed in $(seq 1 "$seeds"); do
  for scenario in standard zsl gzsl; do
    train cca "$scenario" "$seed" --dataset "$dir/features/manifest.json"
    train jfse "$scenario" "$seed" --dataset "$dir/features/manifest.json" --hidden 512 --lr 5e-4 --epochs 60 --eval-every 2 --patience 6 --checkpoint-every 0
    if [[ "${FGCROSSNET:-0}" == 1 ]]; then
      train fgcrossnet "$scenario" "$seed" --dataset "$dataset" --media image,text --backbone resnet18 --pretrained imagenet \
        --input-size 96 --stage1-epochs 6 --stage2-epochs 4 --batch-size 16 --decode-cache "$dir/decode"
    fi
  done
done
/usr/bin/python3 "$root/bench/zsl-tuxpaint/aggregate.py" "$dir/runs" "$dir/features" | tee "$dir/summary.md"
