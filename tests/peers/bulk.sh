#!/usr/bin/env bash
# 1 MiB in both directions (many small sends, one large send, received by
# netmcu), and close() right after send(): no byte lost, one `sent` per send.
. "$(dirname "$0")/lib/common.sh"
need socat python3 cmp

pattern_file "$T/expected.1m" 1024     # 1 MiB: 1024 chunks of 1 KiB
pattern_file "$T/expected.200k" 200    # 200 KiB

# netmcu client sends to a socat listener that writes a file; the script
# prints how many `sent` events it saw when the connection ends.
cat >"$T/sender.lua" <<EOF
$PRELUDE
$LUA_CHUNK
local port, mode = tonumber(arg[1]), arg[2]
local sends, sents = 0, 0
local s = net.createConnection(net.TCP, 0)
s:on("sent", function(s)
  sents = sents + 1
  if sents == sends then s:close() end
end)
s:on("disconnection", function(s, err)
  print("SENDS " .. sends .. " SENTS " .. sents .. " ERR " .. tostring(err))
end)
s:on("connection", function(s)
  if mode == "small" then
    for i = 0, 1023 do s:send(chunk(i)); sends = sends + 1 end
  else
    local t = {}
    for i = 0, 1023 do t[#t + 1] = chunk(i) end
    s:send(table.concat(t)); sends = 1
  end
end)
s:connect(port, "127.0.0.1")
EOF

send_case() { # mode label nsends
  local mode=$1 label=$2 n=$3
  rm -f "$T/recv.$mode"
  if ! socat_listen "recv$mode" -u "TCP-LISTEN:0,bind=127.0.0.1" "CREATE:$T/recv.$mode"; then
    fail "$label" "socat did not listen"; return
  fi
  nm_start "sender$mode" -- "$SOCAT_PORT" "$mode"
  wait_exit "$NM_PID" 20; local nm_status=$EXIT_STATUS
  wait_exit "$SOCAT_PID" 5
  if [ "$nm_status" = 0 ] && cmp -s "$T/expected.1m" "$T/recv.$mode" &&
     [ "$(cat "$T/sender$mode.out")" = "SENDS $n SENTS $n ERR 0" ]; then
    ok "$label"
  else
    fail "$label" "netmcu exit $nm_status, output '$(cat "$T/sender$mode.out")', peer got $(stat -c %s "$T/recv.$mode" 2>/dev/null) bytes ($(cmp "$T/expected.1m" "$T/recv.$mode" 2>&1 | head -n 1))"
    describe "sender$mode"
  fi
}
cp "$T/sender.lua" "$T/sendersmall.lua"; cp "$T/sender.lua" "$T/senderlarge.lua"
send_case small "bulk: 1024 x 1 KiB sends at once arrive intact, in order, 1024 sent events" 1024
send_case large "bulk: one 1 MiB send arrives intact, exactly one sent event" 1

# A peer sends 1 MiB to a netmcu server, which writes what it receives to a file.
cat >"$T/sink.lua" <<EOF
$PRELUDE
local path = arg[1]
local sv = net.createServer(net.TCP, 30)
sv:listen(0, "127.0.0.1", function(c)
  local f = assert(io.open(path, "wb"))
  local n, calls = 0, 0
  c:on("receive", function(c, d) n = n + #d; calls = calls + 1; f:write(d) end)
  c:on("disconnection", function(c, err)
    f:close()
    print("DONE " .. n .. " ERR " .. tostring(err) .. " CALLS " .. calls)
    sv:close()
  end)
end)
print("PORT " .. sv:getaddr())
EOF
if nm_server sink -- "$T/sink.got"; then
  timeout $(bound 10) socat -u "OPEN:$T/expected.1m" "TCP:127.0.0.1:$PORT" 2>"$T/sink.socat.err"
  st=$?
  wait_exit "$NM_PID" 10
  if [ "$st" = 0 ] && [ "$EXIT_STATUS" = 0 ] && grep -qE '^DONE 1048576 ERR 0 CALLS [0-9]+$' "$T/sink.out" &&
     cmp -s "$T/expected.1m" "$T/sink.got"; then
    ok "bulk: 1 MiB from a peer arrives at netmcu intact and in order"
  else
    fail "bulk: 1 MiB from a peer arrives at netmcu intact and in order" \
      "socat $st, netmcu exit $EXIT_STATUS, output '$(tr '\n' '|' <"$T/sink.out")', $(cmp "$T/expected.1m" "$T/sink.got" 2>&1 | head -n 1)"
    describe sink
  fi
else
  fail "bulk: sink server starts" "no port"
fi

# close() right after send(): everything is flushed, then EOF.
cat >"$T/closer.lua" <<EOF
$PRELUDE
$LUA_CHUNK
local mode = arg[1]
local accepted = 0
local sv = net.createServer(net.TCP, 30)
sv:listen(0, "127.0.0.1", function(c)
  accepted = accepted + 1
  if mode == "one" then
    local t = {}
    for i = 0, 199 do t[#t + 1] = chunk(i) end
    c:send(table.concat(t))
  else
    for i = 0, 199 do c:send(chunk(i)) end
  end
  c:close()
  c:on("disconnection", function(c, err)
    print("DISCONNECTION " .. tostring(err))
    sv:close()
  end)
end)
print("PORT " .. sv:getaddr())
EOF
for mode in one many; do
  label="bulk: close() right after send() of 200 KiB ($mode send$([ $mode = many ] && echo s)): peer gets all, then EOF"
  cp "$T/closer.lua" "$T/closer$mode.lua"
  if ! nm_server "closer$mode" -- "$mode"; then fail "$label" "no port"; continue; fi
  timeout $(bound 10) socat -u "TCP:127.0.0.1:$PORT" "CREATE:$T/closer.$mode.got" 2>"$T/closer.$mode.err"
  st=$?
  wait_exit "$NM_PID" 10
  if [ "$st" = 0 ] && cmp -s "$T/expected.200k" "$T/closer.$mode.got" && [ "$EXIT_STATUS" = 0 ] &&
     [ "$(cat "$T/closer$mode.out" | tail -n 1)" = "DISCONNECTION 0" ]; then
    ok "$label"
  else
    fail "$label" "socat $st (0 = EOF seen), got $(stat -c %s "$T/closer.$mode.got" 2>/dev/null) bytes, netmcu exit $EXIT_STATUS, output '$(tr '\n' '|' <"$T/closer$mode.out")'"
    describe "closer$mode"
  fi
done

# The same with a slow reader: small receive buffer and a pause before
# reading, so that close() is called while most data is still queued.
if nm_server closerone -- one; then
  timeout $(bound 15) python3 - "$PORT" "$T/slow.got" <<'EOF'
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(("127.0.0.1", int(sys.argv[1])))
time.sleep(0.5)
with open(sys.argv[2], "wb") as f:
    while True:
        d = s.recv(4096)
        if not d:
            break
        f.write(d)
EOF
  st=$?
  wait_exit "$NM_PID" 10
  if [ "$st" = 0 ] && cmp -s "$T/expected.200k" "$T/slow.got" && [ "$EXIT_STATUS" = 0 ]; then
    ok "bulk: close() after send() with a slow reader: all 200 KiB, then EOF"
  else
    fail "bulk: close() after send() with a slow reader: all 200 KiB, then EOF" \
      "reader $st, got $(stat -c %s "$T/slow.got" 2>/dev/null) bytes, netmcu exit $EXIT_STATUS"
    describe closerone
  fi
else
  fail "bulk: close() after send() with a slow reader" "no port"
fi
finish
