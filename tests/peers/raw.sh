#!/usr/bin/env bash
# Raw TCP peers: socat as client of a netmcu echo server (half-close), socat
# as server for a netmcu client, a refused connect (1.5 and 3.0 events), and
# peers that reset the connection.
. "$(dirname "$0")/lib/common.sh"
need socat python3 sha256sum

# --- netmcu echo server, socat client -----------------------------------
cat >"$T/echo.lua" <<EOF
$PRELUDE
local sv = net.createServer(net.TCP, 30)
sv:listen(0, "127.0.0.1", function(c)
  local n = 0
  c:on("receive", function(c, d) n = n + #d; c:send(d) end)
  c:on("disconnection", function(c, err) print("DISCONNECTION " .. tostring(err) .. " after " .. n) end)
end)
print("PORT " .. sv:getaddr())
EOF
if nm_server echo; then
  printf 'hello netmcu\n' >"$T/small.in"
  timeout $(bound 10) socat -t 5 - "TCP:127.0.0.1:$PORT" <"$T/small.in" >"$T/small.echo" 2>"$T/small.err"
  st=$?
  if [ "$st" -eq 0 ] && cmp -s "$T/small.in" "$T/small.echo"; then
    ok "raw: socat client gets its line echoed"
  else
    fail "raw: socat client gets its line echoed" "socat status $st, got '$(cat "$T/small.echo")' $(cat "$T/small.err")"
  fi
  # socat half-closes after its input; netmcu sees an orderly close (0).
  if wait_line "$T/echo.out" '^DISCONNECTION 0 after 13$' 5; then
    ok "raw: client half-close gives disconnection(sock, 0)"
  else
    fail "raw: client half-close gives disconnection(sock, 0)" "output: $(tr '\n' '|' <"$T/echo.out")"
  fi
  # A larger echo: data sent after the half-close still arrives in full.
  head -c 300000 /dev/urandom >"$T/big.in"
  timeout $(bound 10) socat -t 5 - "TCP:127.0.0.1:$PORT" <"$T/big.in" >"$T/big.echo" 2>"$T/big.err"
  st=$?
  if [ "$st" -eq 0 ] && cmp -s "$T/big.in" "$T/big.echo" && wait_line "$T/echo.out" '^DISCONNECTION 0 after 300000$' 5; then
    ok "raw: 300 kB echoed intact through a half-closed connection"
  else
    fail "raw: 300 kB echoed intact through a half-closed connection" \
      "socat status $st, echoed $(stat -c %s "$T/big.echo") bytes; $(tr '\n' '|' <"$T/echo.out")"
  fi
  # The client resets instead of closing: disconnection with -9.
  timeout $(bound 10) python3 - "$PORT" <<'EOF'
import socket, struct, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"x" * 10)
assert s.recv(10)
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()
EOF
  if wait_line "$T/echo.out" '^DISCONNECTION -9 after 10$' 5; then
    ok "raw: client reset gives disconnection(sock, -9) on the accepted socket"
  else
    fail "raw: client reset gives disconnection(sock, -9) on the accepted socket" \
      "output: $(tr '\n' '|' <"$T/echo.out")"
  fi
  kill -0 "$NM_PID" 2>/dev/null || { fail "raw: echo server survives the reset" "it exited"; describe echo; }
  kill -TERM "$NM_PID" 2>/dev/null
else
  fail "raw: echo server starts" "no port"
fi

# --- the peer resets while netmcu is still writing ---------------------------
cat >"$T/flood.lua" <<EOF
$PRELUDE
local sv = net.createServer(net.TCP, 30)
sv:listen(0, "127.0.0.1", function(c)
  local big = string.rep("y", 65536)
  c:on("sent", function(c) c:send(big) end)
  for i = 1, 64 do c:send(big) end
  c:on("disconnection", function(c, err) print("DISCONNECTION " .. tostring(err)); sv:close() end)
end)
print("PORT " .. sv:getaddr())
EOF
if nm_server flood; then
  timeout $(bound 10) python3 - "$PORT" <<'PYEOF'
import socket, struct, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.recv(100000)
time.sleep(0.2)
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()
PYEOF
  wait_exit "$NM_PID" 10
  if [ "$EXIT_STATUS" = 0 ] && [ "$(tail -n 1 "$T/flood.out")" = "DISCONNECTION -9" ]; then
    ok "raw: peer resets while netmcu is writing -> disconnection(sock, -9)"
  else
    fail "raw: peer resets while netmcu is writing -> disconnection(sock, -9)" \
      "exit $EXIT_STATUS, output '$(tr '\n' '|' <"$T/flood.out")'"; describe flood
  fi
else
  fail "raw: flood server starts" "no port"
fi

