#!/usr/bin/env bash
# 10,000 QoS 1 messages in a burst each way through a real mosquitto: none
# lost, none reordered, one puback per publish (mosquitto_sub and
# mosquitto_pub as the other side).
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/mqtt.sh"
N=10000
broker_start burst "max_queued_messages 20000" || exit 1

# netmcu publishes N messages at once from its connect callback.
cat >"$T/pub.lua" <<'LUA'
local port, n = tonumber(arg[1]), tonumber(arg[2])
local m = mqtt.Client("burst-pub", 60)
local acks = 0
m:connect("127.0.0.1", port, 0, 0, function(c)
  for i = 1, n do
    if not c:publish("burst/out", tostring(i), 1, 0, function(c2)
      acks = acks + 1
      if acks == n then print("PUBACKS " .. acks) c2:close() end
    end) then print("PUBLISH FAILED " .. i) end
  end
  print("QUEUED")
end, function(c, r) print("FAIL " .. r) end)
LUA
sub_start out -t burst/out -q 1 -C "$N"
nm_start pub -- "$BROKER_PORT" "$N"
if wait_line "$T/pub.out" "^PUBACKS $N\$" 30 && wait_exit "$SUB_PID" 10; then
  if seq 1 "$N" | sed 's|^|burst/out |' | cmp -s - "$T/out.sub"; then
    ok "netmcu publishes $N QoS 1 messages: all $N pubacks, received complete and in order"
  else
    fail "netmcu publishes $N QoS 1 messages" "the subscriber got $(wc -l <"$T/out.sub") lines, not 1..$N in order"
  fi
else
  fail "netmcu publishes $N QoS 1 messages" "$(tail -n 3 "$T/pub.out") $(head -c 300 "$T/pub.err"); sub has $(wc -l <"$T/out.sub")"
fi

# netmcu receives N messages that mosquitto_pub sends as fast as it can.
cat >"$T/sub.lua" <<'LUA'
local port, n = tonumber(arg[1]), tonumber(arg[2])
local m = mqtt.Client("burst-sub", 60)
local got, bad = 0, nil
m:on("message", function(c, t, d)
  got = got + 1
  if not bad and tonumber(d) ~= got then bad = "message " .. got .. " was " .. tostring(d) end
  if got == n then print("RECEIVED " .. got .. " " .. (bad or "in order")) c:close() end
end)
m:connect("127.0.0.1", port, 0, 0, function(c)
  c:subscribe("burst/in", 1, function() print("SUBSCRIBED") end)
end, function(c, r) print("FAIL " .. r) end)
LUA
nm_start sub -- "$BROKER_PORT" "$N"
if wait_line "$T/sub.out" '^SUBSCRIBED' 5; then
  seq 1 "$N" | pub -t burst/in -q 1 -l
  if wait_line "$T/sub.out" "^RECEIVED $N in order\$" 30; then
    ok "netmcu receives $N QoS 1 messages: complete and in order"
  else
    fail "netmcu receives $N QoS 1 messages" "$(tail -n 2 "$T/sub.out") $(head -c 300 "$T/sub.err")"
  fi
else
  fail "netmcu receives $N QoS 1 messages" "not subscribed: $(cat "$T/sub.out" "$T/sub.err")"
fi
sanitizer_clean
finish
