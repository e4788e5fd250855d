#!/usr/bin/env bash
# The TLS handshake is bounded (issue 17, item 9): against a server that
# accepts TCP and never answers, or answers a byte at a time, the socket ends
# within the bound with each profile's event — 1.5: disconnection(sock, -3,
# why); 2.2 and 3.0: tls.socket's reconnection(sock, "Timeout", why) — and a script
# that retries from that event retries. A connection whose handshake finished
# outlives the bound. NETMCU_TLS_TIMEOUT sets the bound (default 10 s).
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/pki.sh"
need openssl python3

# peer MODE — a real TCP server on 127.0.0.1 that accepts every client and
# then says nothing (silent) or sends a TLS record header and then one byte
# every 200 ms (trickle); prints "PORT n". Bounded to 40 s.
cat >"$T/peer.py" <<'EOF'
import socket, sys, threading, time
mode = sys.argv[1]
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(16)
print("PORT", srv.getsockname()[1], flush=True)
held = []
def trickle(c):
    try:
        c.recv(4096)  # the ClientHello
        c.send(b"\x16\x03\x03\x40\x00")  # a handshake record of 16 KiB, to come
        while True:
            time.sleep(0.2)
            c.send(b"\x02")
    except OSError:
        pass
end = time.monotonic() + 40
srv.settimeout(1)
while time.monotonic() < end:
    try:
        c, _ = srv.accept()
    except socket.timeout:
        continue
    held.append(c)
    print("ACCEPTED", len(held), flush=True)
    if mode == "trickle":
        threading.Thread(target=trickle, args=(c,), daemon=True).start()
EOF
peer() { # peer NAME MODE — sets PEER_PORT
  timeout -k 2 "$(bound 45)" python3 "$T/peer.py" "$2" >"$T/$1.peer" 2>&1 &
  track $!
  wait_line "$T/$1.peer" '^PORT [0-9]+' 5 || { fail "setup: $1 peer" "no port"; finish; }
  PEER_PORT=$(port_from "$T/$1.peer" PORT)
}
peer silent silent
SILENT=$PEER_PORT
peer trickle trickle
TRICKLE=$PEER_PORT

