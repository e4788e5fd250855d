#!/bin/sh
# tools/install.sh — install or uninstall netmcu (run by `make install` / `make uninstall`).
#   tools/install.sh install|uninstall 'LUA:BUILD ...' 'LUA:BUILD ...'
# The first list names the runners: the first Lua's runner becomes bin/netmcu, the
# others bin/netmcu-LUA (where `netmcu --lua=LUA` looks, beside itself). The second
# names the modules: each BUILD/net.so goes into that Lua's C module folder, and
# lua/netmcu/*.lua (netmcu.test) into its Lua module folder.
# PREFIX (default /usr/local) and DESTDIR as the GNU conventions say. The man page
# goes to share/man/man1, the LuaLS type definitions (types/PROFILE/*.lua) to share/netmcu/types, each
# runner's plugins (BUILD/plugins/*.so) to lib/netmcu/LUA, where it looks for them. Uninstall
# removes only the files install writes, and the folders it made if left empty.
set -eu
action=$1 runners=$2 modules=$3
PREFIX=${PREFIX:-/usr/local}
root="${DESTDIR:-}$PREFIX"
bindir=$root/bin
mandir=$root/share/man/man1
typesdir=$root/share/netmcu/types

# A Lua's C module folder: Debian's multiarch one for the system prefix
# (what `pkg-config --variable=INSTALL_CMOD lua5.x` names), else PREFIX/lib/lua/5.x.
# LuaJIT loads Lua 5.1 modules.
cmod_dir() {
  v=$1
  [ "$v" = luajit ] && v=5.1
  if [ "$PREFIX" = /usr ]; then
    multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
    echo "$root/lib/$multiarch/lua/$v"
  else
    echo "$root/lib/lua/$v"
  fi
}

# A Lua's Lua module folder (netmcu.test): PREFIX/share/lua/5.x (Debian's INSTALL_LMOD under /usr).
lmod_dir() {
  v=$1
  [ "$v" = luajit ] && v=5.1
  echo "$root/share/lua/$v"
}

# The plugins a runner loads on first use (src/runtime/plugin.h), and where, installed.
plugins="ssl mqtt readline"
plugin_dir() { echo "$root/lib/netmcu/$1"; }

runner_name() { # position lua
  if [ "$1" = 1 ]; then echo netmcu; else echo "netmcu-$2"; fi
}

here=$(cd "$(dirname "$0")/.." && pwd)
case "$action" in
install)
  n=0
  for pair in $runners; do
    n=$((n + 1))
    name=$(runner_name $n "${pair%%:*}")
    install -D -m 0755 "${pair#*:}/netmcu" "$bindir/$name"
    for p in $plugins; do
      install -D -m 0644 "${pair#*:}/plugins/$p.so" "$(plugin_dir "${pair%%:*}")/$p.so"
    done
    # Another Lua's runner is described by netmcu(1): its page points there.
    if [ "$n" -gt 1 ]; then
      mkdir -p "$mandir"
      printf '.so man1/netmcu.1\n' >"$mandir/$name.1"
      chmod 0644 "$mandir/$name.1"
    fi
  done
  for pair in $modules; do
    install -D -m 0644 "${pair#*:}/net.so" "$(cmod_dir "${pair%%:*}")/net.so"
    for f in "$here"/lua/netmcu/*.lua; do
      install -D -m 0644 "$f" "$(lmod_dir "${pair%%:*}")/netmcu/$(basename "$f")"
    done
  done
  install -D -m 0644 "$here/man/netmcu.1" "$mandir/netmcu.1"
  for f in "$here"/types/*/*.lua; do
    install -D -m 0644 "$f" "$typesdir/${f#"$here"/types/}"
  done
  ;;
uninstall)
  n=0
  for pair in $runners; do
    n=$((n + 1))
    name=$(runner_name $n "${pair%%:*}")
    rm -f "$bindir/$name"
    [ "$n" -gt 1 ] && rm -f "$mandir/$name.1"
    d=$(plugin_dir "${pair%%:*}")
    for p in $plugins; do rm -f "$d/$p.so"; done
    rmdir "$d" "$(dirname "$d")" 2>/dev/null || true
  done
  for pair in $modules; do
    d=$(cmod_dir "${pair%%:*}")
    rm -f "$d/net.so"
    rmdir "$d" "$(dirname "$d")" 2>/dev/null || true
    d=$(lmod_dir "${pair%%:*}")
    for f in "$here"/lua/netmcu/*.lua; do rm -f "$d/netmcu/$(basename "$f")"; done
    rmdir "$d/netmcu" "$d" "$(dirname "$d")" 2>/dev/null || true
  done
  rm -f "$mandir/netmcu.1"
  for f in "$here"/types/*/*.lua; do
    rm -f "$typesdir/${f#"$here"/types/}"
    rmdir "$(dirname "$typesdir/${f#"$here"/types/}")" 2>/dev/null || true
  done
  rmdir "$typesdir" "$root/share/netmcu" 2>/dev/null || true
  ;;
*)
  echo "usage: tools/install.sh install|uninstall RUNNERS MODULES" >&2
  exit 2
  ;;
esac
