#!/usr/bin/env bash
# UDP and names: udpsocket:dns() and connect() by name, answered from a hosts
# file of the test's own (CARES_HOSTS). Run in a network namespace with only
# the loopback, where a name that is not in the file fails at once (no DNS
# server is reachable) instead of waiting for the system's servers.
. "$(dirname "$0")/lib/common.sh"
need ip python3

NS=nmud$$
CASES=("udp dns: dns() answers a name from the loop, for both forms"
  "udp dns: connect() by name sends to the address the name has"
  "udp dns: a name that does not resolve gives dns(nil) and a message, never a raise")
teardown() { ip netns del "$NS" 2>/dev/null; cleanup; }
trap teardown EXIT
if ! ip netns add "$NS" 2>"$T/netns.err"; then
  for c in "${CASES[@]}"; do skip "$c" "cannot create network namespaces ($(head -n 1 "$T/netns.err"))"; done
  exit 0
fi
ip -n "$NS" link set lo up
printf '127.0.0.1 localhost\n127.0.0.9 udp-peer.test\n' >"$T/hosts"

cat >"$T/names.lua" <<EOF
$PRELUDE
local rx = net.createUDPSocket()
rx:listen(0, "127.0.0.9")
local port = rx:getaddr()
local pending = 3
local function one_done() pending = pending - 1; if pending == 0 then rx:close() end end
rx:on("receive", function(s, data, p, ip) print("RECEIVED " .. data); one_done() end)

local inside = true
net.createUDPSocket():dns("udp-peer.test", function(s, ip)
  print("DNS30 " .. tostring(ip) .. (inside and " INSIDE" or "")); one_done()
end)
net.createConnection(net.UDP, 0):dns("udp-peer.test", function(s, ip)
  print("DNS15 " .. tostring(ip)); one_done()
end)
inside = false

local c = net.createConnection(net.UDP, 0)
c:connect(port, "udp-peer.test")
local t = tmr.create()
t:alarm(20, tmr.ALARM_AUTO, function()
  if c:getpeer() then
    t:unregister()
    local a, b = c:getpeer() -- 1.5: ip, port; 3.0: port, ip
    print("PEER " .. tostring(a) .. " " .. tostring(b))
    c:send("by name", function(s) s:close() end)
  end
end)

local bad = net.createConnection(net.UDP, 0)
bad:dns("not-in-hosts.test", function(s, ip) print("BADDNS " .. tostring(ip)) end)
bad:connect(9, "also-not-in-hosts.test")
EOF

for profile in 1.5 3.0; do
  ip netns exec "$NS" env NETMCU_COMPAT=$profile CARES_HOSTS="$T/hosts" timeout "$(bound 30)" \
    "$NETMCU" "$T/names.lua" >"$T/names.out" 2>"$T/names.err"
  status=$?
  if grep -q '^DNS30 127.0.0.9$' "$T/names.out" && grep -q '^DNS15 127.0.0.9$' "$T/names.out"; then
    ok "${CASES[0]} ($profile)"
  else fail "${CASES[0]} ($profile)" "status $status"; describe names; fi
  if grep -qE '^PEER (127.0.0.9 [0-9]+|[0-9]+ 127.0.0.9)$' "$T/names.out" && grep -q '^RECEIVED by name$' "$T/names.out"; then
    ok "${CASES[1]} ($profile)"
  else fail "${CASES[1]} ($profile)" "status $status"; describe names; fi
  if grep -q '^BADDNS nil$' "$T/names.out" && grep -q 'connect: the name did not resolve' "$T/names.err" &&
     [ "$status" = 0 ]; then
    ok "${CASES[2]} ($profile)"
  else fail "${CASES[2]} ($profile)" "status $status"; describe names; fi
done
finish
