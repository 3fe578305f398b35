#!/usr/bin/env bash
# HNSW on a real embedding set: a trained model's embeddings of TuxPaint (frozen ResNet-18 pictures + MiniLM texts,
# mapped by JFSE into its common space), upsampled to N items, then the same measurement as run.sh.
# Gallery seeds: the model's embeddings of the train and val items of both media; each of the N - seeds new items lies
# between a seed and one of its 10 nearest same-class seeds plus noise (CrossMedia.Bench hnsw-upsample). Queries: the
# test items of both media, real and unchanged. Vectors are L2-normalised; L2 ranks as cosine.
# Env: N=1000000, NOISE=0.1 (the noise's norm as a fraction of the segment's length), MODEL (a `crossmedia train` folder; default: trains JFSE on FEATURES), FEATURES (a `crossmedia
# features` folder; default: extracted from tuxpaint), WORK=/tmp/cm-bench-hnsw-real, METRIC=l2 (cosine: a cosine index of
# unit rows), plus run.sh's THREADS, EF, M, EF_ADD, QUANT, FAISS.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
n="${N:-1000000}"
work="${WORK:-/tmp/cm-bench-hnsw-real}"
features="${FEATURES:-$work/features}"
model="${MODEL:-$work/model}"
cm="$root/crossmedia"
mkdir -p "$work"
[[ -f "$features/manifest.json" ]] || "$cm" features --dataset tuxpaint --media image,text --out "$features"
[[ -f "$model/model.json" ]] || "$cm" train --method jfse --dataset "$features/manifest.json" --out "$model"
gallery=() queries=()
for medium in image text; do
  for split in train val test; do
    out="$work/emb/${medium}_$split.npy"
    [[ -f "$out" ]] || "$cm" embed --model "$model" --dataset "$features/manifest.json" --media image,text --medium "$medium" --split "$split" --val-fraction 0 --out "$out" >/dev/null
    if [[ $split == test ]]; then queries+=("$out"); else gallery+=("$out"); fi
  done
done
dotnet build "$root/bench/CrossMedia.Bench" -c Release -v quiet -nologo -clp:ErrorsOnly
bench="dotnet $root/bench/CrossMedia.Bench/bin/Release/net10.0/linux-x64/CrossMedia.Bench.dll"
noise="${NOISE:-0.1}"
metric="${METRIC:-l2}"
data="$work/data-$n-noise$noise$([[ $metric == l2 ]] || echo "-$metric")"
[[ -f "$data/gallery.cmidx" ]] || $bench hnsw-upsample --dir "$data" --n "$n" --noise "$noise" --metric "$metric" --gallery "$(IFS=,; echo "${gallery[*]}")" --queries "$(IFS=,; echo "${queries[*]}")"
FILTER_PERCENT=0 BENCH_DIR="$data" N="$n" "$root/bench/hnsw/run.sh"
