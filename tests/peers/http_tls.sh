#!/usr/bin/env bash
# https with the secure sockets' certificate rules: an origin with a test CA's
# certificates (good, for another name, expired, from an unknown CA) with and
# without verification, in both profiles; then the seed's own example —
# net.cert.verify(true) and http.get("https://example.com/info") — against
# nginx on port 443 of a loopback address of this run, the name resolved by
# dnsmasq through net.dns.setdnsserver (root only, as dns.sh).
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/pki.sh"
. "$(dirname "$0")/lib/http_origin.sh"
need python3 openssl

PKI=$T/pki
make_pki "$PKI" && pki_sign "$PKI" example ca "DNS:example.com" ||
  { echo "not ok - setup: cannot make the test certificates"; exit 1; }
for cert in good wrong expired unknown; do
  origin "$cert" --tls "$PKI/$cert.crt" "$PKI/$cert.key" || { echo "not ok - setup: origin $cert"; exit 1; }
  eval "PORT_$cert=$ORIGIN_PORT"
done

# run NAME PROFILE HOME LUA — runs the script text; output in $T/NAME.out/.err.
run() {
  printf '%s\n' "$4" >"$T/$1.lua"
  NETMCU_COMPAT=$2 NETMCU_HOME=$3 timeout -k 2 "$(bound 30)" "$NETMCU" "$T/$1.lua" >"$T/$1.out" 2>"$T/$1.err"
}
# expect NAME LABEL TEXT — the script printed exactly TEXT as its last RESULT line.
expect() {
  local got
  got=$(grep '^RESULT' "$T/$1.out" | tail -n 1)
  if [ "$got" = "RESULT $3" ]; then ok "$2"; else fail "$2" "got '$got'"; describe "$1"; fi
}

GET='function get(url) http.get(url, nil, function(code, body) print("RESULT " .. code .. " " .. tostring(body and body:match("^%S+ %S+"))) end) end'
for profile in 1.5 3.0; do
  home=$T/home-$profile
  P="https ($profile)"
  run plain "$profile" "$home" "$GET
get('https://127.0.0.1:$PORT_good/echo')"
  expect plain "$P: without verification the request goes through TLS" "200 GET /echo"
  if grep -q 'without certificate verification' "$T/plain.err"; then ok "$P: the unverified connection is warned about"
  else fail "$P: the unverified connection is warned about" "$(cat "$T/plain.err")"; fi

  if [ "$profile" = 3.0 ]; then setca="tls.cert.verify(io.open('$PKI/ca.crt'):read('*a'))"
  else setca="net.cert.verify(io.open('$PKI/ca.crt'):read('*a'))"; fi
  run verified "$profile" "$home" "$GET
$setca
get('https://localhost:$PORT_good/echo')"
  expect verified "$P: verified against the stored CA, by name" "200 GET /echo"

  for bad in wrong expired unknown; do
    eval "port=\$PORT_$bad"
    run "bad-$bad" "$profile" "$home" "$GET
$setca
get('https://localhost:$port/echo')"
    expect "bad-$bad" "$P: verification refuses a certificate that is $bad: -1" "-1 nil"
    if grep -q '^HTTP client: Disconnected with error: certificate verify failed' "$T/bad-$bad.out"; then
      ok "$P: the console says why ($bad)"
    else fail "$P: the console says why ($bad)" "$(grep 'HTTP client' "$T/bad-$bad.out")"; fi
  done
  run unverified "$profile" "$home" "$GET
net.cert.verify(false)
get('https://localhost:$PORT_unknown/echo')"
  expect unverified "$P: verification off: an unknown CA's certificate is accepted" "200 GET /echo"
done

# A redirect from http to https: the new URL's scheme, name and certificate rules.
origin plain || { echo "not ok - setup: origin plain"; exit 1; }
run upgrade 1.5 "$T/home-1.5" "$GET
net.cert.verify(true)
get('http://127.0.0.1:$ORIGIN_PORT/to?url=https://localhost:$PORT_good/echo')"
expect upgrade "https: a redirect from http to https is followed with verification" "200 GET /echo"
run redirect-wrong 1.5 "$T/home-1.5" "$GET
net.cert.verify(true)
get('http://127.0.0.1:$ORIGIN_PORT/to?url=https://localhost:$PORT_wrong/echo')"
expect redirect-wrong "https: a redirect to https with a wrong certificate fails: -1" "-1 nil"

