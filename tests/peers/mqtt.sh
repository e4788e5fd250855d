#!/usr/bin/env bash
# The mqtt module of each era against a real mosquitto broker: connect forms,
# QoS 0/1/2, retained, unsubscribe, credentials, bad arguments, close and
# garbage collection (tests/mqtt/api.lua), with mosquitto_pub as the other side.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/mqtt.sh"
MQTT_TESTS="$(cd "$(dirname "$0")/../mqtt" && pwd)"

mosquitto_passwd -c -b "$T/passwd" alice secret 2>/dev/null
broker_start auth "password_file $T/passwd" "allow_anonymous false" || exit 1
AUTH_PORT=$BROKER_PORT
broker_start open || exit 1
CLOSED_PORT=$(free_port)

for era in 1.5 2.2 3.0; do
  compat=()
  [ "$era" != 1.5 ] && compat=(--compat="$era")
  echo 'print("ERA")' >"$T/era.lua"
  if [ "$era" = 2.2 ] && ! "$NETMCU" --compat=2.2 "$T/era.lua" >/dev/null 2>&1; then
    # The 2.2 profile is another branch's work; until it is here, 2.2 runs as the code says.
    skip "$era api" "this runner has no --compat=2.2"
    continue
  fi
  ERA=$era MQTT_PORT=$BROKER_PORT MQTT_AUTH_PORT=$AUTH_PORT MQTT_CLOSED_PORT=$CLOSED_PORT \
    timeout -k 2 "$(bound 60)" "$NETMCU" "${compat[@]+"${compat[@]}"}" "$MQTT_TESTS/api.lua" 2>"$T/api$era.err" |
    tap_relay "$era "
  st=${PIPESTATUS[0]}
  [ "$st" = 0 ] || { fail "$era api" "exited with status $st"; sed 's/^/#   /' "$T/api$era.err" | tail -n 10; }
done

# Runs $T/NAME.lua against the open broker (netmcu FLAGS... script port); the
# case passes when it exits 0 having printed exactly EXPECTED.
expect_script() { # NAME EXPECTED OK_TEXT FAIL_TEXT [FLAGS...]
  local name=$1 expected=$2 ok_text=$3 fail_text=$4 st
  shift 4
  timeout -k 2 "$(bound 20)" "$NETMCU" "$@" "$T/$name.lua" "$BROKER_PORT" >"$T/$name.out" 2>"$T/$name.err"
  st=$?
  if [ "$st" = 0 ] && [ "$(cat "$T/$name.out")" = "$expected" ]; then
    ok "$ok_text"
  else
    fail "$fail_text" "status $st: $(head -c 300 "$T/$name.out") $(head -c 300 "$T/$name.err")"
  fi
}

# An error in an mqtt callback: message and traceback on stderr, the run ends with status 1.
cat >"$T/cberr.lua" <<'LUA'
local m = mqtt.Client("cberr", 60)
m:on("message", function(c, t, d) error("boom in message") end)
m:connect("127.0.0.1", tonumber(arg[1]), 0, 0, function(c)
  c:subscribe("cberr/t", 0, function(c2) c2:publish("cberr/t", "x", 0, 0) end)
end)
LUA
timeout -k 2 "$(bound 20)" "$NETMCU" "$T/cberr.lua" "$BROKER_PORT" >"$T/cberr.out" 2>"$T/cberr.err"
st=$?
if [ "$st" = 1 ] && grep -q 'boom in message' "$T/cberr.err" && grep -q 'traceback' "$T/cberr.err"; then
  ok "an error in the message callback: traceback on stderr, exit status 1"
else
  fail "an error in the message callback" "status $st: $(head -c 300 "$T/cberr.err")"
fi

# 50 QoS 0 publishes made in the connect callback leave in one write burst, and
# their confirmations run in one protected call: an error in the 10th still
# reaches node.setonerror as its own error, and the other 49 callbacks run.
cat >"$T/burst.lua" <<'LUA'
local calls = 0
node.setonerror(function(msg) print("HANDLER " .. tostring(msg):match("boom %d+")) end)
local m = mqtt.Client("burst", 60)
m:connect("127.0.0.1", tonumber(arg[1]), false, function(c)
  local function acked(c2)
    calls = calls + 1
    if calls == 10 then error("boom " .. calls) end
    if calls == 50 then print("CALLS " .. calls) c2:close() end
  end
  for i = 1, 50 do c:publish("burst/t", "m" .. i, 0, 0, acked) end
end)
LUA
expect_script burst "$(printf 'HANDLER boom 10\nCALLS 50')" \
  "a burst of 50 QoS 0 confirmations: an error in one reaches node.setonerror, the rest still run" \
  "a burst of 50 QoS 0 confirmations" --compat=3.0

