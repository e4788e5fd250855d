#!/usr/bin/env bash
# debian/control's Build-Depends names the -dev package of every library the
# runner and net.so link (found from their NEEDED entries and the packages that
# own the libraries' link names), so a library a module brings in cannot be
# forgotten in the Debian package (dh_shlibdeps then derives the runtime ones).
. "$(dirname "$0")/lib/common.sh"
need objdump dpkg-query gcc realpath
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
build_deps=$(sed -n '/^Build-Depends:/,/^[A-Z]/p' "$ROOT/debian/control" | sed '$d')
missing= checked=0
for lib in $(objdump -p "$NETMCU" "$NETMCU_SO_DIR/net.so" | awk '$1 == "NEEDED" {print $2}' | sort -u); do
  base=${lib%%.so*}
  case "$base" in # the C library and the compiler's runtimes come with build-essential
    libc|libm|libdl|libpthread|librt|libgcc_s|libasan|libubsan|libstdc++|ld-linux*) continue ;;
  esac
  link=$(realpath -s "$(gcc -print-file-name="$base.so")")
  pkg=$(dpkg-query -S "$link" 2>/dev/null | head -n 1 | cut -d: -f1)
  if [ -z "$pkg" ]; then
    fail "deb_control: the package of $lib's link name" "no package owns $link"
    continue
  fi
  checked=$((checked + 1))
  grep -qE "(^|[ ,])$pkg([ ,(]|$)" <<<"$build_deps" || missing="$missing $pkg ($lib)"
done
if [ "$checked" -ge 5 ] && [ -z "$missing" ]; then
  ok "deb_control: Build-Depends names the -dev package of each of the $checked libraries netmcu links"
else
  fail "deb_control: Build-Depends names the -dev package of each library netmcu links" \
    "missing from debian/control:${missing:- none} ($checked checked)"
fi
finish
