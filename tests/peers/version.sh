#!/usr/bin/env bash
# One version everywhere: NETMCU_VERSION in src/runtime/modules.h is the one
# definition; `netmcu -v`, `make print-version`, the man page, the Debian
# changelog and the rockspec (its file name and its version field) agree with it.
. "$(dirname "$0")/lib/common.sh"
need make
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
V=$(sed -n 's/^#define NETMCU_VERSION "\(.*\)"$/\1/p' "$ROOT/src/runtime/modules.h")
if [ -z "$V" ]; then
  fail "version: src/runtime/modules.h defines NETMCU_VERSION" "no definition found"
  finish
fi

check() { # name got
  if [ "$2" = "$V" ]; then ok "version: $1 is $V"; else fail "version: $1 is $V" "got '$2'"; fi
}
check "netmcu -v" "$("$NETMCU" -v | sed -n 's/^netmcu \([^ ]*\) .*/\1/p')"
check "make print-version" "$(make -C "$ROOT" -s --no-print-directory print-version)"
check "the man page's .Os line" "$(sed -n 's/^\.Os netmcu //p' "$ROOT/man/netmcu.1")"
check "debian/changelog's latest entry" "$(sed -n '1s/^netmcu (\([^)]*\)).*/\1/p' "$ROOT/debian/changelog")"
rockspecs=$(cd "$ROOT/rockspecs" && ls -- *.rockspec)
check "the rockspec's file name" "$(sed -n 's/^netmcu-\(.*\)-[0-9]*\.rockspec$/\1/p' <<<"$rockspecs")"
check "the rockspec's version field" \
  "$(sed -n 's/^version = "\(.*\)-[0-9]*"$/\1/p' "$ROOT/rockspecs/$rockspecs" 2>/dev/null)"
finish