# timed NAME PATTERN LOW_MS HIGH_MS LABEL — NAME's output has PATTERN on a
# line "... at <ms>" with low <= ms <= high (scaled for slow builds).
timed() {
  local name=$1 pat=$2 low=$3 high=$4 label=$5 line ms
  line=$(grep -E "$pat" "$T/$name.out" | head -n 1)
  ms=${line##* at }
  if [ -n "$line" ] && [ "$ms" -ge "$low" ] 2>/dev/null && [ "$ms" -le $(( high * SLOW )) ]; then
    ok "$label ($ms ms)"
  else
    fail "$label" "want '$pat' at $low..$high ms; out: $(tr '\n' '|' <"$T/$name.out") err: $(head -c 300 "$T/$name.err")"
  fi
}

# 1.5, the default bound: disconnection(sock, -3, why) after 10 s, no connection.
cat >"$T/silent15.lua" <<EOF
io.stdout:setvbuf("line")
local t0 = tmr.now()
local s = net.createConnection(net.TCP, 1)
s:on("connection", function() print("CONNECTED") end)
s:on("disconnection", function(sock, code, why)
  print("DISCONNECTION " .. tostring(code) .. " " .. tostring(why) .. " at " .. math.floor((tmr.now() - t0) / 1000))
end)
s:connect($SILENT, "127.0.0.1")
EOF
nm_start silent15
wait_exit "$NM_PID" 20
timed silent15 '^DISCONNECTION -3 the TLS handshake did not finish within 10.0 s at' 9900 12000 \
  "1.5: a silent TLS server ends in disconnection(sock, -3) after the default 10 s"
if [ "$EXIT_STATUS" = 0 ] && ! grep -q CONNECTED "$T/silent15.out"; then
  ok "1.5: no connection event, and the run ends (status 0)"
else fail "1.5: the silent server's run ends" "status $EXIT_STATUS; $(cat "$T/silent15.out")"; fi

# 2.2 and 3.0: tls.socket's reconnection(sock, "Timeout"); the script retries from it.
cat >"$T/silent30.lua" <<EOF
io.stdout:setvbuf("line")
local t0, tries = tmr.now(), 0
local function try()
  tries = tries + 1
  local s = tls.createConnection()
  s:on("connection", function() print("CONNECTED") end)
  s:on("reconnection", function(sock, reason, why)
    print("RECONNECTION " .. tries .. " " .. tostring(reason) .. " " .. tostring(why) .. " at " .. math.floor((tmr.now() - t0) / 1000))
    if tries < 2 then try() end
  end)
  s:connect($SILENT, "127.0.0.1")
end
try()
EOF
for profile in 2.2 3.0; do
  nm_start silent30 NETMCU_COMPAT=$profile NETMCU_TLS_TIMEOUT=1.5
  wait_exit "$NM_PID" 10
  timed silent30 '^RECONNECTION 1 Timeout the TLS handshake did not finish within 1.5 s at' 1450 2500 \
    "$profile: a silent TLS server ends in reconnection(sock, 'Timeout') after NETMCU_TLS_TIMEOUT=1.5"
  timed silent30 '^RECONNECTION 2 Timeout ' 2900 5000 "$profile: a script that retries on reconnection retries, and times out again"
  [ "$EXIT_STATUS" = 0 ] && ok "$profile: the run ends (status 0)" || fail "$profile: the run ends" "status $EXIT_STATUS"
done

# A trickling server: the bound is on the whole handshake, not on silence.
for profile in 1.5 3.0; do
  cat >"$T/trickle.lua" <<EOF
io.stdout:setvbuf("line")
local t0 = tmr.now()
local s = net.createConnection(net.TCP, 1)
s:on("connection", function() print("CONNECTED") end)
local function ended(sock, code, why)
  print("ENDED " .. tostring(code) .. " " .. tostring(why) .. " at " .. math.floor((tmr.now() - t0) / 1000))
end
s:on("disconnection", ended)
if s.on and (node.info()) == 3 then s:on("reconnection", ended) end
s:connect($TRICKLE, "127.0.0.1")
EOF
  nm_start trickle NETMCU_COMPAT=$profile NETMCU_TLS_TIMEOUT=2
  wait_exit "$NM_PID" 10
  timed trickle '^ENDED -3 the TLS handshake did not finish within 2.0 s at' 1950 3000 \
    "$profile: a server that trickles its handshake a byte per 200 ms is cut at the bound"
done

# A handshake that finished is not cut when the bound passes later.
PKI=$T/pki
make_pki "$PKI" || { fail "setup" "cannot make the test certificates"; finish; }
s_server good good -www || { fail "setup" "s_server"; finish; }
cat >"$T/good.lua" <<EOF
io.stdout:setvbuf("line")
local s = net.createConnection(net.TCP, 1)
s:on("connection", function(sock)
  print("CONNECTED")
  tmr.create():alarm(1500, tmr.ALARM_SINGLE, function() sock:send("GET / HTTP/1.0\r\n\r\n") end)
end)
s:on("receive", function(sock, data) if data:find("HTTP/1.0 200", 1, true) then print("ANSWERED") end end)
s:on("disconnection", function(sock, code) print("DISCONNECTION " .. tostring(code)) end)
s:connect($SS_PORT, "127.0.0.1")
EOF
nm_start good NETMCU_TLS_TIMEOUT=0.5
wait_exit "$NM_PID" 10
if grep -q '^CONNECTED' "$T/good.out" && grep -q '^ANSWERED' "$T/good.out" &&
   grep -qE '^DISCONNECTION (nil|0)$' "$T/good.out"; then
  ok "a finished handshake outlives the bound (0.5 s): request and answer 1.5 s later"
else
  fail "a finished handshake outlives the bound" "$(tr '\n' '|' <"$T/good.out") $(head -c 300 "$T/good.err")"
fi

# A bound that is no number of seconds is refused with the default kept
# (nothing ends the handshake in the first second).
out=$(NETMCU_TLS_TIMEOUT=soon timeout 20 "$NETMCU" -e "
local s = net.createConnection(net.TCP, 1)
s:on('disconnection', function(sock, code, why) print('ENDED ' .. tostring(why)) end)
s:connect($SILENT, '127.0.0.1')
tmr.create():alarm(1000, tmr.ALARM_SINGLE, function() print('STILL WAITING'); s:close() end)" 2>&1)
if echo "$out" | grep -q 'NETMCU_TLS_TIMEOUT=soon is not a number of seconds (0.1 to 3600); using 10' &&
   echo "$out" | grep -q '^STILL WAITING' && ! echo "$out" | grep -q 'did not finish'; then
  ok "NETMCU_TLS_TIMEOUT=soon: refused with a message, the default kept"
else
  fail "NETMCU_TLS_TIMEOUT=soon" "$out"
fi
finish
