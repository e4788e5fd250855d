#!/usr/bin/env bash
# The Debian packages built by `make deb` (build/deb/*.deb): each is unpacked
# with dpkg -x into a scratch root; the runner (and with --lua=5.3 the 5.3
# runner beside it) runs from there, every Debian
# Lua whose module it holds requires net from there (tests/plain/require_net.lua,
# real sockets on loopback), the man page and types are in place, and the
# dependencies dh_shlibdeps computed name the libraries netmcu links.
# Not part of `make test` (building the packages takes minutes): `make deb-check`
# runs it, and .ci/run runs that.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DEB_DIR=${NETMCU_DEB_DIR:-$ROOT/build/deb}
VERSION=$(make -C "$ROOT" -s --no-print-directory print-version)
ARCH=$(dpkg --print-architecture)
RUNNER_DEB=$DEB_DIR/netmcu_${VERSION}_$ARCH.deb
MODULE_DEB=$DEB_DIR/lua-netmcu_${VERSION}_$ARCH.deb
for d in "$RUNNER_DEB" "$MODULE_DEB"; do
  [ -f "$d" ] || { echo "not ok - deb: $d exists: run make deb first"; exit 1; }
done
SCRATCH=$(mktemp -d)
dpkg -x "$RUNNER_DEB" "$SCRATCH/root" && dpkg -x "$MODULE_DEB" "$SCRATCH/root"
export NETMCU="$SCRATCH/root/usr/bin/netmcu"
. "$ROOT/tests/peers/lib/common.sh"
trap 'cleanup; rm -rf "$SCRATCH"' EXIT
need dpkg-deb lua5.1 lua5.3

out=$(cd "$T" && NETMCU_FLASH="$T" NETMCU_HOME="$T/home" timeout "$(bound 10)" "$NETMCU" -e 'print(net.TCP)' 2>&1)
if [ "$out" = 16 ]; then
  ok "deb: netmcu -e 'print(net.TCP)' runs from the unpacked package"
else
  fail "deb: netmcu -e 'print(net.TCP)' runs from the unpacked package" "got '$out'"
fi
if "$NETMCU" -v | grep -q "^netmcu $VERSION "; then
  ok "deb: the packaged runner reports version $VERSION"
else
  fail "deb: the packaged runner reports version $VERSION" "$("$NETMCU" -v 2>&1)"
fi

out=$(cd "$T" && NETMCU_FLASH="$T" NETMCU_HOME="$T/home" timeout "$(bound 10)" "$NETMCU" \
  -e 'print(crypto.toHex(crypto.hash("sha1", "abc")), type(mqtt.Client("c", 60)))' 2>&1)
if [ "$out" = "a9993e364706816aba3e25717850c26c9cd0d89d	userdata" ]; then
  ok "deb: the packaged runner loads its plugins from /usr/lib/netmcu (ssl, mqtt)"
else
  fail "deb: the packaged runner loads its plugins from /usr/lib/netmcu (ssl, mqtt)" "got '$out'"
fi

out=$(cd "$T" && NETMCU_FLASH="$T" NETMCU_HOME="$T/home" timeout "$(bound 10)" "$NETMCU" --lua=5.3 \
  -e 'print(_VERSION)' 2>&1)
if [ "$out" = "Lua 5.3" ]; then
  ok "deb: netmcu --lua=5.3 runs the packaged netmcu-5.3"
else
  fail "deb: netmcu --lua=5.3 runs the packaged netmcu-5.3" "got '$out'"
fi

multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
for v in 5.1 5.3 5.4; do
  dir="$SCRATCH/root/usr/lib/$multiarch/lua/$v"
  if ! command -v "lua$v" >/dev/null 2>&1; then
    skip "deb: lua$v requires net from lua-netmcu" "lua$v is not installed"
    continue
  fi
  out=$(cd "$ROOT" && LUA_CPATH="$dir/?.so" NETMCU_HOME="$T/home" timeout "$(bound 20)" "lua$v" tests/plain/require_net.lua 2>&1)
  if [ -f "$dir/net.so" ] && [ -f "$SCRATCH/root/usr/share/lua/$v/netmcu/test.lua" ] &&
     grep -q '^ok' <<<"$out" && ! grep -q '^not ok' <<<"$out"; then
    ok "deb: lua$v requires net from lua-netmcu (netmcu.test beside it) and runs sockets on loopback"
  else
    fail "deb: lua$v requires net from lua-netmcu (netmcu.test beside it) and runs sockets on loopback" \
      "$(grep -v '^ok' <<<"$out" | tr '\n' '|' | head -c 400)"
  fi
done

if [ -f "$SCRATCH/root/usr/share/man/man1/netmcu.1.gz" ] && [ -e "$SCRATCH/root/usr/share/man/man1/netmcu-5.3.1.gz" ] &&
   [ -f "$SCRATCH/root/usr/share/netmcu/types/common/net.lua" ]; then
  ok "deb: the man page and the LuaLS types are in the netmcu package"
else
  fail "deb: the man page and the LuaLS types are in the netmcu package" "$(dpkg -c "$RUNNER_DEB" | awk '{print $6}' | tr '\n' ' ')"
fi

deps=$(dpkg-deb -f "$RUNNER_DEB" Depends)
missing=
for lib in libuv1 libc-ares2 libssl3 libhttp-parser2.9 libmosquitto1 libreadline8 libmd0; do
  grep -q "$lib" <<<"$deps" || missing="$missing $lib"
done
if [ -z "$missing" ] && [ "$(dpkg-deb -f "$RUNNER_DEB" Version)" = "$VERSION" ]; then
  ok "deb: dh_shlibdeps' dependencies name libuv1, libc-ares2, libssl3, libhttp-parser (and the plugins' libraries)"
else
  fail "deb: dh_shlibdeps' dependencies name libuv1, libc-ares2, libssl3, libhttp-parser (and the plugins' libraries)" "missing:$missing in '$deps'"
fi
finish
