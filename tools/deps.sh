#!/bin/sh
# tools/deps.sh [build|test] — installs the Debian packages of one layer, when some are missing.
#   build  what `make` and `make run` need: the compiler, pkg-config, the libraries.
#   test   build's packages, then the peers the tests talk to (curl, nginx, ...), node and npm
#          for NodeMCU-Tool. A peer that cannot be installed is reported and left out: the
#          tests that need it fail and say so (need() in tests/peers/lib/common.sh), the rest run.
# As root it runs apt-get; otherwise it prints the exact command (and fails only when a build
# package is missing).
set -e
layer=${1:-test}
case "$layer" in build|test) ;; *) echo "deps: unknown layer '$layer' (build or test)" >&2; exit 2 ;; esac
case "${LUA:-5.1}" in
  # The default (the device's Lua) also builds the Lua 5.3 runner (netmcu --lua=5.3).
  5.1) lua_pkgs="liblua5.1-0-dev lua5.1 liblua5.3-dev lua5.3" ;;
  5.3) lua_pkgs="liblua5.3-dev lua5.3" ;;
  5.4) lua_pkgs="liblua5.4-dev lua5.4" ;;
  luajit) lua_pkgs="libluajit-5.1-dev luajit" ;;
  *) echo "deps: unknown LUA=${LUA} (5.1, 5.3, 5.4 or luajit)" >&2; exit 2 ;;
esac
# Build: compiler, pkg-config, the libraries. Tests: real peers on loopback.
# openssl: tools/embed-ca.sh checks a server-ca.crt with it; libyajl-dev: cjson/sjson;
# libmd-dev: the state directory's SHA-256 (cheaper to load at start than OpenSSL).
build_pkgs="build-essential pkg-config libuv1-dev libssl-dev libc-ares-dev libhttp-parser-dev libyajl-dev libmosquitto-dev libreadline-dev libmd-dev openssl $lua_pkgs"
# lua5.1 with lua-cjson: the JSON tests' reference; chrony: the NTP server of the sntp tests.
# lua-busted, lua-unit (luaunit), lua-socket: netmcu.test under both frameworks, and the example
# project's spec.
test_pkgs="curl wrk netcat-openbsd socat iproute2 procps python3 tmux dnsmasq-base nginx lua5.1 lua-cjson chrony
  lua-busted lua-unit lua-socket mosquitto mosquitto-clients ${EXTRA_DEPS:-}"
# Packaging tests: the libraries the binaries link (gcc, objdump), the man page's lint, luarocks for
# Lua 5.1 and 5.3, the .deb build and its check.
test_pkgs="$test_pkgs gcc binutils mandoc man-db luarocks liblua5.1-0-dev lua5.3 liblua5.3-dev dpkg-dev debhelper fakeroot lintian"
# strace: the start-up structure test (tests/peers/setups.sh) lists the files opened.
test_pkgs="$test_pkgs strace"
# NodeMCU-Tool (tools/nodemcu-tool.sh) needs node and npm; a machine with its own node keeps it.
command -v npm >/dev/null 2>&1 || test_pkgs="$test_pkgs nodejs npm"

missing_of() {
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || printf ' %s' "$p"
  done
}

# install PACKAGES...: 0 when all are installed; refreshes the package lists once
# (a fresh machine has none) when the first attempt fails.
refreshed=
install() {
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends "$@" >/dev/null 2>&1 && return 0
  [ -n "$refreshed" ] && return 1
  refreshed=1
  apt-get update -q >/dev/null 2>&1 || true
  apt-get install -y --no-install-recommends "$@" >/dev/null 2>&1
}

missing_build=$(missing_of $build_pkgs)
missing_test=
[ "$layer" = test ] && missing_test=$(missing_of $test_pkgs)
[ -z "$missing_build$missing_test" ] && exit 0

if [ "$(id -u)" != 0 ]; then
  echo "deps: missing packages; run as root:" >&2
  echo "  apt-get update && apt-get install -y --no-install-recommends$missing_build$missing_test" >&2
  [ -z "$missing_build" ] && echo "deps: the tests that need the missing peers will fail and say so" >&2
  [ -z "$missing_build" ]
  exit
fi

if [ -n "$missing_build" ]; then
  echo "deps: installing$missing_build"
  if ! install $missing_build; then
    echo "deps: could not install the build packages:$missing_build (apt-get install$missing_build says why)" >&2
    exit 1
  fi
fi
if [ -n "$missing_test" ]; then
  echo "deps: installing the test peers$missing_test"
  # All at once, else one by one: a peer that cannot be installed costs only its tests.
  if ! install $missing_test; then
    failed=
    for p in $missing_test; do install "$p" || failed="$failed $p"; done
    [ -n "$failed" ] && echo "deps: could not install$failed; the tests that need them will fail and say so" >&2
  fi
fi
exit 0
