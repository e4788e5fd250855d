#!/usr/bin/env bash
# The mqtt module against brokers that misbehave (tests/peers/lib/mqtt_hostile.py:
# garbage, silence, a reset mid-packet, a bad or huge length, no PINGRESP), a
# client killed with its will set, and a mosquitto restarted mid-session: each
# is the documented event (failure code, offline, autoreconnect by era: 1.5
# retries always, 2.2 only after a first success, 3.0 never), never
# a crash or a hang.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/mqtt.sh"
HOSTILE="$(cd "$(dirname "$0")/lib" && pwd)/mqtt_hostile.py"
need python3

# The client's events, one per line, with the script's own checks.
cat >"$T/client.lua" <<'LUA'
local port, compat, keepalive = tonumber(arg[1]), arg[2], tonumber(arg[3] or 60)
local m = mqtt.Client("hostile", keepalive)
m:on("offline", function() print("OFFLINE") end)
m:on("message", function(c, t, d) print("MSG " .. t) end)
local function ok(c) print("CONNECTED") end
local function failed(c, r) print("FAIL " .. r) end
if compat == "3.0" then m:connect("127.0.0.1", port, false, ok, failed)
else m:connect("127.0.0.1", port, 0, 0, ok, failed) end
LUA

# hostile MODE PROFILE [keepalive] — starts the broker and the client; sets CASE_OUT.
declare -A OUT
hostile() {
  local mode=$1 profile=$2 ka=${3:-60}
  timeout -k 2 "$(bound 60)" python3 "$HOSTILE" "$mode" >"$T/$mode.port" 2>"$T/$mode.perr" &
  track $!
  wait_line "$T/$mode.port" '^PORT' 5 || { fail "$mode" "the hostile broker did not start"; return; }
  local port; port=$(port_from "$T/$mode.port" PORT)
  timeout -k 2 "$(bound 40)" "$NETMCU" --compat="$profile" "$T/client.lua" "$port" "$profile" "$ka" \
    >"$T/$mode.out" 2>"$T/$mode.err" &
  track $!
  OUT[$mode]="$T/$mode.out"
}

# expect_lines NAME FILE REGEX SECONDS [must-not REGEX]
expect_lines() {
  local name=$1 file=$2 re=$3 secs=$4 not=${5:-}
  if ! wait_line "$file" "$re" "$secs"; then
    fail "$name" "want /$re/, got: $(tr '\n' ' ' <"$file") $(head -c 300 "${file%.out}.err")"
  elif [ -n "$not" ] && grep -qE "$not" "$file"; then
    fail "$name" "unexpected /$not/ in: $(tr '\n' ' ' <"$file")"
  else
    ok "$name"
  fi
}

# --- keepalive against a real broker: pings keep an idle session up -------------
# (mosquitto drops a client silent for 1.5 keepalives: 7.5 s here.)
broker_start alive || exit 1
ALIVE_PORT=$BROKER_PORT
cat >"$T/alive.lua" <<'LUA'
local m = mqtt.Client("alive", 5)
m:on("offline", function() print("OFFLINE") end)
m:connect("127.0.0.1", tonumber(arg[1]), 0, 0, function(c)
  print("CONNECTED")
  tmr.create():alarm(12000, tmr.ALARM_SINGLE, function()
    c:publish("alive/t", "still up", 1, 0, function(c2) print("PUBACK") c2:close() end)
  end)
end, function(c, r) print("FAIL " .. r) end)
LUA
nm_start alive -- "$ALIVE_PORT"

# --- autoreconnect before a first success: 1.5 keeps trying, 2.2 does not ------------
cat >"$T/retry.lua" <<'LUA'
local m = mqtt.Client("retry", 60)
m:connect("127.0.0.1", tonumber(arg[1]), 0, 1, function() print("CONNECTED") end,
  function(c, r) print("FAIL " .. r) end)
tmr.create():alarm(3500, tmr.ALARM_SINGLE, function() m:close() end)
LUA
RETRY_PORT=$(free_port)
cp "$T/retry.lua" "$T/retry15.lua"; cp "$T/retry.lua" "$T/retry22.lua"
nm_start retry15 -- "$RETRY_PORT"
RETRY15=$NM_PID
nm_start retry22 NETMCU_COMPAT=2.2 -- "$RETRY_PORT"
RETRY22=$NM_PID

# All hostile brokers at once: the waits overlap.
hostile garbage 3.0
hostile close 1.5
hostile silent 3.0
hostile reset-mid 3.0
hostile bad-length 1.5
hostile huge 3.0
hostile mute 3.0 5
expect_lines "garbage instead of CONNACK: CONN_FAIL_NOT_A_CONNACK_MSG (-4)" "${OUT[garbage]}" '^FAIL -4$' 5 'CONNECTED|OFFLINE'
expect_lines "closed before CONNACK: -4, no offline" "${OUT[close]}" '^FAIL -4$' 5 'CONNECTED|OFFLINE'
expect_lines "reset in the middle of a PUBLISH: offline, no message" "${OUT[reset-mid]}" '^OFFLINE$' 5 'MSG|FAIL'
expect_lines "a remaining length of 5 bytes: offline" "${OUT[bad-length]}" '^OFFLINE$' 5 'MSG|FAIL'
expect_lines "a PUBLISH announcing 256 MB, then a reset: offline" "${OUT[huge]}" '^OFFLINE$' 5 'MSG|FAIL'
expect_lines "no CONNACK: CONN_FAIL_TIMEOUT_RECEIVING (-2) after 5 s" "${OUT[silent]}" '^FAIL -2$' 8 'CONNECTED|OFFLINE'
expect_lines "a broker that stops answering (no PINGRESP, keepalive 5 s): offline" "${OUT[mute]}" '^OFFLINE$' 20 'FAIL'

