#!/usr/bin/env bash
# The http module against real servers on loopback: a raw origin
# (lib/http_origin.py) for every method, redirect chains, chunked and large
# bodies, slow and hostile servers (http_client_cases.lua, both profiles); each
# era's timeout; errors in callbacks; exit with requests in flight.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/http_origin.sh"
. "$(dirname "$0")/lib/pki.sh" # free_port
need python3
HERE=$(cd "$(dirname "$0")" && pwd)

origin plain || { echo "not ok - setup: the origin server did not start"; exit 1; }
PLAIN=$ORIGIN_PORT
REFUSED_PORT=$(free_port)

# The timeouts run alongside the cases: 1.5 gives up after 10 s, 3.0 still
# waits at 12 s (its limit is 60 s).
cat >"$T/timeout.lua" <<LUA
$PRELUDE
local t0 = tmr.now()
http.get("http://127.0.0.1:$PLAIN/" .. arg[1], nil, function(code, body)
  print("RESULT", code, body, math.floor((tmr.now() - t0) / 1000))
end)
LUA
nm_start timeout NETMCU_COMPAT=1.5 -- "never"; TO15=$NM_PID
cp "$T/timeout.lua" "$T/timeout30.lua"
nm_start timeout30 NETMCU_COMPAT=3.0 -- "slow?ms=12000"; TO30=$NM_PID

for profile in 1.5 3.0; do
  env NETMCU_COMPAT=$profile ORIGIN_PORT=$PLAIN REFUSED_PORT=$REFUSED_PORT \
    timeout -k 2 "$(bound 120)" "$NETMCU" "$HERE/http_client_cases.lua" 2>"$T/cases-$profile.err" ||
    { FAILED=$((FAILED + 1)); sed 's/^/# /' "$T/cases-$profile.err" | tail -n 20; }
done

# The endless loop: the first request and twenty redirects, then no more.
loops=$(grep -c '^GET /loop$' "$T/plain.log")
if [ "$loops" = 42 ]; then ok "http: an endless redirect loop stops after 21 requests (per profile)"
else fail "http: an endless redirect loop stops after 21 requests (per profile)" "$loops requests in two runs"; fi

wait_exit "$TO15" 20
to15=$(grep '^RESULT' "$T/timeout.out")
ms=$(echo "$to15" | awk '{print $4}')
if [ "$(echo "$to15" | awk '{print $2, $3}')" = "-1 nil" ] && [ "${ms:-0}" -ge 9900 ] &&
   [ "${ms:-0}" -lt $((11000 * SLOW)) ] && grep -q '^HTTP client: Connection timeout' "$T/timeout.out"; then
  ok "http (1.5): a server that never answers: -1 after 10 s, 'Connection timeout' on the console"
else
  fail "http (1.5): a server that never answers: -1 after 10 s" "got '$to15'"; describe timeout
fi
wait_exit "$TO30" 30
to30=$(grep '^RESULT' "$T/timeout30.out")
if [ "$(echo "$to30" | awk '{print $2, $3}')" = "200 slow" ]; then
  ok "http (3.0): an answer after 12 s arrives (the limit is 60 s)"
else
  fail "http (3.0): an answer after 12 s arrives" "got '$to30'"; describe timeout30
fi

# An error in the callback: reported with a traceback, the run ends non-zero.
cat >"$T/cberr.lua" <<LUA
http.get("http://127.0.0.1:$PLAIN/echo", nil, function(code) error("boom in callback " .. code) end)
LUA
for profile in 1.5 3.0; do
  NETMCU_COMPAT=$profile timeout -k 2 "$(bound 20)" "$NETMCU" "$T/cberr.lua" >"$T/cberr.out" 2>"$T/cberr.err"
  status=$?
  if [ $status -ne 0 ] && grep -q 'boom in callback 200' "$T/cberr.err" && grep -q 'traceback' "$T/cberr.err"; then
    ok "http ($profile): an error in the callback is reported with a traceback, exit $status"
  else
    fail "http ($profile): an error in the callback is reported" "status $status"; describe cberr
  fi
done

