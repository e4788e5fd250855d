#!/usr/bin/env bash
# lua-version-dependent: the interpreter's memory, error texts or console shows through
# net.cert: the firmware's PEM rules and every error text, the store as a
# sector file (rewritten only on change, storage failures), a stored blob
# that is not a certificate, net.cert.auth against a server that requires a
# client certificate, and a server-ca.crt embedded at build time.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/pki.sh"
need openssl python3

PKI=$T/pki
make_pki "$PKI" || bail "cannot make the test certificates"

# --- the PEM parser's texts ----------------------------------------------
cat >"$T/pem.lua" <<'LUA'
io.stdout:setvbuf("line")
local function try(label, f, ...)
  local ok, e = pcall(f, ...)
  print(label .. "=" .. (ok and "ok:" .. tostring(e) or tostring(e)))
end
local function pem(kind, body, endkind)
  return "-----BEGIN " .. kind .. "-----\n" .. body .. "\n-----END " .. (endkind or kind) .. "-----\n"
end
local v = net.cert.verify
try("empty", v, true)
try("noheader", v, "hello")
try("number", v, 42)
try("wrongtype", v, pem("PUBLIC KEY", "QUJD"))
try("nonewline", v, "-----BEGIN CERTIFICATE-----")
try("badchar", v, pem("CERTIFICATE", "QU*JD"))
try("noend", v, "-----BEGIN CERTIFICATE-----\nQUJD\n")
try("endtype", v, pem("CERTIFICATE", "QUJD", "PUBLIC KEY"))
try("bits", v, pem("CERTIFICATE", "QUJDRA"))
try("toolarge", v, pem("CERTIFICATE", string.rep("QUJD", 1400)))
try("padded", v, pem("CERTIFICATE", "QUJD\nRA==")) -- not X.509, but stored, as on the device
try("off", v, false)
try("nil", v)
try("table", v, {})
local a = net.cert.auth
try("authempty", a, true)
try("authkeytype", a, pem("CERTIFICATE", "QUJD"), pem("PRIVATE KEY", "QUJD"))
try("authnokey", a, pem("CERTIFICATE", "QUJD"), nil)
LUA
NETMCU_HOME=$T/pemhome timeout 10 "$NETMCU" "$T/pem.lua" >"$T/pem.out" 2>"$T/pem.err"
check_pem() { # label expected
  if grep -qxF "$1=$2" "$T/pem.out"; then ok "net.cert.verify: $1 → $2"
  else fail "pem $1" "want '$2', got '$(grep "^$1=" "$T/pem.out")' $(cat "$T/pem.err")"; fi
}
check_pem empty "no certificates found"
check_pem noheader "No PEM header"
check_pem number "no certificates found"   # a number is not a string: truthiness
check_pem wrongtype "Wrong PEM type"
check_pem nonewline "Incorrect PEM format"
check_pem badchar "Invalid character in PEM"
check_pem noend "Invalid PEM format data"
check_pem endtype "Invalid PEM format data"
check_pem bits "Invalid PEM format data"
check_pem toolarge "Invalid PEM format data"
check_pem padded "ok:true"
check_pem off "ok:true"
check_pem nil "ok:true"
check_pem table "ok:true"
check_pem authempty "no certificates found"
check_pem authkeytype "Wrong PEM type"
check_pem authnokey "No PEM blob"

# The sector the firmware would have written: name, length, DER, 0xFF.
python3 - "$T/pemhome/server-ca.sector" >"$T/sector.txt" <<'PY'
import sys
b = open(sys.argv[1], "rb").read()
ok = (len(b) == 4096 and b[:32] == b"certificate".ljust(32, b"\0") and b[32:34] == b"\x04\0"
      and b[34:38] == b"ABCD" and set(b[38:]) == {0xff})
