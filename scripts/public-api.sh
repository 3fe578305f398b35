#!/usr/bin/env bash
# Brings src/CrossMedia/PublicAPI.*.txt up to date with the library's public API: symbols the build reports as new
# (RS0016) go into PublicAPI.Unshipped.txt, symbols it reports as gone (RS0017) leave both files. Review the diff:
# it is the change to the library's contract. `--ship` then moves everything unshipped into PublicAPI.Shipped.txt.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$root/src/CrossMedia"
if [[ "${1:-}" == "--ship" ]]; then
  { cat "$dir/PublicAPI.Shipped.txt"; grep -v '^#nullable' "$dir/PublicAPI.Unshipped.txt" || true; } \
    | grep -v '^#nullable' | LC_ALL=C sort -u | { echo '#nullable enable'; cat; } > "$dir/PublicAPI.Shipped.txt.tmp"
  mv "$dir/PublicAPI.Shipped.txt.tmp" "$dir/PublicAPI.Shipped.txt"
  echo '#nullable enable' > "$dir/PublicAPI.Unshipped.txt"
  exit 0
fi
log=$(mktemp)
dotnet build "$dir/CrossMedia.csproj" -c Release -v quiet -nologo --no-incremental 2>&1 > "$log" || true
# The symbol is the quoted part of "Symbol '...' is not part of the declared public API" / "... is part of the declared API".
added=$(grep -oP "RS0016: Symbol '\K.*(?=' is not part of the declared public API)" "$log" | LC_ALL=C sort -u || true)
removed=$(grep -oP "RS0017: Symbol '\K.*(?=' is part of the declared API)" "$log" | LC_ALL=C sort -u || true)
for f in Shipped Unshipped; do
  file="$dir/PublicAPI.$f.txt"
  body=$(grep -v '^#nullable' "$file" || true)
  if [[ -n "$removed" ]]; then body=$(grep -vxF -f <(printf '%s\n' "$removed") <<<"$body" || true); fi
  if [[ $f == Unshipped && -n "$added" ]]; then body=$(printf '%s\n%s\n' "$body" "$added"); fi
  { echo '#nullable enable'; grep -v '^$' <<<"$body" | LC_ALL=C sort -u || true; } > "$file.tmp" && mv "$file.tmp" "$file"
done
echo "public API: $(grep -c . <<<"$added" || true) symbols added, $(grep -c . <<<"$removed" || true) removed"
grep -E ' error ' "$log" | grep -vE 'RS001[67]' | sed -E 's/ \[.*//' | sort -u | head -20 || true
rm -f "$log"
