#!/usr/bin/env bash
# The server inactivity timeout: an idle nc is disconnected near the deadline
# (disconnection -3), while a client that sends a byte every 300 ms for three
# times the timeout stays connected. Both run at once against one server.
. "$(dirname "$0")/lib/common.sh"
need nc python3

TIMEOUT_S=1
cat >"$T/idle.lua" <<EOF
$PRELUDE
local sv = net.createServer(net.TCP, $TIMEOUT_S)
local n = 0
sv:listen(0, "127.0.0.1", function(c)
  n = n + 1
  local id = n
  print("ACCEPT " .. id)
  c:on("receive", function(c, d)
    if d:find("^active") then id = "active" end
    c:send(d)
  end)
  c:on("disconnection", function(c, err) print("DISCONNECTION " .. id .. " " .. tostring(err)) end)
end)
print("PORT " .. sv:getaddr())
EOF
if ! nm_server idle; then fail "idle: server starts" "no port"; finish; fi

# The active client: "active" then one byte every 300 ms for 3 s, each echoed.
timeout $(bound 15) python3 - "$PORT" >"$T/active.out" 2>&1 <<'EOF' &
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(5)
s.sendall(b"active")
assert s.recv(6) == b"active"
echoed = 0
end = time.monotonic() + 3.0
while time.monotonic() < end:
    time.sleep(0.3)
    s.sendall(b"x")
    d = s.recv(1)
    if d != b"x":
        print("CLOSED after", echoed, "bytes", flush=True)
        sys.exit(1)
    echoed += 1
print("ALIVE", echoed, flush=True)
s.close()
EOF
ACTIVE_PID=$!
track $ACTIVE_PID
sleep 0.2

# The idle client: connects, sends nothing (-d: ignore stdin), and ends when
# the server closes the connection.
t0=$(now_ms)
timeout $(bound 10) nc -d 127.0.0.1 "$PORT" >/dev/null 2>"$T/nc.err"
nc_status=$?
t1=$(now_ms)
elapsed=$((t1 - t0))
lo=$((TIMEOUT_S * 1000 - 200)) hi=$((TIMEOUT_S * 1000 + 1500 * SLOW))
if [ "$nc_status" = 0 ] && [ "$elapsed" -ge "$lo" ] && [ "$elapsed" -le "$hi" ]; then
  ok "idle: idle client disconnected after ${elapsed} ms (timeout ${TIMEOUT_S} s)"
else
  fail "idle: idle client disconnected near the timeout" \
    "nc status $nc_status after ${elapsed} ms, want ${lo}..${hi} ms; $(cat "$T/nc.err")"
fi
if wait_line "$T/idle.out" '^DISCONNECTION [0-9]+ -3$' 3; then
  ok "idle: the script gets disconnection(sock, -3) for the idle client"
else
  fail "idle: the script gets disconnection(sock, -3) for the idle client" "output: $(tr '\n' '|' <"$T/idle.out")"
fi

wait_exit $ACTIVE_PID 10
if [ "$EXIT_STATUS" = 0 ] && grep -qE '^ALIVE ([89]|1[0-9])$' "$T/active.out" &&
   ! grep -q '^DISCONNECTION active -3' "$T/idle.out" &&
   wait_line "$T/idle.out" '^DISCONNECTION active 0$' 3; then
  ok "idle: a client sending every 300 ms for 3x the timeout is never disconnected"
else
  fail "idle: a client sending every 300 ms for 3x the timeout is never disconnected" \
    "client: $(tr '\n' ' ' <"$T/active.out") status $EXIT_STATUS; server: $(tr '\n' '|' <"$T/idle.out")"
fi
kill -TERM "$NM_PID" 2>/dev/null

# A slow but steady download of one 8 MiB send takes about 3x the timeout.
# The peer keeps acknowledging data, so the connection is not inactive (the
# firmware resets the inactivity counter whenever sent data is acknowledged).
cat >"$T/download.lua" <<EOF
$PRELUDE
local sv = net.createServer(net.TCP, $TIMEOUT_S)
sv:listen(0, "127.0.0.1", function(c)
  c:send(string.rep("d", 8 * 1024 * 1024), function() print("SENT") end)
  c:on("disconnection", function(c, err) print("DISCONNECTION " .. tostring(err)); sv:close() end)
end)
print("PORT " .. sv:getaddr())
EOF
if nm_server download; then
  timeout $(bound 20) python3 - "$PORT" >"$T/download.peer" 2>&1 <<'PYEOF'
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
s.connect(("127.0.0.1", int(sys.argv[1])))
n, t0, want = 0, time.monotonic(), 8 << 20
while n < want:
    d = s.recv(65536)
    if not d:
        break
    n += len(d)
    time.sleep(0.02)  # about 3 MB/s
print("GOT", n, "IN", round(time.monotonic() - t0, 1), "s", flush=True)
s.close()
sys.exit(0 if n == want else 1)
PYEOF
  st=$?
  wait_exit "$NM_PID" 10
  if [ "$st" = 0 ] && [ "$(tail -n 2 "$T/download.out" | tr '\n' '|')" = "SENT|DISCONNECTION 0|" ]; then
    ok "idle: a slow, steady 8 MiB download (one send) is not cut by the ${TIMEOUT_S} s timeout"
  else
    fail "idle: a slow, steady 8 MiB download (one send) is not cut by the ${TIMEOUT_S} s timeout" \
      "peer: $(tr '\n' ' ' <"$T/download.peer")of 8388608 bytes; server: $(tr '\n' '|' <"$T/download.out")"
  fi
else
  fail "idle: download server starts" "no port"
fi
finish
