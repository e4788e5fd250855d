#!/usr/bin/env bash
# TLS client sockets against real TLS servers (openssl s_server, socat,
# python3's ssl) with certificates the test makes: verification (good chain,
# unknown CA, wrong name, expired, self-signed), protocol versions, peers
# that are not TLS or that reset, 1 MB each way, failure reasons, writes and
# close during the handshake, and --ca-system.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/pki.sh"
need openssl socat python3 sha256sum

PKI=$T/pki
make_pki "$PKI" || bail "cannot make the test certificates"
export NETMCU_HOME=$T/home

# client.lua PORT HOST VERIFY [REQUEST] — one secure connection; VERIFY is
# off, true, system or pem:FILE. Prints CONNECTED, BODY <text> and
# DISC <code> <reason>.
cat >"$T/client.lua" <<LUA
$PRELUDE
local port, host, verify, request = tonumber(arg[1]), arg[2], arg[3], arg[4]
if verify:sub(1, 4) == "pem:" then
  local f = assert(io.open(verify:sub(5))); local pem = f:read("*a"); f:close()
  print("VERIFY", net.cert.verify(pem))
elseif verify == "true" then
  print("VERIFY", pcall(net.cert.verify, true))
elseif verify == "system" then
  print("VERIFY", net.cert.verify("system"))
