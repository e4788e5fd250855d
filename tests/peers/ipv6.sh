#!/usr/bin/env bash
# IPv6 on ::1: a netmcu server for curl, and a netmcu client connecting to ::1.
. "$(dirname "$0")/lib/common.sh"
need curl python3

if ! python3 -c 'import socket; s = socket.socket(socket.AF_INET6); s.bind(("::1", 0))' 2>/dev/null; then
  skip "ipv6: server on ::1 answers curl" "this host has no ::1"
  skip "ipv6: netmcu client connects to ::1" "this host has no ::1"
  exit 0
fi

cat >"$T/v6d.lua" <<EOF
$PRELUDE
local sv = net.createServer(net.TCP, 30)
sv:listen(0, "::1", function(c)
  local a, b = c:getpeer() -- 1.5: ip, port; 3.0: port, ip
  print("PEER " .. tostring(a) .. " " .. tostring(b))
  c:on("receive", function(c, d)
    if d:find("\r\n\r\n", 1, true) then
      c:send("HTTP/1.1 200 OK\r\nContent-Length: 8\r\nConnection: close\r\n\r\nhello v6", function(c) c:close() end)
    end
  end)
end)
local port, ip = sv:getaddr()
print("PORT " .. port .. " ADDR " .. ip)
EOF
cat >"$T/v6c.lua" <<EOF
$PRELUDE
local s = net.createConnection(net.TCP, 0)
local got = ""
s:on("connection", function(s) print("CONNECTION"); s:send("GET / HTTP/1.1\r\nHost: x\r\n\r\n") end)
s:on("receive", function(s, d) got = got .. d end)
s:on("disconnection", function(s, err)
  print("BODY " .. (got:match("\r\n\r\n(.*)$") or "?"))
  print("DISCONNECTION " .. tostring(err))
end)
s:connect(tonumber(arg[1]), "::1")
EOF

for profile in 1.5 3.0; do
  if [ $profile = 1.5 ]; then peer_re='::1 [0-9]+'; else peer_re='[0-9]+ ::1'; fi
  name=v6d$profile
  cp "$T/v6d.lua" "$T/$name.lua"
  if ! nm_server "$name" "NETMCU_COMPAT=$profile"; then fail "ipv6 ($profile): server starts" "no port"; continue; fi
  r=$(timeout 10 curl -sS -g -w ' %{http_code}' "http://[::1]:$PORT/" 2>&1)
  if [ "$r" = "hello v6 200" ] && grep -qE "^PEER $peer_re\$" "$T/$name.out"; then
    ok "ipv6 ($profile): server listening on ::1 answers curl -g http://[::1]:PORT/, peer ::1"
  else
    fail "ipv6 ($profile): server listening on ::1 answers curl -g http://[::1]:PORT/" \
      "curl '$r', server '$(tr '\n' '|' <"$T/$name.out")'"; describe "$name"
  fi
  cname=v6c$profile
  cp "$T/v6c.lua" "$T/$cname.lua"
  nm_start "$cname" "NETMCU_COMPAT=$profile" -- "$PORT"
  wait_exit "$NM_PID" 10
  if [ "$EXIT_STATUS" = 0 ] && [ "$(cat "$T/$cname.out")" = $'CONNECTION\nBODY hello v6\nDISCONNECTION 0' ]; then
    ok "ipv6 ($profile): a netmcu client connects to ::1 and gets the answer"
  else
    fail "ipv6 ($profile): a netmcu client connects to ::1 and gets the answer" \
      "exit $EXIT_STATUS, output '$(tr '\n' '|' <"$T/$cname.out")'"; describe "$cname"
  fi
done
finish
