#!/usr/bin/env bash
# Runs the ResNet-50 training-step benchmark: TorchSharp and PyTorch, default allocator and jemalloc.
# Usage: bench/resnet-step/run.sh [extra args for both, e.g. --steps 5]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
dotnet build bench/CrossMedia.Bench -c Release -v q -nologo >/dev/null
bench="dotnet bench/CrossMedia.Bench/bin/Release/net10.0/linux-x64/CrossMedia.Bench.dll"
jemalloc=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2
export OMP_NUM_THREADS=2
echo "# $(date -u +%FT%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg) cpus: $(nproc)"
for alloc in default jemalloc; do
  pre=""; [[ $alloc == jemalloc ]] && pre="$jemalloc"
  echo "## allocator=$alloc"
  LD_PRELOAD=$pre $bench resnet-step --depth 50 --batch 16 --size 224 --threads 2 "$@"
  LD_PRELOAD=$pre /usr/bin/python3 bench/resnet-step/resnet_step.py --depth 50 --batch 16 --size 224 --threads 2 "$@"
done
echo "# done $(date -u +%FT%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg)"
