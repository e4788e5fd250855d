#!/usr/bin/env bash
# UDP sends that the kernel cannot take at once. In a network namespace of its
# own, this test slows the loopback to 20 Mbit/s with a token bucket (tbf), so
# a burst of datagrams fills the socket's send buffer and netmcu must queue the
# rest: every datagram still arrives, in order, each with one `sent`, and a
# close() with datagrams queued is safe. The same holds for a burst sent from
# inside a receive callback, where replies leave in batches and what the
# buffer cannot take waits as a copy. The namespace is removed at the end.
. "$(dirname "$0")/lib/common.sh"
need ip tc

NS=nmuq$$
CASES=("udp queue: a burst beyond the send buffer arrives whole and in order, one sent each"
  "udp queue: close() with datagrams queued is safe and ends the sents"
  "udp queue: a burst from inside receive beyond the send buffer arrives whole and in order, one sent each")
teardown() {
  ip netns del "$NS" 2>/dev/null
  cleanup
}
trap teardown EXIT

if ! ip netns add "$NS" 2>"$T/netns.err"; then
  for c in "${CASES[@]}"; do skip "$c" "cannot create network namespaces ($(head -n 1 "$T/netns.err"))"; done
  exit 0
fi
ip -n "$NS" link set lo up
if ! ip netns exec "$NS" tc qdisc add dev lo root tbf rate 20mbit burst 16kb limit 16mb 2>"$T/tc.err"; then
  for c in "${CASES[@]}"; do skip "$c" "no tbf qdisc ($(head -n 1 "$T/tc.err"))"; done
  exit 0
fi

cat >"$T/queue.lua" <<EOF
$PRELUDE
local N, SIZE = 600, 1400 -- 840 KB: four times the default send buffer
local bound = tmr.create()
local rx = net.createUDPSocket()
rx:listen(0, "127.0.0.1")
local port = rx:getaddr()
local got, bad = 0, 0
rx:on("receive", function(s, data)
  got = got + 1
  if tonumber(data:sub(1, 6)) ~= got or #data ~= SIZE then bad = bad + 1 end
  if got == N then print("RECEIVED " .. got .. " BAD " .. bad) end
end)
local tx = net.createUDPSocket()
local sents, inside = 0, false
tx:on("sent", function(s)
  if inside then print("SENT INSIDE SEND") end
  sents = sents + 1
  if sents == N then print("SENTS " .. sents) end
end)
for i = 1, N do
  inside = true
  tx:send(port, "127.0.0.1", string.format("%06d", i) .. string.rep("q", SIZE - 6))
  inside = false
end
collectgarbage() -- queued datagrams keep their strings alive themselves

-- Second phase: a burst, then close at once; no sent may follow the close.
local function phase2()
  local tx2 = net.createUDPSocket()
  local closed, after = false, 0
  tx2:on("sent", function() if closed then after = after + 1 end end)
  for i = 1, N do tx2:send(port, "127.0.0.1", string.rep("c", SIZE)) end
  tx2:close()
  closed = true
  collectgarbage()
  tmr.create():alarm(1500, tmr.ALARM_SINGLE, function()
    print("AFTER_CLOSE " .. after)
    bound:unregister()
    rx:close()
    tx:close()
  end)
end
local t = tmr.create()
t:alarm(50, tmr.ALARM_AUTO, function()
  if got >= N and sents >= N then t:unregister(); phase2() end
end)
bound:alarm(15000, tmr.ALARM_SINGLE, function() print("TIMEOUT got " .. got .. " sents " .. sents); os.exit(1) end)
EOF

cat >"$T/replies.lua" <<EOF
$PRELUDE
local N, SIZE = 600, 1400
local rx = net.createUDPSocket()
rx:listen(0, "127.0.0.1")
local got, bad = 0, 0
local srv = net.createUDPSocket()
srv:listen(0, "127.0.0.1")
local sents, inside = 0, false
rx:on("receive", function(s, data)
  got = got + 1
  if tonumber(data:sub(1, 6)) ~= got or #data ~= SIZE then bad = bad + 1 end
  if got == N then print("RECEIVED " .. got .. " BAD " .. bad) end
end)
srv:on("sent", function()
  if inside then print("SENT INSIDE SEND") end
  sents = sents + 1
  if sents == N then print("SENTS " .. sents) end
end)
srv:on("receive", function(s, data, from_port, from_ip) -- answers rx, which asked
  inside = true
  for i = 1, N do s:send(from_port, from_ip, string.format("%06d", i) .. string.rep("r", SIZE - 6)) end
  inside = false
  collectgarbage()
end)
rx:send(srv:getaddr(), "127.0.0.1", "go")
local bound = tmr.create()
local t = tmr.create()
t:alarm(50, tmr.ALARM_AUTO, function()
  if got >= N and sents >= N then t:unregister() bound:unregister() rx:close() srv:close() end
end)
bound:alarm(15000, tmr.ALARM_SINGLE, function() print("TIMEOUT got " .. got .. " sents " .. sents); os.exit(1) end)
EOF
ip netns exec "$NS" timeout "$(bound 40)" "$NETMCU" "$T/replies.lua" >"$T/replies.out" 2>"$T/replies.err" &
NM_PID=$!
track "$NM_PID"
wait_exit "$NM_PID" 30
if grep -q '^RECEIVED 600 BAD 0$' "$T/replies.out" && grep -q '^SENTS 600$' "$T/replies.out" &&
   ! grep -q INSIDE "$T/replies.out" && [ "$EXIT_STATUS" = 0 ] && [ ! -s "$T/replies.err" ]; then
  ok "${CASES[2]}"
else
  fail "${CASES[2]}" "status $EXIT_STATUS"; describe replies
fi

ip netns exec "$NS" timeout "$(bound 40)" "$NETMCU" "$T/queue.lua" >"$T/queue.out" 2>"$T/queue.err" &
NM_PID=$!
track "$NM_PID"
wait_exit "$NM_PID" 30
if grep -q '^RECEIVED 600 BAD 0$' "$T/queue.out" && grep -q '^SENTS 600$' "$T/queue.out" &&
   ! grep -q 'INSIDE' "$T/queue.out"; then
  ok "${CASES[0]}"
else
  fail "${CASES[0]}" "status $EXIT_STATUS"; describe queue
fi
if grep -q '^AFTER_CLOSE 0$' "$T/queue.out" && [ "$EXIT_STATUS" = 0 ] && [ ! -s "$T/queue.err" ]; then
  ok "${CASES[1]}"
else
  fail "${CASES[1]}" "status $EXIT_STATUS"; describe queue
fi
finish
