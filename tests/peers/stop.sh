#!/usr/bin/env bash
# SIGTERM and SIGINT stop a run whatever it is doing (issue 17, item 4): a
# busy loop in the script or in a callback (also one that pcall would catch),
# tmr.delay(60 s), a synchronous gpio.serout of 2^31 cycles, a net.run() the
# script called itself, a blocking io.read(). Each ends with status 0 within
# a second, cleanly (nothing on stderr; the --serial link removed). A second
# signal ends a run at once even when the first could not (os.execute), while
# the copy timeout(1) sends to the process group is no second request.
. "$(dirname "$0")/lib/common.sh"

# stopped NAME SIGNAL [netmcu-args...] — runs netmcu on $T/NAME.lua (which
# prints BUSY before it blocks), sends SIGNAL once BUSY is out, and sets
# STATUS (or "running") and ELAPSED (ms from the signal to the exit).
stopped() {
  local name=$1 sig=$2; shift 2
  "$NETMCU" "$@" "$T/$name.lua" >"$T/$name.out" 2>"$T/$name.err" </dev/null &
  local pid=$!
  track "$pid"
  STATUS=running ELAPSED=-1
  wait_line "$T/$name.out" '^BUSY' 10 || { STATUS="never busy"; return; }
  sleep 0.2 # well inside the blocking call
  local t0
  t0=$(now_ms)
  kill "-$sig" "$pid"
  wait_exit "$pid" 5
  STATUS=$EXIT_STATUS
  ELAPSED=$(( $(now_ms) - t0 ))
}

# case NAME SIGNAL LABEL [netmcu-args...] — the script $T/NAME.lua must stop
# with status 0 within a second (scaled for slow builds), saying nothing.
case_stops() {
  local name=$1 sig=$2 label=$3; shift 3
  stopped "$name" "$sig" "$@"
  if [ "$STATUS" = 0 ] && [ "$ELAPSED" -lt $(( 1000 * SLOW )) ] && [ ! -s "$T/$name.err" ] &&
     ! grep -q '^AFTER' "$T/$name.out"; then
    ok "$label: SIG$sig stops it with status 0 in ${ELAPSED} ms"
  else
    fail "$label" "status $STATUS after ${ELAPSED} ms; stdout: $(tr '\n' ' ' <"$T/$name.out"); stderr: $(head -c 400 "$T/$name.err")"
  fi
}

script() { # script NAME — the script's text from stdin, behind a line-buffered stdout
  { echo 'io.stdout:setvbuf("line")'; cat; } >"$T/$1.lua"
}

script busy <<'EOF'
print("BUSY")
while true do end
EOF
case_stops busy TERM "a busy loop in the script"
case_stops busy INT "a busy loop in the script"
case_stops busy INT "netmcu -i: a busy script before the console starts" -i

script swallow <<'EOF'
print("BUSY")
while true do pcall(function() while true do end end) end
EOF
case_stops swallow TERM "a busy loop that pcall would swallow"

script callback <<'EOF'
node.setonerror(function(e) print("AFTER onerror " .. tostring(e)) end)
tmr.create():alarm(10, tmr.ALARM_SINGLE, function()
  print("BUSY")
  while true do local ok = xpcall(function() while true do end end, function(e) return e end) end
end)
EOF
case_stops callback TERM "a busy timer callback with xpcall and node.setonerror"

script delay <<'EOF'
print("BUSY")
tmr.delay(60e6)
print("AFTER")
EOF
case_stops delay TERM "tmr.delay(60e6)"

script serout <<'EOF'
gpio.mode(1, gpio.OUTPUT)
print("BUSY")
gpio.serout(1, gpio.HIGH, {1, 1}, 2^31)
print("AFTER")
EOF
case_stops serout TERM "gpio.serout(1, 1, {1, 1}, 2^31)"

script run <<'EOF'
local srv = net.createServer(net.TCP, 30)
srv:listen(0, "127.0.0.1", function(c) end)
tmr.create():alarm(10, tmr.ALARM_SINGLE, function() print("BUSY") end)
net.run()
print("AFTER net.run")
while true do end
EOF
case_stops run TERM "net.run() called by the script, with a server listening"

script read <<'EOF'
print("BUSY")
local line = io.read()
print("AFTER " .. tostring(line))
EOF
# stdin is a FIFO held open but never written to: the read blocks until the signal.
mkfifo "$T/in"
exec 3<>"$T/in"
stopped_stdin() { "$NETMCU" "$T/read.lua" >"$T/read.out" 2>"$T/read.err" <"$T/in" & }
stopped_stdin
pid=$!
track "$pid"
STATUS="never busy" ELAPSED=-1
if wait_line "$T/read.out" '^BUSY' 10; then
  sleep 0.2
  t0=$(now_ms)
  kill -TERM "$pid"
  wait_exit "$pid" 5
  STATUS=$EXIT_STATUS
  ELAPSED=$(( $(now_ms) - t0 ))
