#!/usr/bin/env bash
# The firmware's published MQTT examples, unchanged: the mqtt.Client() example
# of each era's docs, read at run time from the firmware documentation beside
# the repository (../shared/reference/firmware-docs, as CI lays it out; the
# project keeps no copy of the firmware's text). The broker is where the
# scripts say: 192.168.11.118:1883, a real mosquitto in a network namespace of
# this test's own.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/mqtt.sh"
DOCS="$(cd "$(dirname "$0")/../.." && pwd)/../shared/reference/firmware-docs"
# example ERA — the first lua block of that era's mqtt.md, into $T/docERA.lua.
example() {
  awk '/^```lua$/ { on = 1; next } on && /^```$/ { exit } on' "$DOCS/$1/mqtt.md" >"$T/doc$1.lua"
  [ -s "$T/doc$1.lua" ]
}
if [ ! -f "$DOCS/3.0-release/mqtt.md" ] || [ ! -f "$DOCS/1.5.4.1/mqtt.md" ]; then
  skip "the firmware docs' mqtt examples" "the firmware documentation is not beside the repository (../shared/reference/firmware-docs)"
  finish
fi
need unshare ip mosquitto
unshare -n true 2>/dev/null || bail "cannot make a network namespace (unshare -n)"
example 3.0-release && example 1.5.4.1 || bail "no lua block in the docs' mqtt.md"
printf 'listener 1883 192.168.11.118\nallow_anonymous true\nuser %s\n' "$(id -un)" >"$T/doc.conf"

# inside NAME PROFILE SCRIPT SECONDS — runs the example for SECONDS in a fresh
# namespace with the broker; its output in $T/NAME.out.
inside() {
  local name=$1 profile=$2 script=$3 secs=$4
  timeout -k 2 "$(bound 30)" unshare -n bash -c '
    ip link set lo up && ip addr add 192.168.11.118/32 dev lo || exit 3
    mosquitto -c "$1/doc.conf" >"$1/$2.doc.log" 2>&1 & b1=$!
    for i in $(seq 50); do
      (exec 3<>/dev/tcp/192.168.11.118/1883) 2>/dev/null && break
      sleep 0.1
    done
    NETMCU_COMPAT="$3" timeout "$5" "$6" "$4"
    kill $b1; wait
    exit 0' _ "$T" "$name" "$profile" "$script" "$secs" "$NETMCU" >"$T/$name.out" 2>&1
}

check() { # CASE FILE REGEX...
  local name=$1 file=$2 re; shift 2
  for re in "$@"; do
    grep -qE -- "$re" "$file" || { fail "$name" "no /$re/ in: $(tr '\n' '|' <"$file" | head -c 500)"; return; }
  done
  ok "$name"
}

inside doc30 3.0 "$T/doc3.0-release.lua" 3
check "3.0 docs' mqtt.Client example: connected, subscribed, sent, its message back" "$T/doc30.out" \
  '^connected$' '^subscribe success$' '^sent$' '^/topic:$' '^hello$'
# The 1.5 docs subscribe before the connection is up: the firmware's subscribe
# raises "not connected" there (app/modules/mqtt.c on 1.5.4.1-final), and so do we.
inside doc15 1.5 "$T/doc1.5.4.1.lua" 3
check "1.5 docs' mqtt.Client example: subscribe before the connection raises the firmware's error" \
  "$T/doc15.out" 'doc1\.5\.4\.1\.lua:[0-9]+: not connected$' "in function 'subscribe'"
sanitizer_clean
finish
