#!/usr/bin/env bash
# make install / uninstall: the build under test is installed with DESTDIR into
# a scratch root, under PREFIX=/usr/local and PREFIX=/usr; the installed runner
# runs, the system interpreter of each built Lua loads the installed net.so
# (tests/plain/require_net.lua: real sockets on loopback), `netmcu --lua=5.3`
# runs the installed 5.3 runner, the installed man page passes mandoc's lint,
# and uninstall leaves no file behind.
. "$(dirname "$0")/lib/common.sh"
need make mandoc python3
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD_DIR=${NETMCU_SO_DIR#"$ROOT"/}
preload=
if [ -n "${NETMCU_SANITIZED:-}" ]; then
  preload="$(cc -print-file-name=libasan.so) $(cc -print-file-name=libubsan.so)"
fi

# The Lua a build folder was made for, from its runner's -v ("(Lua 5.3.6, ..." → 5.3).
lua_of() {
  "$1/netmcu" -v 2>/dev/null | sed -n 's/.*(Lua \([0-9]\.[0-9]\).*/\1/p'
}
THIS_LUA=$(lua_of "$NETMCU_SO_DIR")
case "${LUA_BIN:-}" in luajit) THIS_LUA=luajit ;; esac
# The other of Debian's 5.1 and 5.3 whose build folder exists is installed too.
OTHER_LUA=
for l in 5.1 5.3; do
  [ "$l" = "$THIS_LUA" ] && continue
  [ "$THIS_LUA" = luajit ] && [ "$l" = 5.1 ] && continue # the same module folder as LuaJIT's
  # make takes another Lua's module from build-5.x, or build/ for the default Lua (mk/install.mk).
  for d in "build-$l" build; do
    if [ "$d" != "$BUILD_DIR" ] && [ -x "$ROOT/$d/netmcu" ] && [ -f "$ROOT/$d/net.so" ] &&
       [ "$(lua_of "$ROOT/$d")" = "$l" ]; then
      OTHER_LUA=$l
      break 2
    fi
  done
done

# A runner with --lua gets the 5.3 runner installed beside it (bin/netmcu-5.3).
RUNNER_LUAS=$THIS_LUA
if [ "$OTHER_LUA" = 5.3 ] && "$NETMCU" --help 2>&1 | grep -q -- '--lua='; then
  RUNNER_LUAS="$THIS_LUA 5.3"
fi

inst() { # PREFIX DESTDIR target [vars...]
  local prefix=$1 dest=$2 target=$3; shift 3
  make -C "$ROOT" --no-print-directory -s "$target" PREFIX="$prefix" DESTDIR="$dest" \
    LUA="$THIS_LUA" BUILD="$BUILD_DIR" INSTALL_RUNNER_LUAS="$RUNNER_LUAS" \
    INSTALL_MODULE_LUAS="$THIS_LUA${OTHER_LUA:+ $OTHER_LUA}" "$@" >"$T/make.out" 2>&1
}
cmod() { # PREFIX LUA → the installed module's folder under the scratch root
  local v=$2
  [ "$v" = luajit ] && v=5.1
  if [ "$1" = /usr ]; then echo "$DEST/usr/lib/$(gcc -print-multiarch)/lua/$v"; else echo "$DEST$1/lib/lua/$v"; fi
}
lua_bin() { case "$1" in luajit) echo luajit ;; *) echo "lua$1" ;; esac; }

