#!/usr/bin/env bash
# Service load test on loopback: wrk POST /search for 30 s, then 1,000 malformed requests.
# Needs wrk (Debian). Index: 100,000 random 128-d cosine vectors (4 media); queries are common-space
# vectors (no model encoding in the loop).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dir="${BENCH_DIR:-/tmp/cm-bench-service}"
port="${PORT:-5077}"
duration="${DURATION:-30s}"
dotnet build "$root/bench/CrossMedia.Bench" -c Release -v quiet -nologo -clp:ErrorsOnly
dotnet build "$root/src/CrossMedia.Cli" -c Release -v quiet -nologo -clp:ErrorsOnly
[[ -f "$dir/service.cmidx" ]] || dotnet "$root/bench/CrossMedia.Bench/bin/Release/net10.0/linux-x64/CrossMedia.Bench.dll" service-index --dir "$dir" --n 100000 --d 128
rm -f "$dir/service.cmidx.log"  # start from the built index (the fuzz run may add items)
CROSSMEDIA_API_KEY=bench-key dotnet "$root/src/CrossMedia.Cli/bin/Release/net10.0/linux-x64/CrossMedia.Cli.dll" serve \
  --index "$dir/service.cmidx" --urls "http://127.0.0.1:$port" --rate-limit 0 --threads 1 --max-body 1048576 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.2; done
echo "--- wrk: POST /search, 2 threads, 8 connections, $duration"
wrk -t2 -c8 -d"$duration" --latency -s "$root/bench/service/search.lua" "http://127.0.0.1:$port"
echo "--- 1,000 malformed requests"
/usr/bin/python3 "$root/bench/service/fuzz.py" "$port" 1000 1048576
echo "--- health after"
curl -sf "http://127.0.0.1:$port/health" | head -c 300; echo
