#!/usr/bin/env bash
# HTTP against a netmcu keep-alive server: curl (one and several requests per
# connection) and wrk (-t1 -c20 -d2s), then curl again.
. "$(dirname "$0")/lib/common.sh"
need curl wrk

cat >"$T/httpd.lua" <<EOF
$PRELUDE
local accepts = 0
local sv = net.createServer(net.TCP, 30)
sv:listen(0, "127.0.0.1", function(c)
  accepts = accepts + 1
  print("ACCEPT " .. accepts)
  local buf = ""
  c:on("receive", function(c, data)
    buf = buf .. data
    while true do
      local e = buf:find("\r\n\r\n", 1, true)
      if not e then break end
      local path = buf:match("^%u+ (%S+)") or "?"
      buf = buf:sub(e + 4)
      local body = "hello " .. path .. "\n"
      c:send("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " .. #body ..
             "\r\nConnection: keep-alive\r\n\r\n" .. body)
    end
  end)
end)
print("PORT " .. sv:getaddr())
EOF

if ! nm_server httpd; then
  fail "http: server starts" "no port printed"; finish
fi
base="http://127.0.0.1:$PORT"

# 1. One request: exact status and body.
out=$(timeout 10 curl -sS -o "$T/body1" -w '%{http_code}' "$base/one" 2>"$T/curl1.err")
if [ "$out" = 200 ] && [ "$(cat "$T/body1")" = "hello /one" ]; then
  ok "http: curl gets status 200 and the exact body"
else
  fail "http: curl gets status 200 and the exact body" "status '$out', body '$(cat "$T/body1" 2>/dev/null)', $(cat "$T/curl1.err")"
fi

# 2. Three requests on one connection: every body right, only the first connects.
accepts_before=$(grep -c '^ACCEPT' "$T/httpd.out")
timeout 10 curl -sS -w '[%{http_code} %{num_connects}]\n' "$base/a" "$base/b" "$base/c" \
  >"$T/multi.out" 2>"$T/multi.err"
expected=$'hello /a\n[200 1]\nhello /b\n[200 0]\nhello /c\n[200 0]'
sleep 0.2
accepts_after=$(grep -c '^ACCEPT' "$T/httpd.out")
if [ "$(cat "$T/multi.out")" = "$expected" ] && [ $((accepts_after - accepts_before)) -eq 1 ]; then
  ok "http: three requests on one keep-alive connection"
else
  fail "http: three requests on one keep-alive connection" \
    "got '$(tr '\n' '|' <"$T/multi.out")', $((accepts_after - accepts_before)) accepts; $(cat "$T/multi.err")"
fi

# 3. wrk: requests > 0, no socket errors, no non-2xx answers.
timeout $(bound 20) wrk -t1 -c20 -d2s "$base/" >"$T/wrk.out" 2>&1
wrk_status=$?
requests=$(sed -n 's/^ *\([0-9][0-9]*\) requests in.*/\1/p' "$T/wrk.out")
if [ "$wrk_status" -eq 0 ] && [ -n "$requests" ] && [ "$requests" -gt 0 ] &&
   ! grep -q 'Socket errors' "$T/wrk.out" && ! grep -q 'Non-2xx' "$T/wrk.out"; then
  ok "http: wrk -t1 -c20 -d2s: $requests requests, no errors"
else
  fail "http: wrk -t1 -c20 -d2s without errors" "wrk status $wrk_status: $(tr '\n' '|' <"$T/wrk.out")"
fi

# 4. Still serving after wrk.
out=$(timeout 10 curl -sS -w ' %{http_code}' "$base/after" 2>&1)
if kill -0 "$NM_PID" 2>/dev/null && [ "$out" = $'hello /after\n 200' ]; then
  ok "http: server still answers after wrk"
else
  fail "http: server still answers after wrk" "curl said '$out'"; describe httpd
fi

kill -TERM "$NM_PID" 2>/dev/null
if wait_exit "$NM_PID" 5 && [ "$EXIT_STATUS" = 0 ] && ! grep -qi 'error' "$T/httpd.err"; then
  ok "http: server ends cleanly on SIGTERM after the load"
else
  fail "http: server ends cleanly on SIGTERM after the load" "exit status $EXIT_STATUS"; describe httpd
fi
finish
