#!/usr/bin/env bash
# telnet30.sh — a Lua session over TCP in the 3.0 profile, served the way the
# 3.0 firmware's telnet module (lua_modules/telnet) serves it: node.output
# hands its callback the stdout pipe, which the callback and the socket's
# sent callback drain in 1400-byte records. python3 is the telnet client.
# A seed-era telnet server (node.output handing a string) fails under 3.0
# as it does on a 3.0 device, and still works under 1.5.
. "$(dirname "$0")/lib/common.sh"
CLIENT="$(cd "$(dirname "$0")" && pwd)/lib/line_client.py" # PORT "send=>expect"...
need python3

# The module's session code, with the same node.output, pipe and socket calls;
# only the wifi wait is left out and the port is the OS's.
cat >"$T/telnet.lua" <<EOF
$PRELUDE
local function telnet_session(socket)
  local node = node
  local stdout

  local function output_CB(opipe)
    stdout = opipe
    local rec = opipe:read(1400)
    if rec and #rec > 0 then socket:send(rec) end
    return false
  end

  local function onsent_CB(skt)
    local rec = stdout:read(1400)
    if rec and #rec > 0 then skt:send(rec) end
  end

  local function disconnect_CB(skt)
    node.output()
    socket, stdout = nil, nil
  end

  node.output(output_CB, 0)
  socket:on("receive", function(_, rec) node.input(rec) end)
  socket:on("sent", onsent_CB)
  socket:on("disconnection", disconnect_CB)
  print(("Welcome to NodeMCU world (%d mem free, %s)"):format(node.heap(), "127.0.0.1"))
end

svr = net.createServer(net.TCP, 180)
svr:listen(0, "127.0.0.1", telnet_session)
print("PORT " .. svr:getaddr())
EOF

step_ok() { # file n text — step n's received text contains text
  sed -n "$(( $2 + 0 ))p" "$1" | grep -qF -- "$3"
}

if ! nm_server telnet NETMCU_COMPAT=3.0; then
  fail "telnet30: the server starts" "no port"; finish
fi
timeout "$(bound 30)" python3 "$CLIENT" "$PORT" \
  '=>)\n' \
  '=1+1\n=>> ' \
  'for i = 1, 2 do\n=>>> ' \
  'print("n" .. i) end\n=>> ' \
  'print(string.rep("x", 5000))\n=>> ' \
  'error("oops")\n=>> ' >"$T/s1.txt" 2>&1
if step_ok "$T/s1.txt" 1 "Welcome to NodeMCU world (" && step_ok "$T/s1.txt" 2 "'2\\n> '"; then
  ok "telnet30: greeting and an expression over the pipe"
else
  fail "telnet30: greeting and an expression over the pipe" "$(tr '\n' '|' <"$T/s1.txt")"; describe telnet
fi
if step_ok "$T/s1.txt" 3 "'>> '" && step_ok "$T/s1.txt" 4 "'n1\\nn2\\n> '"; then
  ok "telnet30: a chunk over two lines"
else
  fail "telnet30: a chunk over two lines" "$(sed -n 3,4p "$T/s1.txt" | tr '\n' '|')"
fi
xs=$(sed -n 5p "$T/s1.txt" | tr -cd x | wc -c)
if [ "$xs" -eq 5000 ] && step_ok "$T/s1.txt" 5 "\\n> '"; then
  ok "telnet30: 5000 bytes of output in 1400-byte records chained by sent"
else
  fail "telnet30: 5000 bytes of output in 1400-byte records chained by sent" "$xs x received"
fi
if step_ok "$T/s1.txt" 6 "oops"; then ok "telnet30: an error message reaches the client"
else fail "telnet30: an error message reaches the client" "$(sed -n 6p "$T/s1.txt")"; fi
# Neither the greeting nor the 5000-byte run of x may reach the terminal.
if ! grep -q "Welcome\|x\{5\}" "$T/telnet.out"; then ok "telnet30: serial_debug 0 keeps the session off the terminal"
else fail "telnet30: serial_debug 0 keeps the session off the terminal" "$(head -c 200 "$T/telnet.out")"; fi

# A second session after the first one's disconnection, which closes the server.
timeout "$(bound 30)" python3 "$CLIENT" "$PORT" '=>)\n' '=node.heap() > 0\n=>> ' \
  'svr:close() print("closing")\n=>> ' >"$T/s2.txt" 2>&1
if step_ok "$T/s2.txt" 2 "true" && step_ok "$T/s2.txt" 3 "closing"; then
  ok "telnet30: a second session gets a new stdout pipe"
else
  fail "telnet30: a second session gets a new stdout pipe" "$(tr '\n' '|' <"$T/s2.txt")"
fi
wait_exit "$NM_PID" 5
if [ "$EXIT_STATUS" = 0 ]; then ok "telnet30: the run ends once the server is closed"
else fail "telnet30: the run ends once the server is closed" "exit $EXIT_STATUS"; describe telnet; fi

# The seed-era telnet server: its callback sends what it is given.
cat >"$T/seed.lua" <<EOF
$PRELUDE
local srv = net.createServer(net.TCP, 30)
srv:listen(0, "127.0.0.1", function(c)
  node.output(function(str) if c ~= nil then c:send(str) end end, 0)
  c:on("receive", function(_, l) node.input(l) end)
  c:on("disconnection", function() node.output(nil); srv:close() end)
  print("Welcome to NodeMCU world.")
end)
print("PORT " .. srv:getaddr())
EOF
if nm_server seed NETMCU_COMPAT=3.0; then
  timeout "$(bound 20)" python3 "$CLIENT" "$PORT" '=>.\n' >"$T/s3.txt" 2>&1
  wait_exit "$NM_PID" 5
  if [ "$EXIT_STATUS" = 1 ] && grep -q "bad argument #1 to 'send'" "$T/seed.err" &&
     ! grep -q Welcome "$T/s3.txt"; then
    ok "telnet30: a seed-era output callback fails under 3.0 as on a 3.0 device"
  else
    fail "telnet30: a seed-era output callback fails under 3.0 as on a 3.0 device" \
      "exit $EXIT_STATUS, client $(tr '\n' '|' <"$T/s3.txt")"; describe seed
  fi
fi
if nm_server seed; then
  timeout "$(bound 20)" python3 "$CLIENT" "$PORT" '=>.\n' '=1+2\n=>> ' >"$T/s4.txt" 2>&1
  if step_ok "$T/s4.txt" 1 "Welcome to NodeMCU world." && step_ok "$T/s4.txt" 2 "3"; then
    ok "telnet30: the same server works under 1.5"
  else
    fail "telnet30: the same server works under 1.5" "$(tr '\n' '|' <"$T/s4.txt")"; describe seed
  fi
fi
finish
