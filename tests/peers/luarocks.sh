#!/usr/bin/env bash
# LuaRocks: Debian's luarocks builds and installs the rock from
# rockspecs/netmcu-*.rockspec (`luarocks make`, the make backend calling the
# project's Makefile) for Lua 5.1 and 5.3 into a temporary tree, in a network
# namespace of its own (so nothing can be fetched), and that Lua's interpreter
# requires net from the tree (tests/plain/require_net.lua: real sockets on loopback).
. "$(dirname "$0")/lib/common.sh"
need luarocks unshare make
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
if [ -n "${NETMCU_SANITIZED:-}" ]; then
  skip "luarocks: luarocks make" "packaging builds its own, unsanitized module"
  finish
fi
ROCKSPEC=$(ls "$ROOT"/rockspecs/netmcu-*.rockspec)
noNet=(unshare -n)
"${noNet[@]}" true 2>/dev/null || noNet=()
[ ${#noNet[@]} -eq 0 ] && skip "luarocks: in a namespace without network" "unshare -n is not permitted here"

for v in 5.1 5.3; do
  if ! command -v "lua$v" >/dev/null 2>&1 || ! pkg-config --exists "lua$v"; then
    skip "luarocks: Lua $v" "lua$v or its headers are not installed"
    continue
  fi
  tree="$T/tree-$v"
  # Building a Lua's module from scratch takes a while on a loaded machine.
  if (cd "$ROOT" && HOME="$T" timeout "$(bound 80)" "${noNet[@]}" luarocks --lua-version="$v" \
        --tree="$tree" make "$ROCKSPEC") >"$T/rocks-$v.out" 2>&1; then
    ok "luarocks: luarocks --lua-version=$v make installs the rock into a temporary tree"
  else
    fail "luarocks: luarocks --lua-version=$v make installs the rock into a temporary tree" \
      "$(tail -n 5 "$T/rocks-$v.out" | tr '\n' '|')"
    continue
  fi
  out=$(cd "$ROOT" && LUA_CPATH="$tree/lib/lua/$v/?.so" NETMCU_HOME="$T/home" \
    timeout "$(bound 20)" "lua$v" tests/plain/require_net.lua 2>&1)
  if grep -q '^ok' <<<"$out" && ! grep -q '^not ok' <<<"$out"; then
    ok "luarocks: lua$v requires net from the rock tree and runs sockets on loopback"
  else
    fail "luarocks: lua$v requires net from the rock tree and runs sockets on loopback" \
      "$(grep -v '^ok' <<<"$out" | tr '\n' '|' | head -c 400)"
  fi
  if HOME="$T" luarocks --lua-version="$v" --tree="$tree" list --porcelain 2>/dev/null | grep -q "^netmcu	"; then
    ok "luarocks: the $v tree lists the netmcu rock"
  else
    fail "luarocks: the $v tree lists the netmcu rock" "$(HOME="$T" luarocks --lua-version="$v" --tree="$tree" list 2>&1 | tr '\n' '|')"
  fi
done
finish