# Out of Lua memory when the answer arrives (a 1 MiB body, the heap filled
# right after the call): an ordinary error, exit status 1, never an abort.
. "$(dirname "$0")/lib/fill.sh"
cat >"$T/oom.lua" <<LUA
$FILL
http.get("http://127.0.0.1:$PLAIN/big?n=1048576", nil, function(code, body) print("GOT", #body) end)
fill()
LUA
for profile in 1.5 3.0; do
  env NETMCU_COMPAT=$profile NETMCU_HEAP=2m timeout -k 2 "$(bound 20)" "$NETMCU" "$T/oom.lua" >"$T/oom.out" 2>"$T/oom.err"
  status=$?
  if grep -q '^SKIP' "$T/oom.out"; then
    skip "http ($profile): out of Lua memory for the answer" "$(grep '^SKIP' "$T/oom.out")"
  elif [ $status = 1 ] && grep -q 'not enough memory' "$T/oom.err" && ! grep -q '^GOT' "$T/oom.out" &&
       ! grep -qE 'Sanitizer|runtime error|PANIC' "$T/oom.err"; then
    ok "http ($profile): out of Lua memory for the answer is an ordinary error"
  else
    fail "http ($profile): out of Lua memory for the answer is an ordinary error" "status $status"; describe oom
  fi
done

# The console shows why a request failed, after "HTTP client: ".
cat >"$T/reason.lua" <<LUA
http.get("ftp://example.test/", nil, function(code) print("CODE", code) end)
LUA
timeout -k 2 "$(bound 20)" "$NETMCU" "$T/reason.lua" >"$T/reason.out" 2>"$T/reason.err"
if [ "$(cat "$T/reason.out")" = $'HTTP client: URL is not HTTP or HTTPS\nCODE\t-1' ]; then
  ok "http: the reason of a failure on the console, then the callback"
else
  fail "http: the reason of a failure on the console" "$(tr '\n' '|' <"$T/reason.out")"
fi

# Ending the run (an error) with requests in flight: dropped cleanly and quickly.
cat >"$T/pending.lua" <<LUA
for i = 1, 10 do http.get("http://127.0.0.1:$PLAIN/never", nil, function() print("event") end) end
http.get("http://127.0.0.1:$PLAIN/stall", nil, function() print("event") end)
tmr.create():alarm(300, tmr.ALARM_SINGLE, function() error("stop with requests pending") end)
LUA
for profile in 1.5 3.0; do
  start=$(now_ms)
  NETMCU_COMPAT=$profile timeout -k 2 "$(bound 20)" "$NETMCU" "$T/pending.lua" >"$T/pending.out" 2>"$T/pending.err"
  status=$? took=$(( $(now_ms) - start ))
  if [ $status = 1 ] && grep -q 'stop with requests pending' "$T/pending.err" && [ ! -s "$T/pending.out" ] &&
     ! grep -qE 'Sanitizer|runtime error' "$T/pending.err" && [ $took -lt $((3000 * SLOW)) ]; then
    ok "http ($profile): exiting with 11 requests in flight drops them cleanly (${took} ms)"
  else
    fail "http ($profile): exiting with requests in flight" "status $status after ${took} ms"; describe pending
  fi
done

# An IPv6 literal in brackets (an extension: the firmware cannot parse it).
if python3 -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null; then
  mkdir -p "$T/www6" && printf 'over ipv6' >"$T/www6/six"
  (cd "$T/www6" && exec timeout -k 2 "$(bound 30)" python3 -u -m http.server -b ::1 0 >"$T/v6.log" 2>&1) &
  track $!
  if wait_line "$T/v6.log" 'port [0-9]+' 10; then
    v6port=$(sed -n 's/.* port \([0-9]*\).*/\1/p' "$T/v6.log" | head -n 1)
    printf '%s\n' "http.get('http://[::1]:$v6port/six', nil, function(code, body) print(code, body) end)" >"$T/v6.lua"
    out=$(timeout -k 2 "$(bound 20)" "$NETMCU" "$T/v6.lua" 2>&1)
    if [ "$out" = $'200\tover ipv6' ]; then ok "http: an IPv6 literal in brackets"
    else fail "http: an IPv6 literal in brackets" "$out"; fi
  else
    fail "http: an IPv6 literal in brackets" "the IPv6 server did not start"
  fi
else
  skip "http: an IPv6 literal in brackets" "no IPv6 on loopback"
fi

# require "net.http" from plain Lua, with net.so (an ASan build needs the
# sanitizer runtimes preloaded, as run-tests does for tests/plain). Leak
# checks stay off here: the plain interpreter unloads net.so without the
# runner's loop shutdown, and a plain net socket leaves the same 3 blocks.
LUA_BIN=${LUA_BIN:-lua5.3}
preload=
[ -n "${NETMCU_SANITIZED:-}" ] && preload="$(cc -print-file-name=libasan.so) $(cc -print-file-name=libubsan.so)"
if command -v "$LUA_BIN" >/dev/null 2>&1; then
  out=$(cd "$(dirname "$NETMCU")" && LD_PRELOAD="$preload" ASAN_OPTIONS=detect_leaks=0 timeout 20 "$LUA_BIN" -e "
    package.cpath = './?.so;' .. package.cpath
    local http, net = require 'net.http', require 'net'
    http.get('http://127.0.0.1:$PLAIN/status?code=203', nil, function(code, body) print(code, body) end)
    net.run()" 2>&1)
  if [ "$out" = $'203\tstatus 203' ]; then ok "http: require \"net.http\" from plain Lua ($LUA_BIN)"
  else fail "http: require \"net.http\" from plain Lua ($LUA_BIN)" "$out"; fi
else
  skip "http: require \"net.http\" from plain Lua" "$LUA_BIN is not installed"
fi
finish
