#!/usr/bin/env bash
# Interleaved JFSE-step rounds: TorchSharp then PyTorch; glibc with CrossMedia's default tuning, glibc untuned
# (CROSSMEDIA_MALLOC_TUNING=0, TorchSharp only), jemalloc; ROUNDS times,
# each process under /usr/bin/time (CPU seconds, minor page faults) with the load average before it.
# Usage: bench/jfse-step/run.sh [args for both, default: --threads 2 --steps 4 --warmup 1]; ROUNDS=2,
# ALLOCS="default untuned jemalloc", IMPLS="torchsharp pytorch" choose the rows.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
dotnet build -c Release -v q -nologo >/dev/null
args=("$@"); [[ ${#args[@]} -gt 0 ]] || args=(--threads 2 --steps 4 --warmup 1)
jemalloc=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2
fmt='  time: wall=%es user=%Us sys=%Ss maxrss=%MkB minflt=%R'
for round in $(seq "${ROUNDS:-2}"); do
  for alloc in ${ALLOCS:-default untuned jemalloc}; do
    pre=""; [[ $alloc == jemalloc ]] && pre="$jemalloc"
    tuning=""; [[ $alloc == untuned ]] && tuning=0 # glibc without CrossMedia's heap retention
    for impl in ${IMPLS:-torchsharp pytorch}; do
      [[ $alloc == untuned && $impl == pytorch ]] && continue # the same as PyTorch's default
      echo "# round=$round $(date -u +%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg)"
      if [[ $impl == torchsharp ]]; then
        CROSSMEDIA_MALLOC_TUNING=$tuning LD_PRELOAD=$pre /usr/bin/time -f "$fmt" dotnet bin/Release/net10.0/linux-x64/JfseStepBench.dll "${args[@]}"
      else
        CROSSMEDIA_MALLOC_TUNING=$tuning LD_PRELOAD=$pre /usr/bin/time -f "$fmt" /usr/bin/python3 jfse_step.py "${args[@]}"
      fi
    done
  done
done 2>&1
echo "# done $(date -u +%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg)"
