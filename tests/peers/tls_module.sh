#!/usr/bin/env bash
# The 3.0 profile's tls module against openssl s_server: tls.createConnection,
# tls.socket's checks and events (reconnection with the firmware's reason
# text, disconnection after close), tls.cert.verify/auth with the deprecation
# note, and the module's absence in the 1.5 profile.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/pki.sh"
need openssl

PKI=$T/pki
make_pki "$PKI" || bail "cannot make the test certificates"
export NETMCU_HOME=$T/home

out=$(timeout 10 "$NETMCU" -e 'print(type(tls))' 2>&1)
out30=$(timeout 10 "$NETMCU" --compat=3.0 -e \
  'print(type(tls), type(tls.createConnection), type(tls.cert.verify), type(tls.cert.auth), type(tls.setDebug))' 2>&1)
if [ "$out" = nil ] && [ "$out30" = "table	function	function	function	function" ]; then
  ok "tls is a global in the 3.0 profile only"
else fail "tls global" "1.5: '$out' 3.0: '$out30'"; fi

cat >"$T/args.lua" <<'LUA'
io.stdout:setvbuf("line")
local function try(label, f, ...)
  local ok, e = pcall(f, ...)
  print(label .. "=" .. (ok and "ok" or tostring(e)))
end
local s = tls.createConnection(1, 2, 3)
try("badevent", s.on, s, "bogus", print)
try("badfn", s.on, s, "receive", 5)
try("nilfn", s.on, s, "receive", nil)
try("port0", s.connect, s, 0, "127.0.0.1")
try("send", s.send, s, "nobody listens")
print("peer=" .. table.concat({tostring(select(1, s:getpeer())), tostring(select(2, s:getpeer()))}, ","))
try("close", s.close, s)
try("debug", tls.setDebug, 2)
try("debugbad", tls.setDebug, "x")
try("verifyfn", tls.cert.verify, function() end)
try("verifynil", tls.cert.verify, nil)
try("authtype", tls.cert.auth, "-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----\n",
  "-----BEGIN PRIVATE KEY-----\nQUJD\n-----END PRIVATE KEY-----\n")
try("netsock", net.createConnection().on, s, "receive", print)
LUA
timeout 10 "$NETMCU" --compat=3.0 "$T/args.lua" >"$T/args.out" 2>&1
check() { # label expected-regex
  if grep -qE "^$1=$2\$" "$T/args.out"; then ok "tls.socket: $1"
  else fail "tls args $1" "want '$2', got '$(grep "^$1=" "$T/args.out")'"; fi
}
check badevent "invalid method"
check badfn "invalid callback function"
check nilfn ok
check port0 "invalid port"
check send ok
check close ok
check debug ok
check debugbad ".*bad argument #1 to .*number expected.*"
check verifyfn "ok"
check verifynil "ok"
check authtype "Wrong PEM type"
check netsock ".*invalid user data"
if grep -q '^peer=nil,nil' "$T/args.out"; then ok "tls.socket: getpeer before connect → nil, nil"
else fail "getpeer" "$(cat "$T/args.out")"; fi

s_server good good -www || exit 1
GOOD=$SS_PORT
s_server unknown unknown -www || exit 1
UNKNOWN=$SS_PORT
s_server auth good -www -Verify 1 -CAfile "$PKI/ca.crt" || exit 1
AUTH=$SS_PORT

cat >"$T/events.lua" <<LUA
io.stdout:setvbuf("line")
local function read(f) local h = assert(io.open(f)); local s = h:read("*a"); h:close(); return s end
print("VERIFY", tls.cert.verify(read("$PKI/ca.crt")))
print("AUTH", tls.cert.auth(read("$PKI/client.crt"), read("$PKI/client.key")))
local steps = {}
local function step() local f = table.remove(steps, 1); if f then f() end end

