#!/bin/sh
# tools/fresh-machine.sh [ROOT] — the set-up as a new user meets it, checked in a minimal
# Debian 12 root: only make and git are installed, the repository (its committed HEAD) is
# cloned, then
#   1. `make run` must build and run the demo, installing only the build's packages
#      (no test peer: no nginx, curl, nodejs, npm);
#   2. with the npm registry unreachable (registry=http://127.0.0.1:9 in ~/.npmrc),
#      `make test` must install the test peers (nginx included), build, and run the
#      whole suite; the only failures allowed are the tests that need NodeMCU-Tool
#      from npm, and they must say why.
# It prints "ok - ..." / "not ok - ..." per check and exits non-zero on a failure.
#
# Slow (a debootstrap, a few hundred MB of packages, the whole suite): not part of
# `make test`. Needs root, debootstrap (apt-get install debootstrap) and the network
# to reach a Debian mirror (the first one in /etc/apt/sources.list*, else
# deb.debian.org; MIRROR=... chooses). ROOT (default a new temporary folder) is
# created with `debootstrap --variant=minbase bookworm ROOT MIRROR` unless it already
# holds a system; KEEP=1 keeps it afterwards.
set -u
repo=$(cd "$(dirname "$0")/.." && pwd)
root=${1:-$(mktemp -d /tmp/netmcu-fresh.XXXXXX)}
failed=0
ok() { echo "ok - $1"; }
fail() { echo "not ok - $1: $2"; failed=$((failed + 1)); }

[ "$(id -u)" = 0 ] || { echo "fresh-machine: needs root (debootstrap, chroot)" >&2; exit 2; }
command -v debootstrap >/dev/null || { echo "fresh-machine: apt-get install debootstrap first" >&2; exit 2; }

mirror=${MIRROR:-$(sed -n 's/^URIs: *\(http[^ ]*debian\)$/\1/p; s/^deb \(http[^ ]*debian\) .*/\1/p' \
  /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null | head -n 1)}
mirror=${mirror:-http://deb.debian.org/debian}

if [ ! -x "$root/usr/bin/apt-get" ]; then
  echo "# debootstrap --variant=minbase bookworm $root $mirror"
  debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.debootstrap.log" 2>&1 ||
    { echo "fresh-machine: debootstrap failed, see $root.debootstrap.log" >&2; exit 2; }
fi

# The root is a mount point (as / is on a machine: `ip netns exec` remounts it), with
# the kernel's file systems (the tests use ptys, /proc, network namespaces).
cleanup() {
  for m in dev/pts dev sys proc ""; do umount -l "$root/$m" 2>/dev/null; done
  [ "${KEEP:-}" = 1 ] || case "$root" in /tmp/netmcu-fresh.*) rm -rf "$root" "$root.debootstrap.log" ;; esac
}
trap cleanup EXIT
mount --bind "$root" "$root"
mount -t proc proc "$root/proc"
mount --rbind /sys "$root/sys"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
# The repository's HEAD as a bundle (a worktree's .git points outside the root).
git -C "$repo" bundle create "$root/root/netmcu.bundle" HEAD >/dev/null 2>&1 ||
  { echo "fresh-machine: cannot bundle $repo" >&2; exit 2; }
cp /etc/resolv.conf "$root/etc/resolv.conf"

# in_root COMMAND — runs a shell command in the root as a fresh root login would.
in_root() {
  chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8 /bin/sh -c "$1"
}
installed() { in_root "dpkg-query -W -f='\${Status}' $1 2>/dev/null | grep -q 'install ok installed'"; }

in_root 'apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q make git' >"$root/root/setup.log" 2>&1 ||
  { fail "make and git installed" "$(tail -n 3 "$root/root/setup.log")"; exit 1; }
in_root 'rm -rf /root/netmcu && git -c advice.detachedHead=false clone -q /root/netmcu.bundle /root/netmcu' >>"$root/root/setup.log" 2>&1 ||
  { fail "repository cloned" "$(tail -n 3 "$root/root/setup.log")"; exit 1; }

echo "# make run (log: $root/root/run.log)"
if in_root 'cd /root/netmcu && timeout 1800 make run' >"$root/root/run.log" 2>&1 &&
   grep -q 'Hello from netmcu' "$root/root/run.log"; then
  ok "make run builds and runs the demo on a fresh machine"
else
  fail "make run builds and runs the demo on a fresh machine" "$(tail -n 5 "$root/root/run.log" | tr '\n' '|')"
fi
extra=
for p in nginx curl nodejs npm socat; do installed "$p" && extra="$extra $p"; done
[ -z "$extra" ] && ok "make run installs no test peer" || fail "make run installs no test peer" "installed:$extra"

echo "# make test with npm unreachable (log: $root/root/test.log)"
echo 'registry=http://127.0.0.1:9/' >"$root/root/.npmrc"
in_root 'cd /root/netmcu && timeout 5400 make test' >"$root/root/test.log" 2>&1
summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$root/root/test.log" | tail -n 1)
if [ -n "$summary" ]; then
  ok "make test runs the suite although npm is unreachable ($summary)"
else
  fail "make test runs the suite although npm is unreachable" "$(tail -n 5 "$root/root/test.log" | tr '\n' '|')"
fi
installed nginx && ok "make test installs nginx" || fail "make test installs nginx" "not installed"
grep -q 'NodeMCU-Tool could not be installed' "$root/root/test.log" &&
  ok "the npm failure is reported, with the tests it costs" ||
  fail "the npm failure is reported, with the tests it costs" "no such line"
# run-tests prints a failing case as "FILE: not ok - ..." and a failing file as "not ok - FILE: ..."
others=$(grep -E 'not ok - ' "$root/root/test.log" | grep -v 'serial_tool.sh')
[ -n "$summary" ] && [ -z "$others" ] && ok "only the tests that need NodeMCU-Tool fail" ||
  fail "only the tests that need NodeMCU-Tool fail" "$(printf '%s' "$others" | head -n 10 | tr '\n' '|')"
grep -E '^tests/peers/serial_tool.sh: not ok - .*NodeMCU-Tool could not be installed' "$root/root/test.log" >/dev/null &&
  ok "serial_tool.sh fails with the reason" || fail "serial_tool.sh fails with the reason" "no such line"
exit $((failed > 0))
