#!/usr/bin/env bash
# Installs the Debian packages the interop tests run against (and the redis-server the tracker's Redis
# store tests start), when any is missing.
# Needs root (as on CI); otherwise prints the command to run.
set -euo pipefail
pkgs=(mktorrent transmission-cli transmission-daemon aria2 opentracker redis-server redis-server)
bins=(mktorrent transmission-show transmission-daemon aria2c opentracker redis-server redis-cli)
missing=()
for i in "${!bins[@]}"; do
  command -v "${bins[$i]}" >/dev/null 2>&1 || missing+=("${pkgs[$i]}")
done
# libtorrent is a Python module of Debian's own interpreter, not a program on the PATH.
/usr/bin/python3 -c 'import libtorrent' >/dev/null 2>&1 || missing+=(python3-libtorrent)
[ ${#missing[@]} -eq 0 ] && { echo "system packages present"; exit 0; }
. "$(dirname "$0")/lib/apt.sh"
apt_install "${missing[@]}"
echo "installed: ${missing[*]}"