-- a good server: connection, getpeer (ip, port), receive, disconnection
steps[#steps + 1] = function()
  local s, got = tls.createConnection(), {}
  s:on("connection", function(c)
    print("CONNECTED", c == s, c:getpeer())
    c:send("GET / HTTP/1.0\r\n\r\n", function() print("SEND CALLBACK CALLED") end)
  end)
  s:on("sent", function(c) print("SENT") end)
  s:on("receive", function(c, d) got[#got + 1] = d end)
  s:on("disconnection", function(c, code)
    local body = table.concat(got)
    print("DISCONNECTED", c == s, code, body:match("New, (TLSv1.%d)"), body:match("Client certificate") and "client-cert" or "none")
    step()
  end)
  s:connect($AUTH, "localhost")
end
-- an unknown CA: reconnection with the firmware's reason, then connect again works
steps[#steps + 1] = function()
  local s = tls.createConnection()
  local tries = 0
  s:on("reconnection", function(c, reason, detail)
    print("RECONNECTION", c == s, reason, detail)
    tries = tries + 1
    if tries == 1 then c:connect($GOOD, "localhost") end
  end)
  s:on("connection", function(c) print("AGAIN CONNECTED"); c:close() end)
  s:on("disconnection", function(c, code) print("CLOSED", code); step() end)
  s:connect($UNKNOWN, "localhost")
end
-- no reconnection callback: the failure still ends in disconnection, with a code
steps[#steps + 1] = function()
  local s = tls.createConnection()
  s:on("disconnection", function(c, code, why) print("FAILED", code, why); step() end)
  s:connect($UNKNOWN, "127.0.0.1")
end
step()
LUA
timeout 20 "$NETMCU" --compat=3.0 "$T/events.lua" >"$T/events.out" 2>&1
if grep -q "Warning, deprecated API! tls.cert.verify's old interface. It will be removed soon. See documentation for details." "$T/events.out" &&
   grep -q "Warning, deprecated API! tls.cert.auth's old interface." "$T/events.out" &&
   grep -q '^VERIFY	true' "$T/events.out" && grep -q '^AUTH	true' "$T/events.out"; then
  ok "tls.cert.verify/auth(pem) store, enable, and print the firmware's deprecation note"
else fail "tls.cert" "$(cat "$T/events.out")"; fi
if grep -qE "^CONNECTED	true	127.0.0.1	$AUTH\$" "$T/events.out" && grep -q '^SENT' "$T/events.out" &&
   ! grep -q 'SEND CALLBACK CALLED' "$T/events.out" &&
   grep -qE '^DISCONNECTED	true	0	TLSv1.3	client-cert' "$T/events.out"; then
  ok "tls.socket: connection, getpeer ip/port, sent, receive, disconnection(sock, 0); client certificate presented"
else fail "tls events" "$(cat "$T/events.out")"; fi
if grep -qE '^RECONNECTION	true	SSL handshake failed	certificate verify failed: unable to get local issuer certificate' "$T/events.out" &&
   grep -q '^AGAIN CONNECTED' "$T/events.out" && grep -q '^CLOSED	0' "$T/events.out"; then
  ok "tls.socket: a failed verification fires reconnection(sock, \"SSL handshake failed\", reason); the socket connects again"
else fail "reconnection" "$(cat "$T/events.out")"; fi
if grep -qE '^FAILED	-28	certificate verify failed' "$T/events.out"; then
  ok "tls.socket without a reconnection callback: disconnection(sock, -28, reason)"
else fail "failure without reconnection" "$(cat "$T/events.out")"; fi

# --- the callback forms: CAs and the client pair computed per connection ----
cat >"$T/callbacks.lua" <<LUA
io.stdout:setvbuf("line")
local function read(f) local h = assert(io.open(f)); local s = h:read("*a"); h:close(); return s end
local calls = {}
node.setonerror(function(msg) print("ERROR", (msg:match("[^\n]*"))) end)
local function run(label, port, nxt)
  local s = tls.createConnection()
  s:on("connection", function(c) print(label, "CONNECTED"); c:send("GET / HTTP/1.0\r\n\r\n") end)
  local got = {}
  s:on("receive", function(c, d) got[#got + 1] = d end)
  s:on("disconnection", function(c, code, why)
    print(label, "END", code, why, table.concat(got):match("Client certificate") and "client-cert" or "")
    if nxt then nxt() end
  end)
  s:connect(port, "localhost")
end
print("SET", tls.cert.verify(function(k) calls[#calls + 1] = k; if k == 1 then return read("$PKI/ca.crt") end end))
tls.cert.auth(function(k)
  if k == 0 then return read("$PKI/client.key") elseif k == 1 then return read("$PKI/client.crt") end
end)
run("good", $AUTH, function()
  print("CALLS", table.concat(calls, ","))
  tls.cert.verify(function(k) if k == 1 then return read("$PKI/other-ca.crt") end end)
  run("wrongca", $GOOD, function()
    tls.cert.verify(function(k) error("no CA today") end)
    run("raises", $GOOD, function()
      tls.cert.verify(function(k) return k == 1 and 42 end)
      run("number", $GOOD)
    end)
  end)
end)
LUA
timeout 20 "$NETMCU" --compat=3.0 "$T/callbacks.lua" >"$T/callbacks.out" 2>&1
if grep -q '^SET	true' "$T/callbacks.out" && grep -q '^good	CONNECTED' "$T/callbacks.out" &&
   grep -q '^good	END	0	nil	client-cert' "$T/callbacks.out" && grep -q '^CALLS	1,2$' "$T/callbacks.out" &&
   ! grep -q 'deprecated' "$T/callbacks.out"; then
  ok "tls.cert.verify(fn) / auth(fn): CAs and the client pair asked for per connection (k = 1, 2, … / 0, 1, …)"
else fail "callback forms" "$(cat "$T/callbacks.out")"; fi
if grep -q '^wrongca	END	-28	certificate verify failed' "$T/callbacks.out" &&
   grep -q '^ERROR	.*no CA today' "$T/callbacks.out" &&
   grep -q '^raises	END	-28	the certificate callback failed' "$T/callbacks.out" &&
   grep -q "^ERROR	.*tls.cert.verify callback(1) returned a number, not a string" "$T/callbacks.out" &&
   grep -q '^number	END	-28' "$T/callbacks.out"; then
  ok "a callback's CA that does not match, its error or a non-string fails the connection (the error is reported)"
else fail "callback failures" "$(cat "$T/callbacks.out")"; fi

finish
