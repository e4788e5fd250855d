#!/usr/bin/env bash
# The firmware's published MQTT examples, unchanged (tests/mqtt/examples): the
# 3.0 docs' mqtt.Client() example and lua_examples/mqtt/mqtt2cloud.lua of each
# era. Their brokers are where the scripts say: in a network namespace of this
# test's own, 192.168.11.118:1883 (anonymous) and m11.cloudmqtt.com:11214
# (user test, password test123; the name from a hosts file for c-ares), both
# real mosquitto brokers.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/mqtt.sh"
EXAMPLES="$(cd "$(dirname "$0")/../mqtt/examples" && pwd)"
need unshare ip mosquitto mosquitto_passwd
if ! unshare -n true 2>/dev/null; then
  echo "not ok - setup: cannot make a network namespace (unshare -n)"
  exit 1
fi

mosquitto_passwd -c -b "$T/passwd" test test123 2>/dev/null
printf 'listener 1883 192.168.11.118\nallow_anonymous true\nuser %s\n' "$(id -un)" >"$T/doc.conf"
printf 'listener 11214 127.0.0.1\npassword_file %s\nallow_anonymous false\nuser %s\n' "$T/passwd" "$(id -un)" \
  >"$T/cloud.conf"
echo "127.0.0.1 m11.cloudmqtt.com" >"$T/hosts"

# inside NAME PROFILE SCRIPT SECONDS — runs the example for SECONDS in a fresh
# namespace with both brokers; its output in $T/NAME.out.
inside() {
  local name=$1 profile=$2 script=$3 secs=$4
  timeout -k 2 "$(bound 30)" unshare -n bash -c '
    ip link set lo up && ip addr add 192.168.11.118/32 dev lo || exit 3
    mosquitto -c "$1/doc.conf" >"$1/$2.doc.log" 2>&1 & b1=$!
    mosquitto -c "$1/cloud.conf" >"$1/$2.cloud.log" 2>&1 & b2=$!
    for i in $(seq 50); do
      (exec 3<>/dev/tcp/192.168.11.118/1883 && exec 4<>/dev/tcp/127.0.0.1/11214) 2>/dev/null && break
      sleep 0.1
    done
    CARES_HOSTS="$1/hosts" NETMCU_COMPAT="$3" timeout "$5" "$6" "$4"
    kill $b1 $b2; wait
    exit 0' _ "$T" "$name" "$profile" "$script" "$secs" "$NETMCU" >"$T/$name.out" 2>&1
}

check() { # CASE FILE REGEX...
  local name=$1 file=$2 re; shift 2
  for re in "$@"; do
    grep -qE -- "$re" "$file" || { fail "$name" "no /$re/ in: $(tr '\n' '|' <"$file" | head -c 500)"; return; }
  done
  ok "$name"
}

inside doc30 3.0 "$EXAMPLES/doc30.lua" 3
check "3.0 docs' mqtt.Client example: connected, subscribed, sent, its message back" "$T/doc30.out" \
  '^connected$' '^subscribe success$' '^sent$' '^/topic:$' '^hello$'
inside cloud15 1.5 "$EXAMPLES/mqtt2cloud15.lua" 3
check "1.5 mqtt2cloud.lua: connection, sub done twice, both topics dispatched" "$T/cloud15.out" \
  '^connection [0-9]+$' '^sub done$' '^get1: hello$' '^get2: world$'
[ "$(grep -c '^sub done$' "$T/cloud15.out")" = 2 ] && ok "1.5 mqtt2cloud.lua: one suback per subscribe" ||
  fail "1.5 mqtt2cloud.lua: one suback per subscribe" "$(grep -c '^sub done$' "$T/cloud15.out") sub done"
inside cloud30 3.0 "$EXAMPLES/mqtt2cloud30.lua" 3
check "3.0 mqtt2cloud.lua: connection, sub done, both topics dispatched" "$T/cloud30.out" \
  '^connection [0-9]+$' '^sub done$' '^get1: hello$' '^get2: world$'
sanitizer_clean
finish
