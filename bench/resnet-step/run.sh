#!/usr/bin/env bash
# Runs the ResNet-50 training-step benchmark: TorchSharp and PyTorch; glibc with CrossMedia's default tuning,
# glibc untuned (CROSSMEDIA_MALLOC_TUNING=0, TorchSharp only) and jemalloc (ALLOCS chooses; IMPLS=torchsharp skips PyTorch),
# interleaved (TorchSharp, PyTorch, ...), ROUNDS times (default 1), each process under /usr/bin/time
# (CPU seconds, minor page faults) with the load average before it.
# Usage: bench/resnet-step/run.sh [extra args for both, e.g. --steps 5]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
dotnet build bench/CrossMedia.Bench -c Release -v q -nologo >/dev/null
bench="dotnet bench/CrossMedia.Bench/bin/Release/net10.0/linux-x64/CrossMedia.Bench.dll"
jemalloc=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2
fmt='  time: wall=%es user=%Us sys=%Ss maxrss=%MkB minflt=%R'
export OMP_NUM_THREADS=2
echo "# $(date -u +%FT%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg) cpus: $(nproc)"
for round in $(seq "${ROUNDS:-1}"); do
  for alloc in ${ALLOCS:-default untuned jemalloc}; do
    pre=""; [[ $alloc == jemalloc ]] && pre="$jemalloc"
    tuning=""; [[ $alloc == untuned ]] && tuning=0 # glibc without CrossMedia's heap retention
    echo "## round=$round allocator=$alloc $(date -u +%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg)"
    CROSSMEDIA_MALLOC_TUNING=$tuning LD_PRELOAD=$pre /usr/bin/time -f "$fmt" $bench resnet-step --depth 50 --batch 16 --size 224 --threads 2 "$@" 2>&1
    [[ $alloc == untuned || ${IMPLS:-pytorch} != *pytorch* ]] && continue # untuned: the same as PyTorch's default
    echo "## $(date -u +%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg)"
    CROSSMEDIA_MALLOC_TUNING=$tuning LD_PRELOAD=$pre /usr/bin/time -f "$fmt" /usr/bin/python3 bench/resnet-step/resnet_step.py --depth 50 --batch 16 --size 224 --threads 2 "$@" 2>&1
  done
done
echo "# done $(date -u +%FT%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg)"
