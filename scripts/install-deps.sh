#!/usr/bin/env bash
# Installs what CrossMedia needs on Debian 12 besides the .NET 10 SDK (NuGet packages restore by themselves).
# Idempotent; runs apt-get only when something is missing. Needs root (or sudo).
set -euo pipefail
packages=(
  ffmpeg                    # audio / video decoding
  tuxpaint-stamps-default   # real pictures, texts and sounds (TuxPaint dataset)
  fonts-dejavu-core         # plots and rendered text
  binutils                  # readelf, used by the libtorch load check
  darknet                   # sample photos + ImageNet names for the Darknet-Tiny backbone test
  chromium                  # headless browser for the web page test (Playwright drives /usr/bin/chromium)
  redis-server              # cluster membership (Orleans' Redis clustering); tests start private instances
  gcc                       # compiles the stand-in native library of the NNPACK test
  libgomp1                  # OpenMP runtime that USearch's native library (HNSW approximate search) links
)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then
  sudo=""; [[ $(id -u) -eq 0 ]] || sudo="sudo"
  echo "installing: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v dotnet >/dev/null || { echo "install the .NET 10 SDK first (https://dot.net)" >&2; exit 1; }
