#!/usr/bin/env bash
# Exact search benchmark: N × 128 gallery (N=500000 by default), 1,000 queries, top-10 inner product,
# 2 threads; CrossMedia FlatIndex vs FAISS IndexFlatIP with OpenBLAS's native kernels for this CPU.
# The two run back to back in each round; the ratio of their throughputs is the result (absolute QPS
# on a shared machine is noisy). Env: N, THREADS=2, REPEATS=3, ROUNDS=1,
# BENCH_DIR (default /tmp/cm-bench-search-N; data ~0.5 GB per 500,000 items).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
n="${N:-500000}"
dir="${BENCH_DIR:-/tmp/cm-bench-search-$n}"
threads="${THREADS:-2}"
repeats="${REPEATS:-3}"
rounds="${ROUNDS:-1}"
python=/usr/bin/python3 # Debian's python, where python3-faiss lives
if ! $python -c 'import numpy, faiss, threadpoolctl' 2>/dev/null; then
  sudo=$([[ $EUID -eq 0 ]] || echo sudo)
  $sudo apt-get install -y python3-numpy python3-faiss python3-threadpoolctl libopenblas0-openmp
fi
dotnet build "$root/bench/CrossMedia.Bench" -c Release -v quiet -nologo -clp:ErrorsOnly
bench="dotnet $root/bench/CrossMedia.Bench/bin/Release/net10.0/linux-x64/CrossMedia.Bench.dll"
[[ -f "$dir/gallery.cmidx" ]] || $bench search-prepare --dir "$dir" --n "$n" --d 128 --q 1000 --seed 42
qps() { sed -n "s/^$1.*best [0-9.]* s (\([0-9]*\) QPS), median [0-9.]* s (\([0-9]*\) QPS).*/\1 \2/p"; }
for round in $(seq "$rounds"); do
  echo "round $round: load average $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min) on $(nproc) cores"
  # The anchor with OpenBLAS's own choice of kernels: these two variables (set in some environments) force others.
  faiss_out=$(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_NUM_THREADS="$threads" \
    $python "$root/bench/search/faiss_flat.py" "$dir" 10 "$threads" "$repeats")
  echo "$faiss_out"
  cm_out=$($bench search-run --dir "$dir" --k 10 --threads "$threads" --repeats "$repeats" --brute-force "${BRUTE_FORCE:-20}")
  echo "$cm_out"
  read -r f_best f_median <<<"$(qps 'faiss IndexFlatIP' <<<"$faiss_out")"
  read -r c_best c_median <<<"$(qps 'crossmedia' <<<"$cm_out")"
  echo "round $round: CrossMedia / FAISS throughput: $(awk -v a="$c_best" -v b="$f_best" 'BEGIN { printf "%.2f", a / b }')× (best), $(awk -v a="$c_median" -v b="$f_median" 'BEGIN { printf "%.2f", a / b }')× (median); load average now $(cut -d' ' -f1-3 /proc/loadavg)"
done
