#!/bin/sh
# Installs NodeMCU-Tool from npm into build/tools/ (kept out of git) for the
# serial console's upload test, unless it is there; prints the path of its
# command. Its serialport dependency is compiled against the system's node
# headers by npm's install step.
set -e
root=$(cd "$(dirname "$0")/.." && pwd)
dir="${NODEMCU_TOOL_DIR:-$root/build/tools/nodemcu-tool}"
bin="$dir/node_modules/.bin/nodemcu-tool"
binding="$dir/node_modules/@serialport/bindings/build/Release/bindings.node"
if [ ! -x "$bin" ] || [ ! -e "$binding" ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "nodemcu-tool.sh: npm is missing (make test or make deps installs nodejs and npm)" >&2
    exit 1
  fi
  mkdir -p "$dir"
  # An unreachable registry fails in seconds, not after npm's minute of retries.
  npm install --prefix "$dir" --no-audit --no-fund --loglevel=error --fetch-retries=1 \
    --fetch-retry-mintimeout=2000 --fetch-retry-maxtimeout=5000 nodemcu-tool@3.2.1 >&2
fi
echo "$bin"
