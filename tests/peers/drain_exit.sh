#!/usr/bin/env bash
# 3.0 profile: connect() after close() leaves the old connection draining
# without an owner. When the run ends while it still drains, it is closed and
# freed like every other (issue 8, item 7): under the sanitizers a leak would
# change the exit status from 1 to LeakSanitizer's.
. "$(dirname "$0")/lib/common.sh"
need python3
HOSTILE="$(cd "$(dirname "$0")" && pwd)/lib/hostile.py"

timeout -k 2 "$(bound 20)" python3 "$HOSTILE" listen stall 10 >"$T/stall.peer" 2>&1 &
track $!
timeout -k 2 "$(bound 20)" python3 "$HOSTILE" listen sink >"$T/sink.peer" 2>&1 &
track $!
wait_line "$T/stall.peer" '^PORT [0-9]+' 5 && wait_line "$T/sink.peer" '^PORT [0-9]+' 5 ||
  { fail "drain at exit: peers start" "no port"; finish; }

cat >"$T/drain.lua" <<EOF
$PRELUDE
local s = net.createConnection(net.TCP, 0)
s:connect($(port_from "$T/stall.peer" PORT), "127.0.0.1", function(c)
  c:send(string.rep("d", 16 * 1024 * 1024)) -- the peer reads none of it
  c:close()
  c:connect($(port_from "$T/sink.peer" PORT), "127.0.0.1", function()
    print("RECONNECTED")
    error("end of the run")
  end)
end)
EOF
nm_start drain NETMCU_COMPAT=3.0
wait_exit "$NM_PID" 15
if [ "$EXIT_STATUS" = 1 ] && grep -q '^RECONNECTED' "$T/drain.out" && grep -q 'end of the run' "$T/drain.err" &&
   ! grep -q 'LeakSanitizer' "$T/drain.err"; then
  ok "drain at exit (3.0): a connection left draining by connect() after close() is freed at exit"
else
  fail "drain at exit (3.0): a connection left draining by connect() after close() is freed at exit" \
    "status $EXIT_STATUS"
  describe drain
fi
finish