expect_lines "keepalive 5 s, idle 12 s against mosquitto: still connected (pings)" "$T/alive.out" '^PUBACK$' 10 'OFFLINE|FAIL'

wait_exit "$RETRY15" 10; wait_exit "$RETRY22" 10
n15=$(grep -c '^FAIL -5$' "$T/retry15.out"); n22=$(grep -c '^FAIL -5$' "$T/retry22.out")
if [ "$n15" -ge 3 ]; then ok "1.5 autoreconnect: a refused first connect is retried every second ($n15 failures in 3.5 s)"
else fail "1.5 autoreconnect retries a refused first connect" "$n15 failures: $(cat "$T/retry15.err")"; fi
if [ "$n22" = 1 ]; then ok "2.2 autoreconnect: no retry before a first success (one failure)"
else fail "2.2 autoreconnect: no retry before a first success" "$n22 failures: $(cat "$T/retry22.err")"; fi

# --- a failed lookup ---------------------------------------------------------
cat >"$T/dns.lua" <<'LUA'
local m = mqtt.Client("dns", 60)
m:connect("bad name..", 1883, 0, 0, function() print("CONNECTED") end, function(c, r) print("FAIL " .. r) end)
LUA
nm_start dns
expect_lines "a name that cannot be looked up: CONN_FAIL_DNS (-3)" "$T/dns.out" '^FAIL -3$' 10

# --- the will, when the client dies ---------------------------------------------
broker_start main || exit 1
cat >"$T/will.lua" <<'LUA'
local m = mqtt.Client("will", 60)
m:lwt("will/t", "gone", 1, 0)
m:connect("127.0.0.1", tonumber(arg[1]), 0, 0, function() print("CONNECTED") end,
  function(c, r) print("FAIL " .. r) end)
LUA
sub_start will -t will/t -C 1
nm_start will -- "$BROKER_PORT"
if wait_line "$T/will.out" '^CONNECTED' 5; then
  pkill -KILL -P "$NM_PID" # netmcu itself, the child of timeout(1)
  expect_lines "the client killed: the broker publishes its will" "$T/will.sub" '^will/t gone$' 5
else
  fail "the client killed: the broker publishes its will" "no connection: $(cat "$T/will.out" "$T/will.err")"
fi

# --- the broker restarted mid-session: offline in both eras, 1.5's autoreconnect -------
cat >"$T/restart.lua" <<'LUA'
local port, compat = tonumber(arg[1]), arg[2]
local m = mqtt.Client("restart" .. compat, 60)
local n = 0
m:on("offline", function() print("OFFLINE") end)
local function up(c)
  n = n + 1
  print("CONNECTED " .. n)
  if n == 2 then c:publish("restart/t", "back", 1, 0) end
end
if compat == "3.0" then m:connect("127.0.0.1", port, false, up)
else m:connect("127.0.0.1", port, 0, 1, up) end
LUA
cp "$T/restart.lua" "$T/restart30.lua"; cp "$T/restart.lua" "$T/restart15.lua"; cp "$T/restart.lua" "$T/restart22.lua"
nm_start restart15 -- "$BROKER_PORT" 1.5
nm_start restart22 NETMCU_COMPAT=2.2 -- "$BROKER_PORT" 2.2
nm_start restart30 NETMCU_COMPAT=3.0 -- "$BROKER_PORT" 3.0
if wait_line "$T/restart15.out" '^CONNECTED 1' 5 && wait_line "$T/restart22.out" '^CONNECTED 1' 5 &&
   wait_line "$T/restart30.out" '^CONNECTED 1' 5; then
  broker_stop
  expect_lines "broker stopped: 1.5 offline" "$T/restart15.out" '^OFFLINE$' 5
  expect_lines "broker stopped: 2.2 offline" "$T/restart22.out" '^OFFLINE$' 5
  expect_lines "broker stopped: 3.0 offline" "$T/restart30.out" '^OFFLINE$' 5
  sleep 1.5
  broker_restart || fail "broker restart" "mosquitto did not come back"
  sub_start back -t restart/t -C 1
  expect_lines "broker back: 1.5 autoreconnect connects again and publishes" "$T/back.sub" '^restart/t back$' 10
  expect_lines "broker back: 2.2 autoreconnect (after a first success) connects again" "$T/restart22.out" '^CONNECTED 2$' 10
  sleep 1.5
  if grep -q '^CONNECTED 2' "$T/restart30.out"; then
    fail "broker back: 3.0 leaves the reconnect to the script" "it reconnected"
  else
    ok "broker back: 3.0 leaves the reconnect to the script"
  fi
else
  fail "broker restart" "no first connection: $(cat "$T/restart15.err" "$T/restart22.err" "$T/restart30.err")"
fi
sanitizer_clean
finish
