#!/usr/bin/env bash
# Secure MQTT against mosquitto's TLS listeners with a test CA: verification
# off and on (net.cert.verify, the 3.0 tls.cert.verify), an unknown CA, a
# certificate for another name, and the name check made against the name the
# script gave (a certificate for "localhost" only, reached as localhost);
# messages both ways over TLS.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/pki.sh"
. "$(dirname "$0")/lib/mqtt.sh"
need openssl

PKI=$T/pki
make_pki "$PKI" || { echo "not ok - setup: cannot make the test certificates"; exit 1; }
export NETMCU_HOME=$T/home

# One broker: a plain listener and one TLS listener per server certificate.
# A port free_port found can be taken by a test running alongside before the
# broker binds it (mosquitto then exits after opening the plain listener), so
# the whole broker is started again on new ports, up to three times.
declare -A TLS_PORT
tls_broker() {
  local conf=() cert
  for cert in good unknown wrong ipless; do
    TLS_PORT[$cert]=$(free_port)
    conf+=("listener ${TLS_PORT[$cert]} 127.0.0.1" "certfile $PKI/$cert.crt" "keyfile $PKI/$cert.key")
  done
  broker_start tls "${conf[@]}" || return 1
  for cert in good unknown wrong ipless; do
    wait_port "${TLS_PORT[$cert]}" 5 || { TLS_MISSING=$cert; kill "$BROKER_PID" 2>/dev/null; return 1; }
  done
}
for try in 1 2 3; do
  tls_broker && break
  [ "$try" = 3 ] && { fail setup "TLS listener ${TLS_MISSING:-of the broker} did not open (3 tries): $(tail -n 3 "$T/tls.broker.log" | tr '\n' ' ')"; finish; }
done

# client.lua PORT HOST VERIFY PROFILE — VERIFY: off, or the PEM file of the CA.
cat >"$T/client.lua" <<'LUA'
local port, host, verify, profile = tonumber(arg[1]), arg[2], arg[3], arg[4]
if verify ~= "off" then
  local f = assert(io.open(verify)); local pem = f:read("*a"); f:close()
  if profile == "3.0" then print("VERIFY", tls.cert.verify(pem)) else print("VERIFY", net.cert.verify(pem)) end
end
local m = mqtt.Client("tls-" .. port, 60)
m:on("message", function(c, t, d) print("MSG " .. t .. " " .. d) c:close() end)
local function up(c)
  print("CONNECTED")
  c:subscribe("tls/in", 1, function(c2)
    print("SUBSCRIBED")
    c2:publish("tls/out", "from netmcu", 1, 0)
  end)
end
local function failed(c, r) print("FAIL " .. r) end
if profile == "3.0" then m:connect(host, port, true, up, failed)
else m:connect(host, port, 1, 0, up, failed) end
LUA

run_case() { # NAME PORT HOST VERIFY PROFILE
  local name=$1; shift
  cp "$T/client.lua" "$T/$name.lua"
  local envs=()
  [ "$4" = 3.0 ] && envs=(NETMCU_COMPAT=3.0)
  nm_start "$name" "${envs[@]+"${envs[@]}"}" -- "$@"
}

expect() { # CASE-NAME FILE REGEX [SECONDS]
  if wait_line "$2" "$3" "${4:-8}"; then ok "$1"
  else fail "$1" "want /$3/: $(tr '\n' ' ' <"$2" | head -c 400)"; fi
}

# Messages both ways over TLS, verification off.
sub_start out -t tls/out -C 1
run_case off "${TLS_PORT[good]}" 127.0.0.1 off 1.5
if wait_line "$T/off.out" '^SUBSCRIBED' 8; then
  pub -t tls/in -m "to netmcu" -q 1
  expect "verify off: connected, messages both ways" "$T/off.out" '^MSG tls/in to netmcu$'
  expect "verify off: the broker got the publish" "$T/out.sub" '^tls/out from netmcu$'
  grep -q "without certificate verification" "$T/off.err" && ok "verify off: the warning on stderr" ||
    fail "verify off: the warning on stderr" "$(cat "$T/off.err")"
else
  fail "verify off: connected, messages both ways" "$(cat "$T/off.out" "$T/off.err")"
fi

run_case good "${TLS_PORT[good]}" localhost "$PKI/ca.crt" 1.5
expect "verify on (net.cert.verify), the test CA: connected" "$T/good.out" '^CONNECTED'
run_case good30 "${TLS_PORT[good]}" 127.0.0.1 "$PKI/ca.crt" 3.0
expect "3.0 verify on (tls.cert.verify), connect(host, port, true): connected" "$T/good30.out" '^CONNECTED'
run_case ipless "${TLS_PORT[ipless]}" localhost "$PKI/ca.crt" 1.5
expect "the name check uses the script's name (localhost), not the address" "$T/ipless.out" '^CONNECTED'
run_case ipless_ip "${TLS_PORT[ipless]}" 127.0.0.1 "$PKI/ca.crt" 3.0
expect "a certificate without the IP, reached by IP: CONN_FAIL_SERVER_NOT_FOUND" "$T/ipless_ip.out" '^FAIL -5$'
run_case unknown "${TLS_PORT[unknown]}" localhost "$PKI/ca.crt" 1.5
expect "an unknown CA: -5" "$T/unknown.out" '^FAIL -5$'
expect "an unknown CA: the reason on stderr" "$T/unknown.err" 'certificate verify failed'
run_case wrong "${TLS_PORT[wrong]}" localhost "$PKI/ca.crt" 3.0
expect "a certificate for another name: -5" "$T/wrong.out" '^FAIL -5$'
expect "a certificate for another name: the reason on stderr" "$T/wrong.err" 'certificate verify failed: [Hh]ostname mismatch'
run_case plain_to_tls "$BROKER_PORT" localhost "$PKI/ca.crt" 1.5
expect "TLS to a plain listener: -5" "$T/plain_to_tls.out" '^FAIL -5$'
sanitizer_clean
finish
