#!/usr/bin/env bash
# Installs the test host for the extension: Debian chromium + ripgrep, and the VS Code server build
# shipped inside the npm package code-server, under .vscode-test/code-server (see VSCODE-HOST.md).
# Idempotent: a marker file makes a second run return at once.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
version=4.100.3
host="$root/.vscode-test/code-server"
marker="$host/.ready-$version"
[ -f "$marker" ] && command -v chromium >/dev/null 2>&1 && { echo "vscode host ready"; exit 0; }

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v rg >/dev/null 2>&1 || need_apt+=(ripgrep)
command -v make >/dev/null 2>&1 || need_apt+=(build-essential)
command -v python3 >/dev/null 2>&1 || need_apt+=(python3)
[ -f /usr/include/gssapi/gssapi.h ] || need_apt+=(libkrb5-dev)
. "$root/scripts/lib/apt.sh"
apt_install "${need_apt[@]}"

export npm_config_yes=true npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
mkdir -p "$host"
cd "$host"
[ -f package.json ] || echo '{"name":"btd-vscode-host","private":true}' > package.json
if [ ! -d node_modules/code-server/lib/vscode ]; then
  npm install --no-save --ignore-scripts --loglevel=error "code-server@$version"
fi
npm rebuild --loglevel=error argon2 >/dev/null

vs="$host/node_modules/code-server/lib/vscode"
cd "$vs"
npm install --omit=dev --ignore-scripts --loglevel=error
mkdir -p node_modules/@vscode/ripgrep/bin
cp -f "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
npm rebuild --loglevel=error >/dev/null
ln -sfn node_modules node_modules.asar
(cd bin/remote-cli && ln -sfn code-linux.sh code-server)
(cd bin/helpers && ln -sfn browser-linux.sh browser.sh)
(cd extensions && npm install --omit=dev --loglevel=error)
touch "$marker"
echo "vscode host installed in $host"
