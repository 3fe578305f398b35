#!/usr/bin/env bash
# Approximate search benchmark: N × 128 class-structured vectors (N=1000000 by default; 1,000 classes), 1,000 queries,
# top-10 L2, THREADS=2: exact search (ground truth), CrossMedia's HNSW (USearch) and FAISS IndexHNSWFlat with the same
# M / efConstruction, recall@10 and queries/s for each expansion_search (EF), plus filtered searches (FILTER_PERCENT).
# Env: N, THREADS=2, EF=16,32,64,128, M=16, EF_ADD=128, QUANT=f32 (the graph's vector type; or f16, bf16), FILTER_PERCENT=10, FAISS=1, BENCH_DIR (default /tmp/cm-bench-hnsw-N;
# ~1.7 GB per 1,000,000 items: .npy, index file, graph). The machine is shared: every run prints its load average.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
n="${N:-1000000}"
dir="${BENCH_DIR:-/tmp/cm-bench-hnsw-$n}"
threads="${THREADS:-2}"
ef="${EF:-16,32,64,128}"
m="${M:-16}"
ef_add="${EF_ADD:-128}"
python=/usr/bin/python3 # Debian's python, where python3-faiss lives
if [[ "${FAISS:-1}" == 1 ]] && ! $python -c 'import numpy, faiss' 2>/dev/null; then
  sudo=$([[ $EUID -eq 0 ]] || echo sudo)
  $sudo apt-get install -y python3-numpy python3-faiss
fi
dotnet build "$root/bench/CrossMedia.Bench" -c Release -v quiet -nologo -clp:ErrorsOnly
bench="dotnet $root/bench/CrossMedia.Bench/bin/Release/net10.0/linux-x64/CrossMedia.Bench.dll"
[[ -f "$dir/gallery.cmidx" ]] || $bench hnsw-prepare --dir "$dir" --n "$n" --d 128 --classes 1000 --q 1000 --seed 42
$bench hnsw-run --dir "$dir" --k 10 --threads "$threads" --ef "$ef" --m "$m" --ef-add "$ef_add" --quantization "${QUANT:-f32}" --filter-percent "${FILTER_PERCENT:-10}"
if [[ "${FAISS:-1}" == 1 ]]; then
  echo "load average $(cut -d' ' -f1-3 /proc/loadavg) before FAISS"
  OMP_NUM_THREADS="$threads" $python "$root/bench/hnsw/faiss_hnsw.py" "$dir" 10 "$threads" "$m" "$ef_add" "$ef"
  echo "load average $(cut -d' ' -f1-3 /proc/loadavg) after FAISS"
fi
