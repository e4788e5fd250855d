#!/usr/bin/env bash
# A secure socket is the same stream as a plain one: 1 MB each way intact
# through a TLS echo (socat), a download from nginx with hold/unhold, one
# `sent` per send, SNI as nginx sees it, writes made during the handshake
# and close() right after them, and close or collection mid-handshake.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/pki.sh"
need openssl socat python3 sha256sum nginx

PKI=$T/pki
make_pki "$PKI" || bail "cannot make the test certificates"
export NETMCU_HOME=$T/home
pattern_file "$T/expected.1m" 1024

# --- 1 MB each way through a TLS echo ---------------------------------------
socat_listen echo "OPENSSL-LISTEN:0,bind=127.0.0.1,reuseaddr,cert=$PKI/good.crt,key=$PKI/good.key,verify=0" PIPE \
  || exit 1
cat >"$T/echo.lua" <<LUA
$PRELUDE
$LUA_CHUNK
net.cert.verify(io.open("$PKI/ca.crt"):read("*a"))
local out = assert(io.open("$T/echo.got", "wb"))
local got, sends, sents, i = 0, 0, 0, 0
local s = net.createConnection(net.TCP, 1)
local function more(c)
  if i < 1024 then c:send(chunk(i)); i = i + 1; sends = sends + 1 end
end
s:on("connection", more)
s:on("sent", function(c) sents = sents + 1; more(c) end)
s:on("receive", function(c, d)
  out:write(d); got = got + #d
  if got == 1048576 then c:close() end
end)
s:on("disconnection", function(c, code)
  out:close(); print("SENDS " .. sends .. " SENTS " .. sents .. " CODE " .. code)
end)
s:connect($SOCAT_PORT, "localhost")
LUA
nm_start echo
wait_exit "$NM_PID" 30
want=$(sha256sum <"$T/expected.1m" | cut -d' ' -f1)
if [ "$(sha256sum <"$T/echo.got" | cut -d' ' -f1)" = "$want" ] &&
   grep -q '^SENDS 1024 SENTS 1024 CODE 0' "$T/echo.out"; then
  ok "1 MB each way through TLS intact (sha256), one sent per send"
else fail "1 MB each way" "$(describe echo; ls -l "$T/echo.got")"; fi

# --- nginx: a download with hold/unhold, and SNI ---------------------------
nginx_tls web good || exit 1
mkdir -p "$T/www" && cp "$T/expected.1m" "$T/www/big.bin"
cat >"$T/get.lua" <<LUA
$PRELUDE
local host, path, file = arg[1], arg[2], arg[3]
net.cert.verify(io.open("$PKI/ca.crt"):read("*a"))
local out = assert(io.open(file, "wb"))
local held = false
local s = net.createConnection(net.TCP, 1)
s:on("connection", function(c)
  c:send("GET " .. path .. " HTTP/1.1\r\nHost: " .. host .. "\r\nConnection: close\r\n\r\n")
end)
s:on("receive", function(c, d)
  out:write(d)
  if not held then -- hold once for a while: nothing arrives meanwhile
    held = true; c:hold()
    local quiet = true
    c:on("receive", function(c2, d2) if not quiet then out:write(d2) else print("DATA WHILE HELD") end end)
    tmr.create():alarm(200, tmr.ALARM_SINGLE, function()
      quiet = false
      c:on("receive", function(c2, d2) out:write(d2) end)
      c:unhold()
    end)
  end
end)
s:on("disconnection", function(c, code, why) out:close(); print("DISC", code, why) end)
s:connect($NGINX_PORT, host)
LUA
nm_start get -- localhost /big.bin "$T/get.raw"
wait_exit "$NM_PID" 30
python3 - "$T/get.raw" "$T/get.body" <<'PY'
import sys
raw = open(sys.argv[1], "rb").read()
open(sys.argv[2], "wb").write(raw.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in raw else b"")
PY
if [ "$(sha256sum <"$T/get.body" | cut -d' ' -f1)" = "$want" ] && grep -q '^DISC	0' "$T/get.out" &&
   ! grep -q 'DATA WHILE HELD' "$T/get.out"; then
  ok "1 MB from nginx intact with hold/unhold in the middle"
else fail "nginx download" "$(describe get; head -c 300 "$T/get.raw")"; fi

cp "$T/get.lua" "$T/getip.lua"
nm_start getip -- 127.0.0.1 /ip "$T/getip.raw"
wait_exit "$NM_PID" 20
if grep -q '^SNI=localhost PROTO=TLSv1.3 URI=/big.bin' "$T/web.access" &&
   grep -q '^SNI=- PROTO=TLSv1.3 URI=/ip' "$T/web.access"; then
  ok "SNI names the host connected to, and is absent for an IP literal (as nginx saw it)"
else fail "SNI" "$(cat "$T/web.access")"; fi

