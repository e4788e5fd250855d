#!/bin/sh
# Installs the Debian packages netmcu needs to build and test, when some are missing.
# As root it runs apt-get; otherwise it prints the exact command and fails.
set -e
case "${LUA:-5.1}" in
  # The default (the device's Lua) also builds the Lua 5.3 runner (netmcu --lua=5.3).
  5.1) lua_pkgs="liblua5.1-0-dev lua5.1 liblua5.3-dev lua5.3" ;;
  5.3) lua_pkgs="liblua5.3-dev lua5.3" ;;
  5.4) lua_pkgs="liblua5.4-dev lua5.4" ;;
  luajit) lua_pkgs="libluajit-5.1-dev luajit" ;;
  *) echo "deps: unknown LUA=${LUA} (5.1, 5.3, 5.4 or luajit)" >&2; exit 2 ;;
esac
# Build: compiler, pkg-config, the libraries. Tests: real peers on loopback.
want="build-essential pkg-config libuv1-dev libssl-dev libc-ares-dev libhttp-parser-dev libmosquitto-dev libreadline-dev $lua_pkgs
      curl wrk netcat-openbsd socat openssl iproute2 procps python3 tmux dnsmasq-base nginx mosquitto mosquitto-clients ${EXTRA_DEPS:-}"
# NodeMCU-Tool (tools/nodemcu-tool.sh) needs node and npm; a machine with its own node keeps it.
command -v npm >/dev/null 2>&1 || want="$want nodejs npm"
missing=""
for p in $want; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" = 0 ]; then
  echo "deps: installing$missing"
  export DEBIAN_FRONTEND=noninteractive
  # A fresh machine has no package lists yet; refresh them once if the install cannot find a package.
  $cmd >/dev/null 2>&1 || { apt-get update -q >/dev/null && $cmd >/dev/null; }
else
  echo "deps: missing packages; run as root:" >&2
  echo "  apt-get update && $cmd" >&2
  exit 1
fi
