#!/usr/bin/env bash
# Builds and runs the whole test suite (CPU only); ends with one line "N passed, N failed".
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
log=$(mktemp)
dotnet test tests/CrossMedia.Tests/CrossMedia.Tests.csproj -c Release --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
passed=$(grep -E '^\s+Passed [A-Za-z]' "$log" | wc -l)
failed=$(grep -E '^\s+Failed [A-Za-z]' "$log" | wc -l)
skipped=$(grep -E '^\s+Skipped [A-Za-z]' "$log" | wc -l)
rm -f "$log"
if [[ $status -ne 0 && $failed -eq 0 ]]; then failed=1; echo "test run failed before any test result (build error?)"; fi
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