# A callback in a burst replaces the puback callback (by a publish with another
# function, which keeps the slot's registry reference): the rest of the burst
# and the new message's confirmation go to the new one.
cat >"$T/swap.lua" <<'LUA'
local first, second = 0, 0
local m = mqtt.Client("burst-swap", 60)
m:connect("127.0.0.1", tonumber(arg[1]), 0, 0, function(c)
  local function two(c2)
    second = second + 1
    if second == 41 then print("FIRST " .. first .. " SECOND " .. second) c2:close() end
  end
  local function one(c2)
    first = first + 1
    if first == 10 then c2:publish("burst/t", "inside", 0, 0, two) end
  end
  for i = 1, 50 do c:publish("burst/t", "m" .. i, 0, 0, one) end
end)
LUA
expect_script swap "FIRST 10 SECOND 41" \
  "a burst's 10th confirmation sets another callback: the other 40 and the new message's go to it" \
  "a callback replaced inside a burst"

# close() (twice) and a collection inside the 10th confirmation of a burst: the
# messages already written are still confirmed, a publish on the closing
# client raises "not connected", and "offline" comes once, after them.
cat >"$T/bclose.lua" <<'LUA'
local calls = 0
local m = mqtt.Client("burst-close", 60)
m:on("offline", function() print("OFFLINE after " .. calls) end)
m:connect("127.0.0.1", tonumber(arg[1]), false, function(c)
  local function acked(c2)
    calls = calls + 1
    if calls == 10 then c2:close() c2:close() collectgarbage() end
    if calls == 11 then print(select(2, pcall(c2.publish, c2, "burst/t", "late", 0, 0)):match("not connected")) end
  end
  for i = 1, 50 do c:publish("burst/t", "m" .. i, 0, 0, acked) end
  m = nil
end)
LUA
expect_script bclose "$(printf 'not connected\nOFFLINE after 50')" \
  "close() twice inside a burst's confirmation: the written ones are confirmed, then offline once" \
  "close() inside a burst" --compat=3.0

# Each confirmation publishes the next message with the same callback (held
# for the next loop turn, never inside the publish): 200 in a chain.
cat >"$T/chain.lua" <<'LUA'
local n = 0
local m = mqtt.Client("burst-chain", 60)
m:connect("127.0.0.1", tonumber(arg[1]), 0, 0, function(c)
  local inside = false
  local function acked(c2)
    if inside then print("INSIDE PUBLISH") end
    n = n + 1
    if n == 200 then print("CHAIN " .. n) c2:close() return end
    inside = true
    c2:publish("burst/t", "m" .. n, 0, 0, acked)
    inside = false
  end
  c:publish("burst/t", "m0", 0, 0, acked)
end)
LUA
expect_script chain "CHAIN 200" \
  "200 QoS 0 publishes each made in the previous one's confirmation, none confirmed inside its publish" \
  "a chain of publishes from confirmations"

# require "net.mqtt" from the plain interpreter of the same Lua, with net.run() for the loop.
cat >"$T/plain.lua" <<'LUA'
io.stdout:setvbuf("line") -- seen even when a sanitizer's leak report ends the interpreter
local net = require "net"
local mqtt = require "net.mqtt"
assert(rawget(_G, "mqtt") == nil, "require makes no global")
local m = mqtt.Client("plain", 60)
m:on("message", function(c, t, d) print("MSG " .. t .. " " .. d) c:close() end)
m:connect("127.0.0.1", tonumber(arg[1]), 0, 0, function(c)
  c:subscribe("plain/t", 0, function(c2) c2:publish("plain/t", "from plain Lua", 0, 0) end)
end, function(c, r) print("FAIL " .. r) end)
net.run()
print("LOOP ENDED")
LUA
preload=
if [ -n "${NETMCU_SANITIZED:-}" ]; then
  preload="$(cc -print-file-name=libasan.so) $(cc -print-file-name=libubsan.so)"
fi
LD_PRELOAD="$preload" LUA_CPATH="$NETMCU_SO_DIR/?.so" timeout -k 2 "$(bound 20)" "${LUA_BIN:-lua5.3}" \
  "$T/plain.lua" "$BROKER_PORT" >"$T/plain.log" 2>&1
# (plain.log, not .out: under ASan the plain interpreter reports 512 bytes that
# `require "net"` alone already leaves, which sanitizer_clean is not about.)
if grep -q '^MSG plain/t from plain Lua$' "$T/plain.log" && grep -q '^LOOP ENDED$' "$T/plain.log"; then
  ok 'require "net.mqtt" from plain Lua: a message round trip under net.run()'
else
  fail 'require "net.mqtt" from plain Lua' "$(head -c 400 "$T/plain.log")"
fi
sanitizer_clean
finish
