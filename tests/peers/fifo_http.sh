#!/usr/bin/env bash
# The firmware's HTTP server pattern (lua_modules/http with fifosock) under
# hostile clients (issue 8, defect 2): responses are queued, the first piece
# leaves from a 1 ms timer, each further piece from the `sent` callback, and
# a queued function closes the socket. A client that half-closes after its
# request (nc -q) gets the whole reply; wrk -c50 and clients that vanish
# mid-response never end the server; every request after that is answered.
. "$(dirname "$0")/lib/common.sh"
need python3 nc wrk

cat >"$T/fifohttp.lua" <<'EOF'
io.stdout:setvbuf("line")
-- A send queue in the manner of fifosock.lua.
local function wrap(sock)
  local q, busy = {}, false
  local function sendnext()
    local item = table.remove(q, 1)
    while type(item) == "function" do item(); item = table.remove(q, 1) end
    if item == nil then busy = false; return end
    sock:send(item)
  end
  sock:on("sent", sendnext)
  return function(item)
    q[#q + 1] = item
    if not busy then busy = true; tmr.create():alarm(1, tmr.ALARM_SINGLE, sendnext) end
  end
end

local served = 0
local function nop() end -- on(ev, nil) unregisters only in 3.0
local sv = net.createServer(net.TCP, 15)
sv:listen(0, "127.0.0.1", function(conn)
  local csend = wrap(conn)
  conn:on("receive", function(c, d)
    if not d:find("^GET ") then return end
    c:on("receive", nop)
    local body = string.rep("0123456789abcdef", 512) -- 8 KiB, in 4 pieces
    csend("HTTP/1.1 200 OK\r\n")
    csend("Content-Length: " .. #body .. "\r\nConnection: close\r\n\r\n")
    for i = 1, #body, 2048 do csend(body:sub(i, i + 2047)) end
    csend(function()
      served = served + 1
      c:on("sent", nop)
      c:close()
    end)
  end)
  conn:on("disconnection", function(c)
    c:on("receive", nop); c:on("sent", nop); c:on("disconnection", nop)
  end)
end)
tmr.create():alarm(200, tmr.ALARM_AUTO, function() print("SERVED " .. served) end)
print("PORT " .. sv:getaddr())
EOF

for p in 1.5 3.0; do
  cp "$T/fifohttp.lua" "$T/fifohttp.$p.lua"
  if ! nm_server "fifohttp.$p" NETMCU_COMPAT=$p; then fail "fifo http $p: server starts" "no port"; continue; fi

  # A client that half-closes right after its request.
  got=$(printf 'GET / HTTP/1.1\r\n\r\n' | timeout "$(bound 5)" nc -q 2 127.0.0.1 "$PORT" | wc -c)
  if [ "$got" -eq $((8192 + 64)) ] || [ "$got" -gt 8192 ]; then
    ok "fifo http $p: nc -q (half-close after the request) gets the whole reply ($got bytes)"
  else
    fail "fifo http $p: nc -q (half-close after the request) gets the whole reply" "got $got bytes"; describe "fifohttp.$p"
  fi

  # Clients that vanish: close right after the request, or after reading a little.
  timeout "$(bound 20)" python3 - "$PORT" >"$T/vanish.$p" 2>&1 <<'PY'
import socket, sys
port = int(sys.argv[1])
for i in range(200):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(b"GET / HTTP/1.1\r\n\r\n")
    if i % 2:
        s.recv(100)
    s.close()
print("VANISHED 200", flush=True)
PY
  timeout "$(bound 15)" wrk -c50 -t2 -d3s "http://127.0.0.1:$PORT/" >"$T/wrk.$p" 2>&1
  reqs=$(sed -n 's/^ *\([0-9][0-9]*\) requests in.*/\1/p' "$T/wrk.$p")
  after=$(printf 'GET / HTTP/1.1\r\n\r\n' | timeout "$(bound 5)" nc -q 2 127.0.0.1 "$PORT" | wc -c)
  if kill -0 "$NM_PID" 2>/dev/null && [ "${reqs:-0}" -gt 100 ] && [ "$after" -gt 8192 ] &&
     grep -q '^VANISHED 200' "$T/vanish.$p" && ! grep -q 'not connected' "$T/fifohttp.$p.err"; then
    ok "fifo http $p: 200 vanishing clients and wrk -c50 ($reqs requests) leave the server serving"
  else
    fail "fifo http $p: vanishing clients and wrk -c50 leave the server serving" \
      "wrk requests ${reqs:-none}, reply after: $after bytes; $(head -c 300 "$T/wrk.$p")"
    describe "fifohttp.$p"
  fi
  kill -TERM "$NM_PID" 2>/dev/null; wait_exit "$NM_PID" 5
done
finish
