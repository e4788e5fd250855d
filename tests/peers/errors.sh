#!/usr/bin/env bash
# lua-version-dependent: the interpreter's memory, error texts or console shows through
# Errors and signals: a failing receive callback and a syntax error end
# netmcu with status 1 and a message; SIGTERM/SIGINT end a server cleanly.
. "$(dirname "$0")/lib/common.sh"
need socat nc

# --- an error in a receive callback ------------------------------------------
cat >"$T/boom.lua" <<EOF
$PRELUDE
local function handle(c, d)
  error("boom in receive: " .. d)
end
local sv = net.createServer(net.TCP, 30)
sv:listen(0, "127.0.0.1", function(c) c:on("receive", handle) end)
print("PORT " .. sv:getaddr())
EOF
if nm_server boom; then
  printf 'payload' | timeout 5 socat -t 2 - "TCP:127.0.0.1:$PORT" >/dev/null 2>&1
  wait_exit "$NM_PID" 5
  if [ "$EXIT_STATUS" = 1 ] && grep -q 'boom in receive: payload' "$T/boom.err" &&
     grep -q 'stack traceback' "$T/boom.err" && grep -q "in .*function.*handle\|boom.lua:3" "$T/boom.err"; then
    ok "errors: an error in a receive callback prints message and traceback, exit status 1"
  else
    fail "errors: an error in a receive callback prints message and traceback, exit status 1" \
      "exit $EXIT_STATUS, stderr '$(tr '\n' '|' <"$T/boom.err")'"
  fi
else
  fail "errors: boom server starts" "no port"
fi

# --- a syntax error -----------------------------------------------------------
printf 'print("before")\nlocal x = = 1\n' >"$T/syntax.lua"
nm_start syntax
wait_exit "$NM_PID" 5
if [ "$EXIT_STATUS" = 1 ] && grep -q "syntax.lua:2:.*unexpected symbol" "$T/syntax.err" && [ ! -s "$T/syntax.out" ]; then
  ok "errors: a syntax error exits 1 with the message, running nothing"
else
  fail "errors: a syntax error exits 1 with the message, running nothing" \
    "exit $EXIT_STATUS, stdout '$(cat "$T/syntax.out")', stderr '$(tr '\n' '|' <"$T/syntax.err")'"
fi

# --- an error in the main chunk after a server started ---------------------------
cat >"$T/mainerr.lua" <<EOF
local sv = net.createServer(net.TCP, 30)
sv:listen(0, "127.0.0.1", function(c) end)
error("main chunk fails")
EOF
nm_start mainerr
wait_exit "$NM_PID" 5
if [ "$EXIT_STATUS" = 1 ] && grep -q 'main chunk fails' "$T/mainerr.err"; then
  ok "errors: an error in the main chunk exits 1 at once even with a server listening"
else
  fail "errors: an error in the main chunk exits 1 at once even with a server listening" \
    "exit $EXIT_STATUS, stderr '$(tr '\n' '|' <"$T/mainerr.err")'"
fi

# --- SIGTERM / SIGINT ---------------------------------------------------------
cat >"$T/sig.lua" <<EOF
$PRELUDE
local sv = net.createServer(net.TCP, 30)
sv:listen(0, "127.0.0.1", function(c)
  print("ACCEPT")
  c:on("receive", function(c, d) c:send(d) end)
end)
print("PORT " .. sv:getaddr())
EOF
for sig in TERM INT; do
  label="errors: SIG$sig ends a serving netmcu (with a client connected) with status 0 within 2 s"
  # netmcu itself, not under timeout(1), so that the signal reaches it directly.
  "$NETMCU" "$T/sig.lua" >"$T/sig$sig.out" 2>"$T/sig$sig.err" &
  pid=$!
  track $pid
  if ! wait_line "$T/sig$sig.out" '^PORT [0-9]+' 5; then fail "$label" "no port"; continue; fi
  port=$(port_from "$T/sig$sig.out" PORT)
  timeout $(bound 10) nc -d 127.0.0.1 "$port" >/dev/null 2>&1 &
  track $!
  wait_line "$T/sig$sig.out" '^ACCEPT' 5
  t0=$(now_ms)
  kill -"$sig" $pid
  wait_exit $pid $((2 * SLOW > 2 ? 2 * SLOW : 2))
  elapsed=$(( $(now_ms) - t0 ))
  if [ "$EXIT_STATUS" = 0 ] && [ "$elapsed" -le $((2000 * SLOW)) ] && grep -q '^ACCEPT' "$T/sig$sig.out"; then
    ok "$label"
  else
    fail "$label" "exit $EXIT_STATUS after $elapsed ms, stderr '$(tr '\n' '|' <"$T/sig$sig.err")'"
  fi
done
# SIGTERM in the middle of wrk load (responses of 100 kB in flight).
cat >"$T/load.lua" <<EOF
$PRELUDE
local body = string.rep("z", 100000)
local sv = net.createServer(net.TCP, 30)
sv:listen(0, "127.0.0.1", function(c)
  local buf = ""
  c:on("receive", function(c, d)
    buf = buf .. d
    while true do
      local e = buf:find("\r\n\r\n", 1, true)
      if not e then break end
      buf = buf:sub(e + 4)
      c:send("HTTP/1.1 200 OK\r\nContent-Length: " .. #body .. "\r\n\r\n" .. body)
    end
  end)
end)
print("PORT " .. sv:getaddr())
EOF
label="errors: SIGTERM during wrk load ends netmcu with status 0 within 2 s"
if command -v wrk >/dev/null; then
  "$NETMCU" "$T/load.lua" >"$T/load.out" 2>"$T/load.err" &
  pid=$!
  track $pid
  if wait_line "$T/load.out" '^PORT [0-9]+' 5; then
    timeout $(bound 15) wrk -t1 -c50 -d3s "http://127.0.0.1:$(port_from "$T/load.out" PORT)/" >"$T/load.wrk" 2>&1 &
    track $!
    sleep 1
    t0=$(now_ms)
    kill -TERM $pid
    wait_exit $pid $((2 * SLOW))
    elapsed=$(( $(now_ms) - t0 ))
    if [ "$EXIT_STATUS" = 0 ] && [ "$elapsed" -le $((2000 * SLOW)) ]; then
      ok "$label"
    else
      fail "$label" "exit $EXIT_STATUS after $elapsed ms, stderr '$(head -c 2000 "$T/load.err" | tr '\n' '|')'"
    fi
  else
    fail "$label" "no port"
  fi
else
  fail "$label" "wrk is not installed"
fi
finish