end
local got = {}
local s = net.createConnection(net.TCP, 1)
s:on("connection", function(c)
  print("CONNECTED")
  if request and request ~= "" then c:send((request:gsub("\\\\n", "\r\n"))) end
end)
s:on("receive", function(c, d) got[#got + 1] = d end)
s:on("disconnection", function(c, code, why)
  print("BODY " .. table.concat(got):gsub("[\r\n]+", "|"))
  print("DISC", code, why)
end)
s:connect(port, host)
LUA

# run_client NAME PORT HOST VERIFY [REQUEST] — runs client.lua to its end.
run_client() {
  local name=$1; shift
  cp "$T/client.lua" "$T/$name.lua"
  nm_start "$name" -- "$@"
  wait_exit "$NM_PID" 20
}

GET='GET / HTTP/1.0\n\n'

# --- the chain and the name -------------------------------------------------
s_server good good -www || exit 1
GOOD=$SS_PORT

run_client good_ip "$GOOD" 127.0.0.1 "pem:$PKI/ca.crt" "$GET"
if grep -q '^CONNECTED' "$T/good_ip.out" && grep -q '^BODY HTTP/1.0 200 ok' "$T/good_ip.out" &&
   grep -q '^DISC	0	nil' "$T/good_ip.out"; then
  ok "a good chain verifies for the IP connected to; receive and an orderly end"
else fail "good chain by IP" "$(describe good_ip)"; fi

run_client good_name "$GOOD" localhost "true" "$GET"
if grep -q '^VERIFY	true	true' "$T/good_name.out" && grep -q '^CONNECTED' "$T/good_name.out"; then
  ok "the stored CA verifies a server by name in a later run (NETMCU_HOME)"
else fail "stored CA, by name" "$(describe good_name)"; fi

if [ "$(stat -c %s "$NETMCU_HOME/server-ca.sector" 2>/dev/null)" = 4096 ] &&
   [ "$(stat -c %a "$NETMCU_HOME/server-ca.sector")" = 600 ]; then
  ok "the CA is kept as a 4 KiB sector file, owner-only"
else fail "sector file" "$(ls -l "$NETMCU_HOME" 2>&1)"; fi

NETMCU_HOME=$T/other-home run_client no_store "$GOOD" localhost "true" "$GET"
if grep -q '^VERIFY	false	.*no certificates found' "$T/no_store.out"; then
  ok "verify(true) with an empty store: no certificates found"
else fail "empty store" "$(describe no_store)"; fi

if grep -q 'warning: TLS connection to .* without certificate verification' "$T/no_store.err" &&
   [ "$(grep -c warning "$T/no_store.err")" = 1 ]; then
  ok "an unverified connection warns once on stderr"
else fail "warning" "$(describe no_store)"; fi

# check_failure NAME SERVER-CERT HOST REASON-REGEX TITLE
check_failure() {
  local name=$1 cert=$2 host=$3 re=$4 title=$5
  s_server "$name" "$cert" -www || { fail "$title" "no server"; return; }
  run_client "$name" "$SS_PORT" "$host" "pem:$PKI/ca.crt" "$GET"
  if ! grep -q '^CONNECTED' "$T/$name.out" && grep -qE "^DISC	-28	$re" "$T/$name.out" &&
     grep -q '^BODY $' "$T/$name.out"; then
    ok "$title"
  else fail "$title" "$(describe "$name")"; fi
}
check_failure unknown unknown 127.0.0.1 'certificate verify failed: unable to get local issuer certificate' \
  "a chain from an unknown CA fails: disconnection -28 with the reason"
check_failure wrong wrong localhost 'certificate verify failed: [Hh]ostname mismatch' \
  "a certificate for another name fails (host-name check)"
check_failure ipless ipless 127.0.0.1 'certificate verify failed: IP address mismatch' \
  "a certificate without the IP connected to fails (IP check)"
check_failure expired expired localhost 'certificate verify failed: certificate has expired' \
  "an expired certificate fails"
check_failure self self localhost 'certificate verify failed: self[- ]signed certificate' \
  "a self-signed certificate fails"

s_server self_pinned self -www || exit 1
run_client self_pinned "$SS_PORT" localhost "pem:$PKI/self.crt" "$GET"
if grep -q '^CONNECTED' "$T/self_pinned.out"; then
  ok "a self-signed certificate stored as the CA is trusted (the device's rule)"
else fail "self-signed pinned" "$(describe self_pinned)"; fi

NETMCU_HOME=$T/unverified run_client unverified "$SS_PORT" localhost off "$GET"
if grep -q '^CONNECTED' "$T/unverified.out" && grep -q '^BODY HTTP/1.0 200' "$T/unverified.out"; then
  ok "verification is off at start: any certificate is accepted"
else fail "off at start" "$(describe unverified)"; fi

# --- --ca-system: the system store is where OpenSSL looks (SSL_CERT_FILE) ----
cp "$T/client.lua" "$T/casys.lua"
env SSL_CERT_FILE="$PKI/ca.crt" timeout 20 "$NETMCU" --ca-system "$T/casys.lua" "$GOOD" localhost off "$GET" \
  >"$T/casys.out" 2>"$T/casys.err"
env SSL_CERT_FILE="$PKI/other-ca.crt" timeout 20 "$NETMCU" --ca-system "$T/casys.lua" "$GOOD" localhost off "$GET" \
  >"$T/casys2.out" 2>"$T/casys2.err"
if grep -q '^CONNECTED' "$T/casys.out" && ! grep -q warning "$T/casys.err" &&
   grep -q '^DISC	-28	certificate verify failed' "$T/casys2.out"; then
  ok "--ca-system verifies against the system's CA store"
else fail "--ca-system" "$(describe casys; describe casys2)"; fi

NETMCU_HOME=$T/sys-home SSL_CERT_FILE="$PKI/ca.crt" run_client verify_system "$GOOD" localhost system "$GET"
if grep -q '^VERIFY	true' "$T/verify_system.out" && grep -q '^CONNECTED' "$T/verify_system.out"; then
  ok 'net.cert.verify("system") trusts the system store'
else fail 'verify("system")' "$(describe verify_system)"; fi

# --- protocol versions ---------------------------------------------------------
s_server v13 good -www -tls1_3 || exit 1
run_client v13 "$SS_PORT" localhost off "$GET"
s_server v12 good -www -tls1_2 || exit 1
run_client v12 "$SS_PORT" localhost off "$GET"
if grep -q '^BODY .*New, TLSv1.3' "$T/v13.out" && grep -q '^BODY .*New, TLSv1.2' "$T/v12.out"; then
  ok "TLS 1.3 and TLS 1.2 servers"
else fail "versions" "$(describe v13; describe v12)"; fi

s_server v11 good -www -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0' || exit 1
run_client v11 "$SS_PORT" localhost off "$GET"
if ! grep -q '^CONNECTED' "$T/v11.out" && grep -q '^DISC	-28	' "$T/v11.out"; then
  ok "a TLS 1.1 server is refused (TLS 1.2 minimum)"
else fail "TLS 1.1" "$(describe v11)"; fi

run_client default_first "$GOOD" localhost off "$GET"
if grep -q '^BODY .*New, TLSv1.3' "$T/default_first.out"; then
  ok "TLS 1.3 is preferred"
else fail "1.3 preferred" "$(describe default_first)"; fi

# --- peers that are not TLS, or that fail -----------------------------------
socat_listen plain TCP-LISTEN:0,bind=127.0.0.1,reuseaddr SYSTEM:'echo hello plain text; sleep 2' || exit 1
run_client plain "$SOCAT_PORT" 127.0.0.1 off "$GET"
if ! grep -q '^CONNECTED' "$T/plain.out" && grep -qE '^DISC	-28	.+' "$T/plain.out" &&
   grep -q '^BODY $' "$T/plain.out"; then
  ok "a plain-TCP peer fails the handshake; its text never reaches the script"
else fail "plain peer" "$(describe plain)"; fi

socat_listen plainsink TCP-LISTEN:0,bind=127.0.0.1,reuseaddr CREATE:"$T/plainsink.bin" || exit 1
cat >"$T/plainsend.lua" <<LUA
$PRELUDE
local s = net.createConnection(net.TCP, 1)
s:on("disconnection", function(c, code, why) print("DISC", code, why) end)
s:connect($SOCAT_PORT, "127.0.0.1")
s:send("SECRET-PLAINTEXT")
LUA
nm_start plainsend
wait_exit "$NM_PID" 20
if [ -f "$T/plainsink.bin" ] && ! grep -q SECRET "$T/plainsink.bin" && grep -q '^DISC	-28' "$T/plainsend.out"; then
  ok "data sent before a failed handshake never leaves in plain text"
else fail "no plain-text fallback" "$(describe plainsend)"; fi

# A server that reads the ClientHello, then resets the connection.
python3 - "$T/reset.port" <<'PY' &
import socket, struct, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
open(sys.argv[1], "w").write("%d\n" % s.getsockname()[1])
s.settimeout(20)
c, _ = s.accept(); c.recv(100)
c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)); c.close()
PY
track $!
wait_line "$T/reset.port" '^[0-9]+' 5
run_client reset "$(cat "$T/reset.port")" 127.0.0.1 off "$GET"
if ! grep -q '^CONNECTED' "$T/reset.out" && grep -q '^DISC	-9	connection reset by peer' "$T/reset.out"; then
  ok "a peer resetting mid-handshake: disconnection -9 with the reason"
else fail "reset mid-handshake" "$(describe reset)"; fi

finish