fi
exec 3>&-
if [ "$STATUS" = 0 ] && [ "$ELAPSED" -lt $(( 1000 * SLOW )) ] && ! grep -q '^AFTER' "$T/read.out" &&
   [ ! -s "$T/read.err" ]; then
  ok "io.read() blocking on a silent pipe: SIGTERM stops it with status 0 in ${ELAPSED} ms"
else
  fail "io.read() blocking on a silent pipe" "status $STATUS after ${ELAPSED} ms; $(cat "$T/read.out" "$T/read.err")"
fi

# The console (-i, lines from a FIFO held open): a typed busy chunk is
# stopped too, with nothing printed for it.
mkfifo "$T/typed"
exec 4<>"$T/typed"
"$NETMCU" -i >"$T/console.out" 2>"$T/console.err" <"$T/typed" &
pid=$!
track "$pid"
echo 'io.stdout:write("BUSY\n"); io.stdout:flush(); while true do end' >&4
STATUS="never busy" ELAPSED=-1
if wait_line "$T/console.out" 'BUSY' 10; then
  sleep 0.2
  t0=$(now_ms)
  kill -TERM "$pid"
  wait_exit "$pid" 5
  STATUS=$EXIT_STATUS
  ELAPSED=$(( $(now_ms) - t0 ))
fi
exec 4>&-
if [ "$STATUS" = 0 ] && [ "$ELAPSED" -lt $(( 1000 * SLOW )) ] && ! grep -q 'stopped' "$T/console.out" "$T/console.err"; then
  ok "the console: a busy typed chunk, SIGTERM stops the run with status 0 in ${ELAPSED} ms"
else
  fail "the console: a busy typed chunk" "status $STATUS after ${ELAPSED} ms; $(cat "$T/console.out" "$T/console.err")"
fi

# --serial: the console's link is removed when a busy script is stopped.
script serial <<'EOF'
io.stdout:write("BUSY\n") -- print goes to the pty
while true do end
EOF
stopped serial TERM --serial "$T/tty"
if [ "$STATUS" = 0 ] && [ "$ELAPSED" -lt $(( 1000 * SLOW )) ] && [ ! -e "$T/tty" ]; then
  ok "--serial: a stopped busy script ends with status 0 and its link removed"
else
  fail "--serial stop" "status $STATUS after ${ELAPSED} ms; link $(ls -l "$T/tty" 2>&1)"
fi

# A second signal ends the run at once, even where the first cannot (the
# shell os.execute waits for ignores it).
script second <<'EOF'
print("BUSY")
os.execute("sleep 3") -- the shell outlives the run by at most that
print("AFTER")
EOF
"$NETMCU" "$T/second.lua" >"$T/second.out" 2>"$T/second.err" </dev/null &
pid=$!
track "$pid"
if wait_line "$T/second.out" '^BUSY' 10; then
  sleep 0.2
  kill -TERM "$pid"
  sleep 0.5
  first_alive=no
  kill -0 "$pid" 2>/dev/null && first_alive=yes
  t0=$(now_ms)
  kill -TERM "$pid"
  wait_exit "$pid" 2
  ELAPSED=$(( $(now_ms) - t0 ))
  if [ "$first_alive" = yes ] && [ "$EXIT_STATUS" = 143 ] && [ "$ELAPSED" -lt $(( 500 * SLOW )) ]; then
    ok "a second SIGTERM ends the run at once (killed by it, ${ELAPSED} ms)"
  else
    fail "a second SIGTERM ends the run at once" "alive after the first: $first_alive; status $EXIT_STATUS after ${ELAPSED} ms"
  fi
else
  fail "a second SIGTERM ends the run at once" "the script never started"
fi

# timeout(1) signals the process and then its group: one request, a clean stop.
t0=$(now_ms)
timeout --preserve-status -k 3 -s TERM 0.5 "$NETMCU" "$T/busy.lua" >"$T/timeout.out" 2>"$T/timeout.err" </dev/null
status=$?
if [ "$status" = 0 ] && [ ! -s "$T/timeout.err" ] && [ $(( $(now_ms) - t0 )) -lt $(( 1500 * SLOW )) ]; then
  ok "timeout -s TERM 0.5 on a busy script: status 0, not killed by the group's copy"
else
  fail "timeout -s TERM on a busy script" "status $status; $(cat "$T/timeout.err")"
fi
finish