# --- socat server, netmcu client ------------------------------------------
# socat stores 12 bytes, answers "bye", then closes the connection.
cat >"$T/client.lua" <<EOF
$PRELUDE
local port = tonumber(arg[1])
local s = net.createConnection(net.TCP, 0)
s:on("connection", function(s) print("CONNECTION"); s:send("hello socat\n") end)
s:on("receive", function(s, d) io.write("RECEIVE ", d) end)
s:on("sent", function(s) print("SENT") end)
s:on("disconnection", function(s, err) print("DISCONNECTION " .. tostring(err)) end)
s:connect(port, "127.0.0.1")
EOF
if socat_listen rawsrv "TCP-LISTEN:0,bind=127.0.0.1" "SYSTEM:head -c 12 >'$T/socat.got'; echo bye"; then
  nm_start client -- "$SOCAT_PORT"
  wait_exit "$NM_PID" 10
  expected=$'CONNECTION\nSENT\nRECEIVE bye\nDISCONNECTION 0'
  if [ "$(printf 'hello socat\n')" = "$(cat "$T/socat.got" 2>/dev/null)" ]; then
    ok "raw: netmcu client's data reaches the socat server"
  else
    fail "raw: netmcu client's data reaches the socat server" "socat stored '$(cat "$T/socat.got" 2>/dev/null)'"
  fi
  if [ "$EXIT_STATUS" = 0 ] && [ "$(cat "$T/client.out")" = "$expected" ]; then
    ok "raw: socat closes -> client gets disconnection(sock, 0), netmcu exits 0"
  else
    fail "raw: socat closes -> client gets disconnection(sock, 0), netmcu exits 0" \
      "exit $EXIT_STATUS, output '$(tr '\n' '|' <"$T/client.out")'"; describe client
  fi
else
  fail "raw: socat listener starts" "no port"
fi

# --- refused connect ---------------------------------------------------
# A bound socket that never listens: connecting to its port is refused.
timeout -k 1 $(bound 30) python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0))
print("PORT", s.getsockname()[1], flush=True)
time.sleep(60)' >"$T/closed.port" &
track $!
if wait_line "$T/closed.port" '^PORT [0-9]+' 5; then
  CLOSED=$(port_from "$T/closed.port" PORT)
  cat >"$T/refused.lua" <<EOF
$PRELUDE
local s = net.createConnection(net.TCP, 0)
s:on("connection", function() print("CONNECTION") end)
if arg[2] ~= "noreconn" then
  s:on("reconnection", function(s, err) print("RECONNECTION " .. tostring(err)) end)
end
s:on("disconnection", function(s, err) print("DISCONNECTION " .. tostring(err)) end)
s:connect(tonumber(arg[1]), "127.0.0.1")
EOF
  run_refused() { # label env expected [extra arg]
    nm_start refused "$2" -- "$CLOSED" ${4:-}
    if wait_exit "$NM_PID" 10 && [ "$EXIT_STATUS" = 0 ] && [ "$(cat "$T/refused.out")" = "$3" ]; then
      ok "raw: refused connect ($1)"
    else
      fail "raw: refused connect ($1)" "exit $EXIT_STATUS, output '$(tr '\n' '|' <"$T/refused.out")', expected '$3'"
      describe refused
    fi
  }
  run_refused "1.5: disconnection(sock, -9)" "NETMCU_COMPAT=1.5" "DISCONNECTION -9"
  run_refused "3.0 with a reconnection handler: reconnection(sock, -9) only" "NETMCU_COMPAT=3.0" "RECONNECTION -9"
  run_refused "3.0 without a reconnection handler: disconnection(sock, -9)" "NETMCU_COMPAT=3.0" "DISCONNECTION -9" noreconn
else
  fail "raw: refused connect" "could not reserve a closed port"
fi

# --- a server that resets the client's connection ---------------------------
timeout -k 1 $(bound 20) python3 -c '
import socket, struct, time
ls = socket.socket(); ls.bind(("127.0.0.1", 0)); ls.listen(1)
print("PORT", ls.getsockname()[1], flush=True)
c, _ = ls.accept()
data = c.recv(100)
print("GOT", data.decode(), flush=True)
c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
c.close()
time.sleep(5)' >"$T/rst.peer" &
track $!
if wait_line "$T/rst.peer" '^PORT [0-9]+' 5; then
  cat >"$T/rstc.lua" <<EOF
$PRELUDE
local s = net.createConnection(net.TCP, 0)
s:on("connection", function(s) print("CONNECTION"); s:send("ping") end)
s:on("disconnection", function(s, err) print("DISCONNECTION " .. tostring(err)) end)
s:connect(tonumber(arg[1]), "127.0.0.1")
EOF
  nm_start rstc -- "$(port_from "$T/rst.peer" PORT)"
  wait_exit "$NM_PID" 10
  if [ "$EXIT_STATUS" = 0 ] && [ "$(cat "$T/rstc.out")" = $'CONNECTION\nDISCONNECTION -9' ] &&
     grep -q '^GOT ping' "$T/rst.peer"; then
    ok "raw: server resets the connection -> client gets disconnection(sock, -9)"
  else
    fail "raw: server resets the connection -> client gets disconnection(sock, -9)" \
      "exit $EXIT_STATUS, output '$(tr '\n' '|' <"$T/rstc.out")', peer '$(tr '\n' '|' <"$T/rst.peer")'"
    describe rstc
  fi
else
  fail "raw: resetting peer starts" "no port"
fi
finish
