#!/usr/bin/env bash
# Multicast and broadcast across two network namespaces joined by a veth pair,
# which this test creates and removes itself. A python3 sender in namespace A
# sends to an IPv4 group, an IPv6 group and the broadcast address; netmcu runs
# in namespace B with several sockets on the group port: both receive after
# multicastJoin, a socket made after the join receives, multicastLeave stops
# delivery, a join on one interface address works, IPv6 groups work, and a
# broadcast from netmcu reaches A.
. "$(dirname "$0")/lib/common.sh"
need python3 ip

P=nmu$$
NSA=${P}a NSB=${P}b
VA=${P}x VB=${P}y
CASES=("multicast: both sockets on the group port receive after multicastJoin"
  "multicast: a socket made after the join receives"
  "multicast: multicastLeave stops delivery"
  "multicast: a join on one interface's address receives"
  "multicast: an IPv6 group is joined and received"
  "broadcast: 255.255.255.255 and the subnet broadcast reach a bound socket"
  "broadcast: netmcu sends to 255.255.255.255"
  "multicast: IPv4 groups reach dual-stack IPv6 sockets on ::, made before and after the join")

teardown() {
  ip netns del "$NSA" 2>/dev/null
  ip netns del "$NSB" 2>/dev/null
  ip link del "$VA" 2>/dev/null
  cleanup
}
trap teardown EXIT

if ! ip netns add "$NSA" 2>"$T/netns.err"; then
  for c in "${CASES[@]}"; do skip "$c" "cannot create network namespaces ($(head -n 1 "$T/netns.err"))"; done
  exit 0
fi
ip netns add "$NSB"
ip link add "$VA" type veth peer name "$VB"
ip link set "$VA" netns "$NSA"
ip link set "$VB" netns "$NSB"
# no duplicate address detection: the IPv6 addresses are usable at once
ip netns exec "$NSA" sysctl -qw "net.ipv6.conf.$VA.accept_dad=0"
ip netns exec "$NSB" sysctl -qw "net.ipv6.conf.$VB.accept_dad=0"
ip -n "$NSA" addr add 10.77.0.1/24 dev "$VA"
ip -n "$NSB" addr add 10.77.0.2/24 dev "$VB"
ip -n "$NSA" -6 addr add fd77::1/64 dev "$VA" nodad
ip -n "$NSB" -6 addr add fd77::2/64 dev "$VB" nodad
for ns in "$NSA" "$NSB"; do ip -n "$ns" link set lo up; done
ip -n "$NSA" link set "$VA" up
ip -n "$NSB" link set "$VB" up
# The limited broadcast leaves by the default route, as on a board with one interface.
ip -n "$NSA" route add default dev "$VA"
ip -n "$NSB" route add default dev "$VB"

GROUP=239.77.1.2 GROUP6=ff15::77:1 PORT=40001 BPORT=40002 PORT6=40003 BACK=40004

# The sender in A: every 30 ms one datagram to each destination; it also
# prints every broadcast that reaches it on BACK.
cat >"$T/sender.py" <<EOF
import socket, select, time, sys
ifindex = socket.if_nametoindex("$VA")
m = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
m.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton("10.77.0.1"))
b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
b.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
v6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
v6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, ifindex)
back = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
back.bind(("0.0.0.0", $BACK))
print("READY", flush=True)
n = 0
end = time.time() + float(sys.argv[1])
while time.time() < end:
    n += 1
    for sock, data, to in ((m, b"m%d" % n, ("$GROUP", $PORT)),
                           (b, b"b%d" % n, ("255.255.255.255", $BPORT) if n % 2 else ("10.77.0.255", $BPORT)),
                           (v6, b"v%d" % n, ("$GROUP6", $PORT6, 0, ifindex))):
        try:
            sock.sendto(data, to)
        except OSError as e:
            print("SEND %r: %s" % (to, e), flush=True)
    if select.select([back], [], [], 0.03)[0]:
        data, frm = back.recvfrom(100)
        print("BACK %s FROM %s" % (data.decode(), frm[0]), flush=True)
EOF

# netmcu in B: one phase after the other, each bounded, one line per result.
cat >"$T/mc.lua" <<EOF
$PRELUDE
local G, PORT = "$GROUP", $PORT
local counts = {}
local function counter(name)
  counts[name] = 0
  return function(s, data, port, ip)
    if data:sub(1, 1) == "m" and ip == "10.77.0.1" then counts[name] = counts[name] + 1 end
  end
end
local s1 = net.createServer(net.UDP)            -- the seed form
s1:on("receive", counter("s1"))
s1:listen(PORT)
local s2 = net.createUDPSocket()                -- the 3.0 form
s2:on("receive", counter("s2"))
s2:listen(PORT)
-- dual-stack IPv6 sockets hear IPv4 groups too (as ::ffff:10.77.0.1)
local function dual_counter(name)
  counts[name] = 0
  return function(s, data, port, ip)
    if data:sub(1, 1) == "m" and ip:match("10%.77%.0%.1$") then counts[name] = counts[name] + 1 end
  end
