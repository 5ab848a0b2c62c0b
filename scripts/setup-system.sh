#!/usr/bin/env bash
# Installs the Debian packages the interop tests run against, when any is missing.
# Needs root (as on CI); otherwise prints the command to run.
set -euo pipefail
pkgs=(mktorrent transmission-cli transmission-daemon aria2 opentracker)
bins=(mktorrent transmission-show transmission-daemon aria2c opentracker)
missing=()
for i in "${!bins[@]}"; do
  command -v "${bins[$i]}" >/dev/null 2>&1 || missing+=("${pkgs[$i]}")
done
[ ${#missing[@]} -eq 0 ] && { echo "system packages present"; exit 0; }
if [ "$(id -u)" -ne 0 ]; then
  echo "missing: ${missing[*]}; run: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "installed: ${missing[*]}"
