#!/usr/bin/env bash
# lua-version-dependent: the interpreter's memory, error texts or console shows through
# Out of Lua memory inside UDP events (as tests/peers/oom.sh for TCP): the
# heap is filled, then python3 sends
# datagrams (the received string cannot be made) or a `sent` callback needs
# memory. That must be an ordinary error — the message and exit status 1 —
# never an abort.
. "$(dirname "$0")/lib/common.sh"
need python3

. "$(dirname "$0")/lib/fill.sh"

cat >"$T/receive.lua" <<EOF
$PRELUDE
$FILL
local s = net.createUDPSocket()
local keep = {}
s:on("receive", function(_, d, port, ip) keep[#keep + 1] = d .. ip end)
s:listen(0, "127.0.0.1")
print("PORT " .. s:getaddr())
print("FILLED")
fill()
EOF

cat >"$T/sent.lua" <<EOF
$PRELUDE
$FILL
local s = net.createUDPSocket()
s:listen(0, "127.0.0.1")
print("PORT " .. s:getaddr())
s:on("sent", function() hog() end)
s:on("receive", function(x, d, port, ip) x:send(port, ip, "answer"); print("FILLED"); fill() end)
EOF

cat >"$T/blast.py" <<'EOF'
import os, socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(200):  # random bytes: 5.1 interns strings, equal ones cost nothing
    s.sendto(os.urandom(1000), ("127.0.0.1", int(sys.argv[1])))
    time.sleep(0.01)
EOF

for name in receive sent; do
  for p in 1.5 3.0; do
    tag="$name.$p"
    cp "$T/$name.lua" "$T/$tag.lua"
    label="udp oom $p: out of Lua memory in $name is an ordinary error (status 1), not an abort"
    if ! nm_server "$tag" NETMCU_COMPAT=$p NETMCU_HEAP=2m; then
      if grep -q '^SKIP' "$T/$tag.out"; then skip "$label" "$(grep '^SKIP' "$T/$tag.out")"; continue; fi
      fail "$label" "no port"; continue
    fi
    timeout -k 2 "$(bound 20)" python3 "$T/blast.py" "$PORT" >/dev/null 2>&1 &
    track $!
    wait_exit "$NM_PID" 20
    oom_verdict "$tag" "$label"
  done
done
finish