end
local s7 = net.createUDPSocket()
s7:on("receive", dual_counter("s7"))
s7:listen(PORT, "::")
local s3, s4, s6, s8, bc
local phases
local function wait_for(cond, ms, name, after)
  local t0, t = tmr.now(), tmr.create()
  t:alarm(20, tmr.ALARM_AUTO, function()
    if cond() then
      t:unregister(); print(name .. " ok"); after()
    elseif tmr.now() - t0 > ms * 1000 then
      t:unregister(); print(name .. " timeout " .. tostring(counts.s1) .. " " .. tostring(counts.s2) ..
        " " .. tostring(counts.s3)); after()
    end
  end)
end
local function later(ms, fn) tmr.create():alarm(ms, tmr.ALARM_SINGLE, fn) end

phases = {
  function(next)
    net.multicastJoin("any", G)
    wait_for(function() return counts.s1 >= 3 and counts.s2 >= 3 end, 5000, "JOINED", next)
  end,
  function(next)
    s3 = net.createUDPSocket()
    s3:on("receive", counter("s3"))
    s3:listen(PORT)
    wait_for(function() return counts.s3 >= 3 end, 5000, "LATE", next)
  end,
  function(next)
    net.multicastLeave("any", G)
    later(200, function()
      counts.s1, counts.s2, counts.s3 = 0, 0, 0
      later(600, function()
        print("AFTER_LEAVE " .. counts.s1 .. " " .. counts.s2 .. " " .. counts.s3)
        next()
      end)
    end)
  end,
  function(next)
    net.multicastJoin("10.77.0.2", G)
    wait_for(function() return counts.s1 >= 3 and counts.s2 >= 3 and counts.s3 >= 3 end, 5000, "IFJOIN", next)
  end,
  function(next)
    s8 = net.createUDPSocket()
    s8:on("receive", dual_counter("s8"))
    s8:listen(PORT, "::")
    counts.s7 = 0
    wait_for(function() return counts.s7 >= 3 and counts.s8 >= 3 end, 5000, "DUAL", next)
  end,
  function(next)
    local n6 = 0
    s6 = net.createUDPSocket()
    s6:on("receive", function(s, data) if data:sub(1, 1) == "v" then n6 = n6 + 1 end end)
    s6:listen($PORT6, "::")
    net.multicastJoin("any", "$GROUP6")
    wait_for(function() return n6 >= 3 end, 5000, "V6", next)
  end,
  function(next)
    local seen = {}
    bc = net.createUDPSocket()
    bc:on("receive", function(s, data) seen[data:sub(1, 1) .. (tonumber(data:sub(2)) % 2)] = true end)
    bc:listen($BPORT)
    wait_for(function() return seen.b1 and seen.b0 end, 5000, "BCAST", next)
  end,
  function(next)
    local t = tmr.create()
    t:alarm(50, tmr.ALARM_AUTO, function() bc:send($BACK, "255.255.255.255", "from-netmcu") end)
    later(1500, function() t:unregister(); next() end)
  end,
}
local i = 0
local function run_next()
  i = i + 1
  if phases[i] then phases[i](run_next) else
    for _, s in ipairs({s1, s2, s3, s6, s7, s8, bc}) do s:close() end
    print("DONE")
  end
end
run_next()
EOF

ip netns exec "$NSA" timeout "$(bound 40)" python3 "$T/sender.py" "$(bound 30)" >"$T/sender.out" 2>&1 &
track $!
if ! wait_line "$T/sender.out" '^READY' 5; then
  for c in "${CASES[@]}"; do fail "$c" "the sender did not start: $(head -n 3 "$T/sender.out")"; done
  exit 1
fi
ip netns exec "$NSB" timeout "$(bound 40)" "$NETMCU" "$T/mc.lua" >"$T/mc.out" 2>"$T/mc.err" &
NM_PID=$!
track "$NM_PID"
wait_exit "$NM_PID" 35

check() { # case-index line-regex
  if grep -qE "$2" "$T/mc.out"; then ok "${CASES[$1]}"; else fail "${CASES[$1]}" "no line /$2/"; describe mc; fi
}
check 0 '^JOINED ok$'
check 1 '^LATE ok$'
check 2 '^AFTER_LEAVE 0 0 0$'
check 3 '^IFJOIN ok$'
check 4 '^V6 ok$'
check 5 '^BCAST ok$'
check 7 '^DUAL ok$'
if grep -q '^BACK from-netmcu FROM 10.77.0.2$' "$T/sender.out"; then ok "${CASES[6]}"; else
  fail "${CASES[6]}" "the sender saw no broadcast from netmcu"; sed 's/^/# sender: /' "$T/sender.out" | tail -n 5
fi
if [ "$EXIT_STATUS" != 0 ] || ! grep -q '^DONE$' "$T/mc.out"; then
  fail "multicast: the script ends by itself once every socket is closed" "status $EXIT_STATUS"; describe mc
else
  ok "multicast: the script ends by itself once every socket is closed"
fi
finish
