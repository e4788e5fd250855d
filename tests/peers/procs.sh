#!/usr/bin/env bash
# A second netmcu process as the peer; server close() frees the port at once;
# servers and accepted sockets without Lua references survive collectgarbage().
. "$(dirname "$0")/lib/common.sh"
need curl wrk

# --- two netmcu processes ------------------------------------------------
cat >"$T/pingd.lua" <<EOF
$PRELUDE
local sv = net.createServer(net.TCP, 30)
sv:listen(0, "127.0.0.1", function(c)
  local buf = ""
  c:on("receive", function(c, d)
    buf = buf .. d
    for line in buf:gmatch("([^\n]*)\n") do
      print("SERVER GOT " .. line)
      c:send((line:gsub("^ping", "pong")) .. "\n")
    end
    buf = buf:match("[^\n]*$")
  end)
  c:on("disconnection", function(c, err)
    print("SERVER DISCONNECTION " .. tostring(err))
    sv:close()
  end)
end)
print("PORT " .. sv:getaddr())
EOF
cat >"$T/pingc.lua" <<EOF
$PRELUDE
local n, buf = 1, ""
local s = net.createConnection(net.TCP, 0)
s:on("connection", function(s) s:send("ping 1\n") end)
s:on("receive", function(s, d)
  buf = buf .. d
  for line in buf:gmatch("([^\n]*)\n") do
    print("CLIENT GOT " .. line)
    if n < 5 then n = n + 1; s:send("ping " .. n .. "\n") else s:close() end
  end
  buf = buf:match("[^\n]*$")
end)
s:on("disconnection", function(s, err) print("CLIENT DISCONNECTION " .. tostring(err)) end)
s:connect(tonumber(arg[1]), "127.0.0.1")
EOF
if nm_server pingd; then
  server_pid=$NM_PID
  nm_start pingc -- "$PORT"
  wait_exit "$NM_PID" 10; client_status=$EXIT_STATUS
  wait_exit "$server_pid" 10; server_status=$EXIT_STATUS
  want_client=$'CLIENT GOT pong 1\nCLIENT GOT pong 2\nCLIENT GOT pong 3\nCLIENT GOT pong 4\nCLIENT GOT pong 5\nCLIENT DISCONNECTION 0'
  want_server=$'PORT '"$PORT"$'\nSERVER GOT ping 1\nSERVER GOT ping 2\nSERVER GOT ping 3\nSERVER GOT ping 4\nSERVER GOT ping 5\nSERVER DISCONNECTION 0'
  if [ "$client_status" = 0 ] && [ "$server_status" = 0 ] &&
     [ "$(cat "$T/pingc.out")" = "$want_client" ] && [ "$(cat "$T/pingd.out")" = "$want_server" ]; then
    ok "procs: two netmcu processes exchange 5 messages and both exit 0 by themselves"
  else
    fail "procs: two netmcu processes exchange 5 messages and both exit 0 by themselves" \
      "client exit $client_status '$(tr '\n' '|' <"$T/pingc.out")', server exit $server_status '$(tr '\n' '|' <"$T/pingd.out")'"
    describe pingc; describe pingd
  fi
else
  fail "procs: ping server starts" "no port"
fi

# --- server close frees the port ---------------------------------------------
# sv listens on P, closes, and a new server listens on P in the same chunk.
# A control server then closes / reopens P on request.
cat >"$T/reuse.lua" <<EOF
$PRELUDE
local function reply(c, body, after)
  c:send("HTTP/1.1 200 OK\r\nContent-Length: " .. #body .. "\r\nConnection: close\r\n\r\n" .. body,
         function(c) c:close(); if after then after() end end)
end
local function serve(tag)
  return function(c) c:on("receive", function(c) reply(c, tag) end) end
end
local function open(tag, port)
  local s = net.createServer(net.TCP, 30)
  s:listen(port, "127.0.0.1", serve(tag))
  return s
