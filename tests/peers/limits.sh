#!/usr/bin/env bash
# Running out of file descriptors: accept() fails with EMFILE. The script gets
# no event for connections it never saw, and the server keeps serving once
# descriptors are free again.
. "$(dirname "$0")/lib/common.sh"
need python3 curl

cat >"$T/fdserver.lua" <<LUA
$PRELUDE
local sv = net.createServer(net.TCP, 30)
sv:listen(0, "127.0.0.1", function(c)
  c:on("receive", function(s, d)
    if d:find("GET", 1, true) then
      s:send("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", function(x) x:close() end)
    end
  end)
end)
print("PORT " .. sv:getaddr())
LUA

# A low descriptor limit for netmcu alone: about 20 connections fit.
( ulimit -n 32; exec timeout -k 2 "$(bound 40)" "$NETMCU" "$T/fdserver.lua" ) \
  >"$T/fdserver.out" 2>"$T/fdserver.err" &
NM_PID=$!
track "$NM_PID"
if ! wait_line "$T/fdserver.out" '^PORT [0-9]+' 10; then
  fail "limits: server starts" "no port"; describe fdserver; finish
fi
PORT=$(port_from "$T/fdserver.out" PORT)

# Open 60 connections at once. libuv accepts what fits and closes the rest at
# once (its reserved-descriptor trick), so the script never sees those; the
# connections it did accept keep working.
timeout "$(bound 20)" python3 - "$PORT" >"$T/hold.out" 2>&1 <<'PY'
import socket, sys, time
port = int(sys.argv[1])
socks = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(60)]
time.sleep(0.5)
closed, open_ = 0, []
for s in socks:
    s.settimeout(0.2)
    try:
        closed += s.recv(1) == b""
    except socket.timeout:
        open_.append(s)
    except ConnectionError:
        closed += 1
answers = 0
for s in open_[:5]:
    s.settimeout(5)
    s.sendall(b"GET / HTTP/1.0\r\n\r\n")
    answers += s.recv(100).endswith(b"ok")
print("CLOSED", closed, "OPEN", len(open_), "ANSWERS", answers)
for s in socks:
    s.close()
PY
sleep 0.5
read -r _ closed _ open _ answers < <(grep '^CLOSED' "$T/hold.out")
if [ "${closed:-0}" -ge 1 ] && [ "${open:-0}" -ge 10 ] && [ "${answers:-0}" = 5 ]; then
  ok "limits: connections past the descriptor limit are closed, the others served"
else
  fail "limits: connections past the descriptor limit are closed, the others served" \
    "$(cat "$T/hold.out")"; describe fdserver
fi

if kill -0 "$NM_PID" 2>/dev/null; then
  ok "limits: the server survives running out of descriptors"
else
  fail "limits: the server survives running out of descriptors" "netmcu exited"; describe fdserver
fi

got=$(timeout 10 curl -sS "http://127.0.0.1:$PORT/" 2>&1)
if [ "$got" = ok ]; then
  ok "limits: the server accepts again once descriptors are free"
else
  fail "limits: the server accepts again once descriptors are free" "curl got '$got'"; describe fdserver
fi
finish