print("SECTOR", "ok" if ok else repr(b[:40]))
PY
if grep -q '^SECTOR ok' "$T/sector.txt"; then ok "the store is the firmware's sector: name, length, DER, 0xFF fill"
else fail "sector layout" "$(cat "$T/sector.txt")"; fi

# --- storage: rewritten only on change; failures --------------------------
store() { # home pem-file → prints the result of verify(pem)
  NETMCU_HOME=$1 timeout 10 "$NETMCU" -e "print(pcall(net.cert.verify, io.open('$2'):read('*a')))" 2>&1
}
store "$T/h1" "$PKI/ca.crt" >/dev/null
inode=$(stat -c %i "$T/h1/server-ca.sector")
store "$T/h1" "$PKI/ca.crt" >/dev/null
inode2=$(stat -c %i "$T/h1/server-ca.sector")
store "$T/h1" "$PKI/other-ca.crt" >/dev/null
inode3=$(stat -c %i "$T/h1/server-ca.sector")
if [ "$inode" = "$inode2" ] && [ "$inode3" != "$inode" ]; then
  ok "the sector file is rewritten only when its contents change"
else fail "rewrite on change" "$inode $inode2 $inode3"; fi

: >"$T/not-a-dir"
out=$(store "$T/not-a-dir/home" "$PKI/ca.crt")
if [ "$out" = "false	Failed to erase sector" ]; then ok "a state directory that cannot be made: Failed to erase sector"
else fail "erase failure" "$out"; fi
mkdir -p "$T/h2/server-ca.sector"
out=$(store "$T/h2" "$PKI/ca.crt")
if [ "$out" = "false	Failed to write sector" ]; then ok "a sector that cannot be replaced: Failed to write sector"
else fail "write failure" "$out"; fi

# --- a stored blob that is not a certificate ------------------------------
s_server good good -www || exit 1
GOOD=$SS_PORT
cat >"$T/junk.lua" <<LUA
$PRELUDE
net.cert.verify("-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----\n")
local s = net.createConnection(net.TCP, 1)
s:on("connection", function() print("CONNECTED") end)
s:on("disconnection", function(c, code, why) print("DISC", code, why) end)
s:connect($GOOD, "localhost")
LUA
NETMCU_HOME=$T/junkhome nm_start junk
wait_exit "$NM_PID" 10
if grep -q '^DISC	-28	a trusted CA is not a certificate' "$T/junk.out"; then
  ok "a stored CA that is not X.509 fails the handshake with that reason"
else fail "junk CA" "$(describe junk)"; fi

