#!/usr/bin/env bash
# telnet22.sh — a Lua session over TCP in the 1.5 and 2.2 profiles, served the
# way the 2.2 firmware's telnet example (lua_examples/telnet/telnet.lua) serves
# it: node.output(fn, 0) hands each piece of output to a send queue that the
# socket's sent callback drains, received lines go to node.input, and the
# disconnection callback unregisters everything. python3 is the telnet client.
# Before 3.0 the firmware writes the error report of a typed chunk straight to
# the UART (dbg_printf), past node.output: the client never sees it (the
# example's README says so), the terminal does. telnet30.sh covers 3.0.
. "$(dirname "$0")/lib/common.sh"
CLIENT="$(cd "$(dirname "$0")" && pwd)/lib/line_client.py" # PORT "send=>expect"...
need python3

cat >"$T/telnet.lua" <<EOF
$PRELUDE
local function session(sock)
  -- The send queue: strings wait here while a send is in flight.
  local queue, busy = {}, false
  local function sendnext(s)
    if #queue == 0 then busy = false; return end
    local rec = table.concat(queue)
    queue = {}
    s:send(rec)
  end
  local function enqueue(str)
    queue[#queue + 1] = str
    if not busy then busy = true; sendnext(sock) end
  end
  sock:on("receive", function(_, line) node.input(line) end)
  sock:on("sent", sendnext)
  sock:on("disconnection", function(s)
    local function nop() end -- on(ev, nil) unregisters only since 2.2
    s:on("receive", nop); s:on("sent", nop); s:on("disconnection", nop)
    node.output(nil)
    print("session over")
  end)
  node.output(enqueue, 0)
  print("Welcome to NodeMCU world")
end

svr = net.createServer(net.TCP, 180)
svr:listen(0, "127.0.0.1", session)
print("PORT " .. svr:getaddr())
EOF

step_has() { # file n text — step n's received text contains text
  sed -n "$2p" "$1" | grep -qF -- "$3"
}

for p in 1.5 2.2; do
  cp "$T/telnet.lua" "$T/telnet$p.lua"
  if ! nm_server "telnet$p" NETMCU_COMPAT=$p; then fail "telnet $p: the server starts" "no port"; continue; fi
  out="$T/s$p.txt"
  timeout "$(bound 30)" python3 "$CLIENT" "$PORT" \
    '=>world\n' \
    '=1+1\n=>> ' \
    'for i = 1, 2 do\n=>>> ' \
    'print("n" .. i) end\n=>> ' \
    'print(string.rep("x", 5000))\n=>> ' \
    'error("oops")\n=>> ' \
    'print(pcall(error, "caught"))\n=>> ' >"$out" 2>&1
  if step_has "$out" 1 "Welcome to NodeMCU world" && step_has "$out" 2 "'2\\n> '" &&
     step_has "$out" 3 "'>> '" && step_has "$out" 4 "'n1\\nn2\\n> '"; then
    ok "telnet $p: greeting, an expression and a chunk over two lines reach the client"
  else
    fail "telnet $p: greeting, an expression and a chunk over two lines reach the client" \
      "$(head -n 4 "$out" | tr '\n' '|')"; describe "telnet$p"
  fi
  xs=$(sed -n 5p "$out" | tr -cd x | wc -c)
  if [ "$xs" -eq 5000 ]; then ok "telnet $p: 5000 bytes of output through the queue"
  else fail "telnet $p: 5000 bytes of output through the queue" "$xs x received"; fi
  if step_has "$out" 6 "'> '" && ! step_has "$out" 6 "oops" && wait_line "$T/telnet$p.out" 'stdin:1: oops' 5; then
    ok "telnet $p: a typed chunk's error goes to the UART, not to the client"
  else
    fail "telnet $p: a typed chunk's error goes to the UART, not to the client" \
      "client got $(sed -n 6p "$out"); terminal: $(grep -c oops "$T/telnet$p.out") lines with it"
  fi
  if step_has "$out" 7 "false\\tcaught\\n> "; then ok "telnet $p: an error caught with pcall and printed reaches the client"
  else fail "telnet $p: an error caught with pcall and printed reaches the client" "$(sed -n 7p "$out")"; fi
  # serial_debug 0: nothing but the error report reached the terminal.
  if wait_line "$T/telnet$p.out" '^session over' 5 && ! grep -q "Welcome\|x\{5\}\|caught" "$T/telnet$p.out"; then
    ok "telnet $p: the session stays off the terminal, which has the console back after the disconnection"
  else
    fail "telnet $p: the session stays off the terminal, which has the console back after the disconnection" \
      "$(head -c 300 "$T/telnet$p.out")"
  fi
  # A second session, which closes the server: the run ends.
  timeout "$(bound 30)" python3 "$CLIENT" "$PORT" '=>world\n' \
    'tmr.create():alarm(100, tmr.ALARM_SINGLE, function() svr:close() end) print("closing")\n=>> ' >"$T/t$p.txt" 2>&1
  wait_exit "$NM_PID" 5
  if step_has "$T/t$p.txt" 2 "closing" && [ "$EXIT_STATUS" = 0 ]; then
    ok "telnet $p: a second session closes the server and the run ends"
  else
    fail "telnet $p: a second session closes the server and the run ends" \
      "exit $EXIT_STATUS, client $(tr '\n' '|' <"$T/t$p.txt")"; describe "telnet$p"
  fi
done
finish