end
local sv = open("first", 0)
local P = sv:getaddr()
sv:close()
local ok, err = pcall(function() sv = open("second", P) end)
print("RELISTEN " .. tostring(ok) .. " " .. tostring(err))
local ctl = net.createServer(net.TCP, 30)
ctl:listen(0, "127.0.0.1", function(c)
  c:on("receive", function(c, d)
    local cmd = d:match("^GET /(%w+)")
    if cmd == "close" then
      sv:close(); reply(c, "closed")
    elseif cmd == "open" then
      local ok, err = pcall(function() sv = open("third", P) end)
      reply(c, ok and "opened" or ("error " .. tostring(err)))
    elseif cmd == "quit" then
      reply(c, "bye", function() sv:close(); ctl:close() end)
    end
  end)
end)
print("PORT " .. P .. " CTL " .. ctl:getaddr())
EOF
get() { timeout 10 curl -sS "$1" 2>&1; }
if nm_server reuse; then
  CTL=$(port_from "$T/reuse.out" CTL)
  P=$PORT
  r1=$(get "http://127.0.0.1:$P/")
  if grep -qx 'RELISTEN true nil' "$T/reuse.out" && [ "$r1" = second ]; then
    ok "procs: listen, close, listen again on the same port in one chunk works at once"
  else
    fail "procs: listen, close, listen again on the same port in one chunk works at once" \
      "output '$(tr '\n' '|' <"$T/reuse.out")', curl '$r1'"; describe reuse
  fi
  r2=$(get "http://127.0.0.1:$CTL/close")
  timeout 10 curl -sS "http://127.0.0.1:$P/" >"$T/refused.body" 2>"$T/refused.err"; curl_status=$?
  r3=$(get "http://127.0.0.1:$CTL/open")
  r4=$(get "http://127.0.0.1:$P/")
  if [ "$r2" = closed ] && [ "$curl_status" = 7 ] && [ "$r3" = opened ] && [ "$r4" = third ]; then
    ok "procs: after server:close() curl is refused; listening again on the port serves"
  else
    fail "procs: after server:close() curl is refused; listening again on the port serves" \
      "close '$r2', curl after close exit $curl_status '$(cat "$T/refused.body" "$T/refused.err")', open '$r3', curl '$r4'"
  fi
  r5=$(get "http://127.0.0.1:$CTL/quit")
  wait_exit "$NM_PID" 5
  if [ "$r5" = bye ] && [ "$EXIT_STATUS" = 0 ]; then
    ok "procs: closing every server lets netmcu exit 0 by itself"
  else
    fail "procs: closing every server lets netmcu exit 0 by itself" "quit '$r5', exit $EXIT_STATUS"; describe reuse
  fi
else
  fail "procs: reuse server starts" "no port"
fi

# --- no Lua references + collectgarbage() ------------------------------------
cat >"$T/gc.lua" <<EOF
$PRELUDE
do
  local sv = net.createServer(net.TCP, 30)
  sv:listen(0, "127.0.0.1", function(c)
    collectgarbage("collect")
    local buf = ""
    c:on("receive", function(c, d)
      buf = buf .. d
      while true do
        local e = buf:find("\r\n\r\n", 1, true)
        if not e then break end
        buf = buf:sub(e + 4)
        collectgarbage("collect")
        c:send("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\ngc\n")
      end
    end)
  end)
  print("PORT " .. sv:getaddr())
end
collectgarbage("collect")
collectgarbage("collect")
print("COLLECTED " .. collectgarbage("count"))
EOF
if nm_server gc; then
  wait_line "$T/gc.out" '^COLLECTED' 5
  r=$(timeout 10 curl -sS -w '%{http_code}' "http://127.0.0.1:$PORT/" 2>&1)
  if [ "$r" = $'gc\n200' ]; then
    ok "procs: a listening server with no Lua reference survives collectgarbage() and serves"
  else
    fail "procs: a listening server with no Lua reference survives collectgarbage() and serves" "curl '$r'"; describe gc
  fi
  timeout 10 curl -sS -w '[%{http_code} %{num_connects}]' "http://127.0.0.1:$PORT/"{1,2,3,4} >"$T/gc.multi" 2>&1
  timeout $(bound 20) wrk -t1 -c10 -d1s "http://127.0.0.1:$PORT/" >"$T/gc.wrk" 2>&1
  wrk_status=$?
  requests=$(sed -n 's/^ *\([0-9][0-9]*\) requests in.*/\1/p' "$T/gc.wrk")
  if [ "$(cat "$T/gc.multi")" = $'gc\n[200 1]gc\n[200 0]gc\n[200 0]gc\n[200 0]' ] &&
     [ "$wrk_status" = 0 ] && [ -n "$requests" ] && [ "$requests" -gt 0 ] &&
     ! grep -qE 'Socket errors|Non-2xx' "$T/gc.wrk" && kill -0 "$NM_PID" 2>/dev/null; then
    ok "procs: accepted sockets with no Lua reference keep working through full collections ($requests wrk requests)"
  else
    fail "procs: accepted sockets with no Lua reference keep working through full collections" \
      "keep-alive curl '$(tr '\n' '|' <"$T/gc.multi")', wrk $wrk_status: $(tr '\n' '|' <"$T/gc.wrk")"
    describe gc
  fi
  kill -TERM "$NM_PID" 2>/dev/null
else
  fail "procs: gc server starts" "no port"
fi
finish
