#!/usr/bin/env bash
# DNS against real servers on loopback addresses of this run's own
# (127.53.N.x, N from the PID, port 53, so it needs root): two dnsmasq with the
# records dns_cases.lua lists, a python3 server answering REFUSED and one that
# never answers. dns_cases.lua then runs in both profiles; a last case exits
# with lookups still in flight.
. "$(dirname "$0")/lib/common.sh"
need python3 ss
HERE=$(cd "$(dirname "$0")" && pwd)
DNSMASQ=$(command -v dnsmasq || echo /usr/sbin/dnsmasq)
if [ ! -x "$DNSMASQ" ]; then
  bail "dnsmasq is not installed (dnsmasq-base)"
fi
if [ "$(id -u)" != 0 ]; then
  skip "dns: all cases" "DNS servers on port 53 need root"; exit 0
fi

NETP=127.53.$(( $$ % 250 + 1 ))
A=$NETP.1 B=$NETP.2 REFUSER=$NETP.3 SINK=$NETP.4

dnsmasq_on() { # address, records...
  local addr=$1; shift
  timeout -k 2 "$(bound 80)" "$DNSMASQ" --keep-in-foreground --conf-file=/dev/null --no-resolv \
    --no-hosts --bind-interfaces --listen-address="$addr" --port=53 --pid-file= --user=root \
    --log-facility="$T/dnsmasq-$addr.log" --local=/test/ "$@" &
  track $!
}

dnsmasq_on "$A" --host-record=a.test,10.53.0.1 --host-record=svc.test,127.0.0.1 \
  --host-record=v6only.test,::1 --cname=alias1.test,alias2.test --cname=alias2.test,a.test \
  --host-record=zero.test,0.0.0.0 --host-record=switch.test,10.53.0.1 --address=/wild.test/10.53.0.9
dnsmasq_on "$B" --host-record=switch.test,10.53.0.2

# REFUSED for every query, or (sink) no answer at all.
cat >"$T/dnsd.py" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 53))
while True:
    q, peer = s.recvfrom(1500)
    if sys.argv[2] == "sink" or len(q) < 12:
        continue
    end = 12
    while end < len(q) and q[end] != 0:
        end += q[end] + 1
    end += 5  # the root label, QTYPE, QCLASS
    head = bytearray(q[:12])
    head[2] = 0x80 | (q[2] & 0x79)  # a response, same opcode and RD
    head[3] = 0x05                  # REFUSED
    head[6:12] = bytes(6)           # no answer, authority or additional records
    s.sendto(bytes(head) + q[12:end], peer)
EOF
timeout -k 2 "$(bound 80)" python3 "$T/dnsd.py" "$REFUSER" refused & track $!
timeout -k 2 "$(bound 80)" python3 "$T/dnsd.py" "$SINK" sink & track $!

ready=0
for _ in $(seq 100); do
  n=$(ss -lunH 2>/dev/null | grep -cE " ($A|$B|$REFUSER|$SINK):53 ")
  [ "$n" -ge 4 ] && { ready=1; break; }
  sleep 0.05
done
if [ $ready = 0 ]; then
  cat "$T"/dnsmasq-*.log 2>/dev/null | sed 's/^/#   /' | tail -n 10
  bail "the DNS servers did not start"
fi

# What c-ares reads as the system's servers: the first two nameserver lines.
SYS=($(sed -n 's/^[[:space:]]*nameserver[[:space:]]\+\([^[:space:]%]*\).*/\1/p' /etc/resolv.conf | head -n 2))
[ ${#SYS[@]} -eq 0 ] && SYS=(127.0.0.1)
HAVE_V6=0
python3 -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null && HAVE_V6=1
printf '127.0.0.1 localhost\n127.0.0.7 fromhosts.example\n::1 localhost\n' >"$T/hosts"

for profile in 1.5 3.0; do
  env NETMCU_COMPAT=$profile DNS_A=$A DNS_B=$B DNS_REFUSED=$REFUSER DNS_SINK=$SINK \
    DNS_SYS0="${SYS[0]}" DNS_SYS1="${SYS[1]:-}" HAVE_V6=$HAVE_V6 CARES_HOSTS="$T/hosts" \
    timeout -k 2 "$(bound 70)" "$NETMCU" "$HERE/dns_cases.lua" 2>&1 | tap_relay ""
  st=${PIPESTATUS[0]}
  [ "$st" -eq 0 ] || fail "dns ($profile): dns_cases.lua" "exited with status $st"
done

# Exit with lookups in flight (sockets, net.dns.resolve, both forms): the
# lookups are dropped, nothing leaks (the sanitizer build checks), exit is quick.
cat >"$T/pending.lua" <<EOF
net.dns.setdnsserver("$SINK")
for i = 1, 20 do
  local sk = net.createConnection(net.TCP, 0)
  sk:on("disconnection", function() print("event") end)
  sk:connect(80, "pending" .. i .. ".test")
  sk:dns("dns" .. i .. ".test", function() print("event") end)
  net.dns.resolve("resolve" .. i .. ".test", function() print("event") end)
end
tmr.create():alarm(200, tmr.ALARM_SINGLE, function() error("stop with lookups pending") end)
EOF
for profile in 1.5 3.0; do
  start=$(now_ms)
  env NETMCU_COMPAT=$profile timeout -k 2 "$(bound 20)" "$NETMCU" "$T/pending.lua" \
    >"$T/pending.out" 2>"$T/pending.err"
  status=$? took=$(( $(now_ms) - start ))
  if [ $status = 1 ] && grep -q 'stop with lookups pending' "$T/pending.err" &&
     ! grep -qE 'Sanitizer|runtime error' "$T/pending.err" && [ ! -s "$T/pending.out" ] &&
     [ $took -lt $(( 3000 * SLOW )) ]; then
    ok "dns ($profile): exiting with 60 lookups in flight drops them cleanly (${took} ms)"
  else
    fail "dns ($profile): exiting with 60 lookups in flight drops them cleanly" \
      "status $status after ${took} ms"; describe pending
  fi
done
# Out of Lua memory when answers arrive (the heap filled right after the
# calls): an ordinary error, exit status 1, never an abort.
. "$(dirname "$0")/lib/fill.sh"
cat >"$T/oom.lua" <<EOF
$FILL
local sk = net.createConnection(net.TCP, 0)
sk:dns("10.0.0.1", function() hog() end)
net.dns.resolve("10.0.0.2", function() hog() end)
fill()
EOF
for profile in 1.5 3.0; do
  env NETMCU_COMPAT=$profile NETMCU_HEAP=2m timeout -k 2 "$(bound 20)" "$NETMCU" "$T/oom.lua" \
    >"$T/oom.out" 2>"$T/oom.err"
  status=$?
  if grep -q '^SKIP' "$T/oom.out"; then
    skip "dns ($profile): out of Lua memory in a DNS answer" "$(grep '^SKIP' "$T/oom.out")"
  elif [ $status = 1 ] && grep -q 'not enough memory' "$T/oom.err" &&
       ! grep -qE 'Sanitizer|runtime error|PANIC' "$T/oom.err"; then
    ok "dns ($profile): out of Lua memory in a DNS answer is an ordinary error"
  else
    fail "dns ($profile): out of Lua memory in a DNS answer is an ordinary error" "status $status"
    describe oom
  fi
done
finish
