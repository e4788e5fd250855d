#!/usr/bin/env bash
# hold()/unhold(): while held, netmcu stops reading, the kernel pushes back on
# the sender, no `receive` fires; after unhold every byte arrives in order.
. "$(dirname "$0")/lib/common.sh"
need python3 sha256sum

# WHEN = "first" holds after the first receive, "accept" in the listen callback.
# A second connection unholds the first one.
cat >"$T/holder.lua" <<EOF
$PRELUDE
local path, when = arg[1], arg[2]
local first, received, held_at = nil, 0, nil
local sv = net.createServer(net.TCP, 30)
sv:listen(0, "127.0.0.1", function(c)
  if first then
    print("AT_UNHOLD " .. received)
    first:unhold()
    print("UNHELD")
    return
  end
  first = c
  local f = assert(io.open(path, "wb"))
  c:on("receive", function(c, d)
    received = received + #d
    f:write(d)
    if when == "first" and not held_at then
      c:hold(); held_at = received
      print("HELD " .. received)
    end
  end)
  c:on("disconnection", function(c, err)
    f:close()
    print("DONE " .. received .. " ERR " .. tostring(err))
    sv:close()
  end)
  if when == "accept" then c:hold(); held_at = 0; print("HELD 0") end
end)
print("PORT " .. sv:getaddr())
EOF

cat >"$T/pusher.py" <<'EOF'
# Sends a numbered byte stream without blocking until the kernel stops
# taking it (no progress for 1 s) or 64 MiB went in; reports the amount;
# opens a second connection (which makes netmcu unhold), sends 1 MiB more,
# closes, and prints the total and SHA-256 of everything sent.
import hashlib, select, socket, sys, time
port = int(sys.argv[1])
LIMIT, CHUNK = 64 << 20, 65536
def chunk(k):
    return (b"%015d\n" % k) * (CHUNK // 16)
s = socket.create_connection(("127.0.0.1", port))
s.setblocking(False)
h, total, k, pending = hashlib.sha256(), 0, 0, b""
while total < LIMIT:
    if not pending:
        pending = chunk(k); k += 1
    try:
        n = s.send(pending)
    except BlockingIOError:
        n = 0
    if n:
        h.update(pending[:n]); total += n; pending = pending[n:]
        continue
    _, w, _ = select.select([], [s], [], 1.0)
    if not w:
        break
print("STALLED", total, flush=True)
t = socket.create_connection(("127.0.0.1", port))
s.setblocking(True)
s.settimeout(20)
goal = total + (1 << 20)
while total < goal:
    if not pending:
        pending = chunk(k); k += 1
    part = pending[:goal - total]
    s.sendall(part)
    h.update(part); total += len(part); pending = pending[len(part):]
s.close()
time.sleep(0.2)
t.close()
print("SENT", total, h.hexdigest(), flush=True)
EOF

hold_case() { # when label
  local when=$1 label=$2 name=holder$1
  cp "$T/holder.lua" "$T/$name.lua"
  if ! nm_server "$name" -- "$T/$name.got" "$when"; then fail "$label" "no port"; return; fi
  timeout $(bound 30) python3 "$T/pusher.py" "$PORT" >"$T/$name.py.out" 2>"$T/$name.py.err"
  local st=$?
  wait_exit "$NM_PID" 15
  local stalled sent_total sent_sha held at_unhold done got_sha
  stalled=$(port_from "$T/$name.py.out" STALLED)
  read -r _ sent_total sent_sha < <(grep '^SENT ' "$T/$name.py.out")
  held=$(port_from "$T/$name.out" HELD)
  at_unhold=$(port_from "$T/$name.out" AT_UNHOLD)
  done=$(port_from "$T/$name.out" DONE)
  got_sha=$(sha256sum "$T/$name.got" 2>/dev/null | cut -d' ' -f1)
  local why=""
  [ "$st" = 0 ] || why="$why pusher exited $st ($(tail -n 3 "$T/$name.py.err" | tr '\n' ' '));"
  [ -n "$stalled" ] && [ "$stalled" -lt $((16 << 20)) ] ||
    why="$why the kernel took ${stalled:-?} bytes while held (want < 16 MiB);"
  [ -n "$held" ] && [ "$held" = "$at_unhold" ] ||
    why="$why received ${held:-?} when held but ${at_unhold:-?} at unhold;"
  [ "$when" = accept ] && [ "$held" != 0 ] && why="$why held in the listen callback but received $held;"
  [ -n "$sent_total" ] && [ "$done" = "$sent_total" ] && [ "$got_sha" = "$sent_sha" ] ||
    why="$why sent ${sent_total:-?} bytes (sha ${sent_sha:0:12}), netmcu received ${done:-?} (sha ${got_sha:0:12});"
  [ "$EXIT_STATUS" = 0 ] || why="$why netmcu exit $EXIT_STATUS;"
  if [ -z "$why" ]; then
    ok "$label (kernel took $stalled bytes while held)"
  else
    fail "$label" "$why"; describe "$name"
  fi
}
hold_case first "hold: hold() after the first receive stops reading; unhold() delivers every byte in order"
hold_case accept "hold: hold() in the listen callback: no receive until unhold(), then every byte in order"
# Data and the peer's close that arrive while held are delivered after unhold.
cat >"$T/heldeof.lua" <<EOF
$PRELUDE
local first
local sv = net.createServer(net.TCP, 30)
sv:listen(0, "127.0.0.1", function(c)
  if first then print("UNHOLD"); first:unhold(); return end
  first = c
  c:hold()
  c:on("receive", function(c, d) print("RECEIVE " .. d) end)
  c:on("disconnection", function(c, err) print("DISCONNECTION " .. tostring(err)); sv:close() end)
end)
print("PORT " .. sv:getaddr())
EOF
label="hold: data and close arriving while held are delivered after unhold()"
if nm_server heldeof; then
  timeout $(bound 10) python3 - "$PORT" <<'PYEOF'
import socket, sys, time
port = int(sys.argv[1])
s = socket.create_connection(("127.0.0.1", port))
s.sendall(b"0123456789")
s.close()
time.sleep(0.5)
t = socket.create_connection(("127.0.0.1", port))
time.sleep(0.3)
t.close()
PYEOF
  wait_exit "$NM_PID" 10
  if [ "$EXIT_STATUS" = 0 ] && [ "$(cat "$T/heldeof.out")" = $'PORT '"$PORT"$'\nUNHOLD\nRECEIVE 0123456789\nDISCONNECTION 0' ]; then
    ok "$label"
  else
    fail "$label" "exit $EXIT_STATUS, output '$(tr '\n' '|' <"$T/heldeof.out")'"; describe heldeof
  fi
else
  fail "$label" "no port"
fi
finish