# --- net.cert.auth: a server that requires a client certificate -----------
s_server auth good -www -Verify 1 -CAfile "$PKI/ca.crt" || exit 1
cat >"$T/auth.lua" <<LUA
$PRELUDE
local function read(f) local h = assert(io.open(f)); local s = h:read("*a"); h:close(); return s end
if arg[1] == "with" then print("AUTH", net.cert.auth(read("$PKI/client.crt"), read("$PKI/client.key"))) end
local got = {}
local s = net.createConnection(net.TCP, 1)
s:on("connection", function(c) c:send("GET / HTTP/1.0\r\n\r\n") end)
s:on("receive", function(c, d) got[#got + 1] = d end)
s:on("disconnection", function(c, code, why)
  local body = table.concat(got)
  print("CLIENT", body:match("Client certificate") and "shown" or "none")
  print("DISC", code, why)
end)
s:connect($SS_PORT, "localhost")
LUA
cp "$T/auth.lua" "$T/noauth.lua"
NETMCU_HOME=$T/authhome nm_start auth -- with
wait_exit "$NM_PID" 10
NETMCU_HOME=$T/noauthhome nm_start noauth -- without
wait_exit "$NM_PID" 10
if grep -q '^AUTH	true' "$T/auth.out" && grep -q '^CLIENT	shown' "$T/auth.out" && grep -q '^DISC	0' "$T/auth.out"; then
  ok "net.cert.auth(cert, key): the server that requires a client certificate accepts it"
else fail "auth" "$(describe auth; tail -5 "$T/auth.ss")"; fi
if grep -qE '^DISC	-(28|61)	.*certificate required' "$T/noauth.out"; then
  ok "without a client certificate the server refuses: the reason says so"
else fail "no auth" "$(describe noauth)"; fi

# --- server-ca.crt embedded at build time ---------------------------------
# Relinks this build's objects with the embedded-CA file that the build's
# own rule (tools/embed-ca.sh) makes from a certificate.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILDDIR=$(dirname "$NETMCU")
case "${LUA_BIN:-lua5.1}" in luajit) lua=luajit ;; *) lua=${LUA_BIN#lua} ;; esac
extra=()
[ -n "${NETMCU_SANITIZED:-}" ] && extra=(EXTRA_LDFLAGS="-fsanitize=address,undefined")
link=$(cd "$ROOT" && make -s -n -B LUA="$lua" BUILD="$BUILDDIR" "${extra[@]}" "$BUILDDIR/netmcu" 2>/dev/null |
       grep -F -- "-o $BUILDDIR/netmcu " | tail -n 1)
cp "$PKI/ca.crt" "$T/server-ca.crt"
ln -s "$BUILDDIR/plugins" "$T/plugins" # the relinked runner loads this build's plugins (src/runtime/plugin.h)
if [ -n "$link" ] && (cd "$ROOT" && sh tools/embed-ca.sh "$T/server-ca.crt" "$T/gen/server_ca.c") &&
   cc -I"$ROOT/src" -c -o "$T/server_ca.o" "$T/gen/server_ca.c" &&
   (cd "$ROOT" && eval "${link/"$BUILDDIR/obj/gen/server_ca.o"/"$T/server_ca.o"}" -o "$T/netmcu-ca") 2>"$T/link.err"; then
  cat >"$T/embedded.lua" <<LUA
$PRELUDE
print("VERIFY", pcall(net.cert.verify, true))
local s = net.createConnection(net.TCP, 1)
s:on("connection", function(c) print("CONNECTED"); c:close() end)
s:on("disconnection", function(c, code, why) print("DISC", code, why) end)
s:connect($GOOD, "localhost")
LUA
  NETMCU_HOME=$T/embhome timeout 10 "$T/netmcu-ca" "$T/embedded.lua" >"$T/embedded.out" 2>&1
  NETMCU_HOME=$T/embhome2 timeout 10 "$NETMCU" -e 'print("PLAIN", pcall(net.cert.verify, true))' >"$T/plainbuild.out" 2>&1
  if grep -q '^VERIFY	true	true' "$T/embedded.out" && grep -q '^CONNECTED' "$T/embedded.out" &&
     grep -q '^PLAIN	false	no certificates found' "$T/plainbuild.out" && [ ! -e "$T/embhome/server-ca.sector" ]; then
    ok "a server-ca.crt embedded at build time is the stored CA until one is stored"
  else fail "embedded CA" "$(cat "$T/embedded.out" "$T/plainbuild.out")"; fi
else
  fail "embedded CA" "could not relink with the embedded certificate: $(head -c 400 "$T/link.err")"
fi
printf 'not a certificate\n' >"$T/bad.crt"
cat "$PKI/ca.crt" "$PKI/other-ca.crt" >"$T/two.crt"
e1=$(cd "$ROOT" && sh tools/embed-ca.sh "$T/bad.crt" "$T/gen/x.c" 2>&1)
e2=$(cd "$ROOT" && sh tools/embed-ca.sh "$T/two.crt" "$T/gen/x.c" 2>&1)
if [[ "$e1" == *"Input file was not in PEM format"* && "$e2" == *"Input file contains more than one PEM object"* ]]; then
  ok "the build refuses a server-ca.crt that is not exactly one PEM object, with the firmware's messages"
else fail "embed errors" "$e1 / $e2"; fi

finish