for PREFIX in /usr/local /usr; do
  DEST="$T/root${PREFIX//\//_}"
  if inst "$PREFIX" "$DEST" install; then
    ok "install: make install PREFIX=$PREFIX DESTDIR=... succeeds"
  else
    fail "install: make install PREFIX=$PREFIX DESTDIR=... succeeds" "$(tr '\n' '|' <"$T/make.out")"
    continue
  fi

  for f in "$DEST$PREFIX/bin/netmcu" "$(cmod "$PREFIX" "$THIS_LUA")/net.so" \
           "$DEST$PREFIX/share/man/man1/netmcu.1" "$DEST$PREFIX/share/netmcu/types/common/net.lua" \
           "$DEST$PREFIX/share/netmcu/types/3.0/tls.lua"; do
    [ -f "$f" ] || fail "install: $PREFIX: ${f#"$DEST"} is installed" "missing"
  done
  ok "install: $PREFIX: runner, module, man page and types are where they belong"

  out=$(cd "$T" && NETMCU_FLASH="$T" timeout "$(bound 10)" "$DEST$PREFIX/bin/netmcu" -e 'print(net.TCP, tmr.now() >= 0)' 2>&1)
  if [ "$out" = "16	true" ]; then
    ok "install: $PREFIX: the installed runner runs a chunk"
  else
    fail "install: $PREFIX: the installed runner runs a chunk" "got '$out'"
  fi

  # Its plugins (src/runtime/plugin.h) are found in lib/netmcu/LUA: crypto (ssl.so), a client (mqtt.so).
  out=$(cd "$T" && NETMCU_FLASH="$T" timeout "$(bound 10)" "$DEST$PREFIX/bin/netmcu" \
    -e 'print(crypto.toHex(crypto.hash("sha1", "abc")), type(mqtt.Client("c", 60)))' 2>&1)
  if [ "$out" = "a9993e364706816aba3e25717850c26c9cd0d89d	userdata" ] &&
     [ -f "$DEST$PREFIX/lib/netmcu/$THIS_LUA/readline.so" ]; then
    ok "install: $PREFIX: the installed runner loads its installed plugins (ssl, mqtt; readline beside them)"
  else
    fail "install: $PREFIX: the installed runner loads its installed plugins (ssl, mqtt; readline beside them)" "got '$out'"
  fi

  if [ "$RUNNER_LUAS" != "$THIS_LUA" ]; then
    out=$(cd "$T" && NETMCU_FLASH="$T" timeout "$(bound 10)" "$DEST$PREFIX/bin/netmcu" --lua=5.3 \
      -e 'print(_VERSION, math.type(1))' 2>&1)
    if [ "$out" = "Lua 5.3	integer" ] && [ -x "$DEST$PREFIX/bin/netmcu-5.3" ] &&
       grep -qx '.so man1/netmcu.1' "$DEST$PREFIX/share/man/man1/netmcu-5.3.1"; then
      ok "install: $PREFIX: the installed netmcu --lua=5.3 runs the installed netmcu-5.3 (its man page: netmcu(1))"
    else
      fail "install: $PREFIX: the installed netmcu --lua=5.3 runs the installed netmcu-5.3 (its man page: netmcu(1))" "got '$out'"
    fi
  elif [ "$PREFIX" = /usr/local ] && [ "$THIS_LUA" != 5.3 ]; then
    skip "install: netmcu --lua=5.3 from the installed layout" "no Lua 5.3 runner built beside this $THIS_LUA build"
  fi

  for l in "$THIS_LUA" $OTHER_LUA; do
    dir=$(cmod "$PREFIX" "$l")
    if [ ! -f "$dir/net.so" ]; then
      fail "install: $PREFIX: $(lua_bin "$l") requires net from $dir" "no net.so there"
      continue
    fi
    out=$(cd "$ROOT" && LD_PRELOAD="$preload" LUA_CPATH="$dir/?.so" NETMCU_HOME="$T/home" \
      timeout "$(bound 20)" "$(lua_bin "$l")" tests/plain/require_net.lua 2>&1)
    if [ -n "$out" ] && ! grep -q '^not ok' <<<"$out" && grep -q '^ok' <<<"$out"; then
      ok "install: $PREFIX: $(lua_bin "$l") requires the installed net and runs sockets on loopback"
    else
      fail "install: $PREFIX: $(lua_bin "$l") requires the installed net and runs sockets on loopback" \
        "$(grep -v '^ok' <<<"$out" | tr '\n' '|' | head -c 400)"
    fi
  done
  lmod="$DEST$PREFIX/share/lua/$([ "$THIS_LUA" = luajit ] && echo 5.1 || echo "$THIS_LUA")"
  out=$(LUA_PATH="$lmod/?.lua;;" LUA_PATH_5_3="$lmod/?.lua;;" LUA_PATH_5_4="$lmod/?.lua;;" timeout "$(bound 10)" "$(lua_bin "$THIS_LUA")" \
    -e 'local T = require "netmcu.test"; print(type(T.runner))' 2>&1)
  if [ "$out" = string ]; then
    ok "install: $PREFIX: $(lua_bin "$THIS_LUA") requires the installed netmcu.test"
  else
    fail "install: $PREFIX: $(lua_bin "$THIS_LUA") requires the installed netmcu.test" "$(tr '\n' '|' <<<"$out")"
  fi
  [ -z "$OTHER_LUA" ] && [ "$PREFIX" = /usr/local ] &&
    skip "install: the module of the other Debian Lua (5.1/5.3)" "no build of it here (make LUA=5.1 or LUA=5.3 builds one)"

  if [ "$PREFIX" = /usr/local ]; then
    # The README's .luarc.json names folders that install made.
    libs=$(sed -n '/^```json$/,/^```$/p' "$ROOT/README.md" | sed '1d;$d' |
      python3 -c 'import json,sys; print("\n".join(json.load(sys.stdin)["workspace.library"]))' 2>&1)
    bad=
    for d in $libs; do [ -f "$DEST$d/net.lua" ] || [ -n "$(ls "$DEST$d" 2>/dev/null)" ] || bad="$bad $d"; done
    if [ -n "$libs" ] && [ -z "$bad" ]; then
      ok "install: the README's .luarc.json is JSON and its library folders are installed"
    else
      fail "install: the README's .luarc.json is JSON and its library folders are installed" "${bad:-$libs}"
    fi
  fi

  if mandoc -T lint -W warning "$DEST$PREFIX/share/man/man1/netmcu.1" >"$T/lint" 2>&1; then
    ok "install: $PREFIX: the installed man page passes mandoc -T lint"
  else
    fail "install: $PREFIX: the installed man page passes mandoc -T lint" "$(tr '\n' '|' <"$T/lint")"
  fi

  if inst "$PREFIX" "$DEST" uninstall; then
    left=$(find "$DEST" -type f | sed "s|^$DEST||" | tr '\n' ' ')
    if [ -z "$left" ]; then
      ok "install: $PREFIX: make uninstall removes every installed file"
    else
      fail "install: $PREFIX: make uninstall removes every installed file" "left: $left"
    fi
  else
    fail "install: $PREFIX: make uninstall succeeds" "$(tr '\n' '|' <"$T/make.out")"
  fi
done

# Uninstall never removes what it did not install.
DEST="$T/shared"
mkdir -p "$DEST/usr/local/lib/lua/$THIS_LUA" "$DEST/usr/local/bin"
echo keep >"$DEST/usr/local/lib/lua/$THIS_LUA/other.so"
echo keep >"$DEST/usr/local/bin/other"
inst /usr/local "$DEST" install && inst /usr/local "$DEST" uninstall
if [ -f "$DEST/usr/local/lib/lua/$THIS_LUA/other.so" ] && [ -f "$DEST/usr/local/bin/other" ] &&
   [ ! -e "$DEST/usr/local/bin/netmcu" ]; then
  ok "install: uninstall leaves other files in the same folders alone"
else
  fail "install: uninstall leaves other files in the same folders alone" "$(find "$DEST" -type f | tr '\n' ' ')"
fi
finish