# --- connect by name (c-ares, with a hosts file): SNI and the name check ---
nginx_tls named wrong || exit 1
printf '127.0.0.1 wrong.example other.example\n' >"$T/hosts"
cat >"$T/byname.lua" <<LUA
$PRELUDE
net.cert.verify(io.open("$PKI/ca.crt"):read("*a"))
local function get(host, nxt)
  local s = net.createConnection(net.TCP, 1)
  s:on("connection", function(c) c:send("GET /" .. host .. " HTTP/1.0\r\n\r\n") end)
  s:on("receive", function(c, d) end)
  s:on("disconnection", function(c, code, why) print(host, code, why); if nxt then nxt() end end)
  s:connect($NGINX_PORT, host)
end
get("wrong.example", function() get("other.example") end)
LUA
CARES_HOSTS="$T/hosts" nm_start byname
wait_exit "$NM_PID" 20
if grep -q '^wrong.example	0' "$T/byname.out" && grep -q '^SNI=wrong.example PROTO=TLSv1.3 URI=/wrong.example' "$T/named.access" &&
   grep -qE '^other.example	-28	certificate verify failed: [Hh]ostname mismatch' "$T/byname.out"; then
  ok "connect by name: SNI is the name, and the certificate must match it"
else fail "connect by name" "$(describe byname; cat "$T/named.access")"; fi

# --- writes during the handshake, close right after them -------------------
for i in 1 2; do
  socat_listen "sink$i" -u "OPENSSL-LISTEN:0,bind=127.0.0.1,reuseaddr,cert=$PKI/good.crt,key=$PKI/good.key,verify=0" \
    "CREATE:$T/sink$i.bin" || exit 1
  eval "SINK$i=$SOCAT_PORT"
done
cat >"$T/early.lua" <<LUA
$PRELUDE
local sents = 0
local s = net.createConnection(net.TCP, 1)
s:on("sent", function() sents = sents + 1 end)
s:on("connection", function(c) print("CONNECTION") end)
s:on("disconnection", function(c, code) print("SENTS " .. sents .. " CODE " .. code) end)
s:connect($SINK1, "127.0.0.1")
s:send("first,")
s:send("second,")
tmr.create():alarm(300, tmr.ALARM_SINGLE, function() s:send("third"); s:close() end)
local q = net.createConnection(net.TCP, 1)
q:connect($SINK2, "127.0.0.1")
q:send("sent-then-closed")
q:close()
LUA
nm_start early
wait_exit "$NM_PID" 20
wait_exit "$SOCAT_PID" 5
if [ "$(cat "$T/sink1.bin" 2>/dev/null)" = "first,second,third" ] && grep -q '^CONNECTION' "$T/early.out" &&
   grep -q '^SENTS 2 CODE 0' "$T/early.out"; then
  ok "sends made before the handshake finished go out after it, in order, each with its sent"
else fail "sends during the handshake" "$(describe early; cat "$T/sink1.bin")"; fi
if [ "$(cat "$T/sink2.bin" 2>/dev/null)" = "sent-then-closed" ]; then
  ok "close() right after send() during the handshake still delivers (then close_notify)"
else fail "close during the handshake" "got '$(cat "$T/sink2.bin" 2>/dev/null)'"; fi

# --- close and collection mid-handshake: a peer that never answers --------
socat_listen silent TCP-LISTEN:0,bind=127.0.0.1,reuseaddr,fork SYSTEM:'sleep 20' || exit 1
cat >"$T/midway.lua" <<LUA
$PRELUDE
local a = net.createConnection(net.TCP, 1)
a:on("connection", function() print("UNEXPECTED CONNECTION") end)
a:on("disconnection", function(c, code) print("A DISC " .. code) end)
a:connect($SOCAT_PORT, "127.0.0.1")
local b = net.createConnection(net.TCP, 1)
b:on("disconnection", function(c, code) print("B DISC " .. code) end)
b:connect($SOCAT_PORT, "127.0.0.1")
b:send("never sent")
tmr.create():alarm(300, tmr.ALARM_SINGLE, function()
  a:close(); a:close()
  a = nil
  b:close(); b = nil
  collectgarbage(); collectgarbage()
  tmr.create():alarm(100, tmr.ALARM_SINGLE, function() collectgarbage(); print("DONE") end)
end)
LUA
nm_start midway
wait_exit "$NM_PID" 10
if [ "$EXIT_STATUS" = 0 ] && grep -q '^A DISC 0' "$T/midway.out" && grep -q '^DONE' "$T/midway.out" &&
   ! grep -q UNEXPECTED "$T/midway.out"; then
  ok "close (twice) and collection mid-handshake: disconnection 0, clean exit (a close waiting for the handshake does not hold the run)"
else fail "mid-handshake close/gc" "status $EXIT_STATUS $(describe midway)"; fi

finish
