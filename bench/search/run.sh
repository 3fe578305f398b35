#!/usr/bin/env bash
# Exact search benchmark: 1,000,000 × 128 gallery, 1,000 queries, top-10, 2 threads; CrossMedia vs FAISS IndexFlatIP.
# Needs python3-faiss (Debian). Data (~1.5 GB) goes to ${BENCH_DIR:-/tmp/cm-bench-search}.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dir="${BENCH_DIR:-/tmp/cm-bench-search}"
threads="${THREADS:-2}"
dotnet build "$root/bench/CrossMedia.Bench" -c Release -v quiet -nologo -clp:ErrorsOnly
bench="dotnet $root/bench/CrossMedia.Bench/bin/Release/net10.0/linux-x64/CrossMedia.Bench.dll"
[[ -f "$dir/gallery.cmidx" ]] || $bench search-prepare --dir "$dir" --n 1000000 --d 128 --q 1000 --seed 42
OMP_NUM_THREADS=$threads /usr/bin/python3 "$root/bench/search/faiss_flat.py" "$dir" 10 "$threads" 3
$bench search-run --dir "$dir" --k 10 --threads "$threads" --repeats 3 --brute-force 20