# The Host header of https: no port for 443, the port otherwise.
run host 1.5 "$T/home-1.5" "net.cert.verify(false)
http.get('https://127.0.0.1:$PORT_good/echo', nil, function(code, body) print('RESULT ' .. body:match('Host: [^\r]*')) end)"
expect host "https: Host carries a port that is not 443" "Host: 127.0.0.1:$PORT_good"

# --- the seed's example: a name from dnsmasq, nginx on port 443 ------------
if [ "$(id -u)" != 0 ]; then
  skip "https: the seed's net.cert.verify + http.get example" "port 53 and 443 need root"; finish
fi
DNSMASQ=$(command -v dnsmasq || echo /usr/sbin/dnsmasq)
need nginx
NETP=127.80.$(( $$ % 250 + 1 ))
WEB=$NETP.1 DNS=$NETP.2
timeout -k 2 "$(bound 60)" "$DNSMASQ" --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts \
  --bind-interfaces --listen-address="$DNS" --port=53 --pid-file= --user=root --log-facility="$T/dnsmasq.log" \
  --local=/test/ --host-record=example.com,"$WEB" &
track $!
d=$T/nginx
mkdir -p "$d" "$T/www"
printf 'info from nginx\n' >"$T/www/info"
cat >"$d/nginx.conf" <<CONF
daemon off;
master_process off;
worker_processes 1;
pid $d/nginx.pid;
error_log $d/error.log;
events { worker_connections 64; }
http {
  log_format sni 'SNI=\$ssl_server_name HOST=\$http_host UA=\$http_user_agent URI=\$uri';
  access_log $T/nginx.access sni;
  client_body_temp_path $d/body; proxy_temp_path $d/proxy; fastcgi_temp_path $d/fcgi;
  uwsgi_temp_path $d/uwsgi; scgi_temp_path $d/scgi;
  server {
    listen $WEB:443 ssl;
    ssl_certificate $PKI/example.crt;
    ssl_certificate_key $PKI/example.key;
    root $T/www;
  }
}
CONF
timeout -k 2 "$(bound 60)" nginx -p "$d" -c "$d/nginx.conf" 2>"$T/nginx.err" &
track $!
ready=0
for _ in $(seq 100); do
  (exec 3<>"/dev/tcp/$WEB/443") 2>/dev/null && ss -lunH 2>/dev/null | grep -q " $DNS:53 " && { ready=1; break; }
  sleep 0.05
done
[ $ready = 1 ] || { fail "https: nginx and dnsmasq start" "$(cat "$T/nginx.err" "$d/error.log" 2>/dev/null)"; finish; }

# The CA goes into the board's flash once; the example then runs as the seed shows it.
home=$T/home-seed
run store 1.5 "$home" "print('RESULT ' .. tostring(net.cert.verify(io.open('$PKI/ca.crt'):read('*a'))))"
expect store "https: the test CA is stored with net.cert.verify(pem)" "true"
run seed 1.5 "$home" "net.dns.setdnsserver('$DNS')
net.cert.verify(true)
http.get(\"https://example.com/info\", nil, function (code, resp) print(code, resp) end)"
if [ "$(cat "$T/seed.out")" = $'200\tinfo from nginx\n' ] || [ "$(cat "$T/seed.out")" = $'200\tinfo from nginx' ]; then
  ok "https: the seed's example — net.cert.verify(true), http.get(\"https://example.com/info\") — prints 200 and the body"
else
  fail "https: the seed's example" "$(cat "$T/seed.out")"; describe seed
fi
if grep -q '^SNI=example.com HOST=example.com UA=ESP8266 URI=/info$' "$T/nginx.access"; then
  ok "https: nginx saw SNI example.com, Host example.com (port 443 not added), User-Agent ESP8266"
else
  fail "https: nginx saw SNI and Host example.com" "$(cat "$T/nginx.access")"
fi
run nxdomain 1.5 "$home" "net.dns.setdnsserver('$DNS')
http.get('https://nothere.test/info', nil, function(code, resp) print('RESULT ' .. code .. ' ' .. tostring(resp)) end)"
expect nxdomain "https: a name the DNS server does not know: -1" "-1 nil"
if grep -q '^HTTP client: DNS failed for nothere.test$' "$T/nxdomain.out"; then ok "https: the console says 'DNS failed for nothere.test'"
else fail "https: the console says 'DNS failed for nothere.test'" "$(cat "$T/nxdomain.out")"; fi
finish
