#!/usr/bin/env bash
# The fault matrix (issue 8): one row per fault, each in both profiles. Every
# row checks the event the script gets and that each byte it sent either
# arrived at the peer or was reported (an error event, an error raised, or no
# `sent` for it). Peers misbehave on purpose: lib/hostile.py.
. "$(dirname "$0")/lib/common.sh"
need python3
HOSTILE="$(cd "$(dirname "$0")" && pwd)/lib/hostile.py"

# The script side's prelude: events print one line each.
EVENTS='
local function watch(s)
  s:on("disconnection", function(_, e) print("DISCONNECTION " .. tostring(e)) end)
  s:on("connection", function() print("CONNECTED") end)
  return s
end
local function try_send(s, d)
  local ok, err = pcall(s.send, s, d)
  print(ok and "SEND-OK" or ("SEND-ERROR " .. tostring(err):gsub("^.-: ", "")))
end'

profile_env() { [ "$1" = 3.0 ] && echo NETMCU_COMPAT=3.0 || echo NETMCU_COMPAT=1.5; }

# check LABEL FILE... -- REGEX... : every REGEX matches a line of the joined files.
check() {
  local label=$1; shift
  local files=()
  while [ "$1" != "--" ]; do files+=("$1"); shift; done
  shift
  local all re missing=
  all=$(cat "${files[@]}" 2>/dev/null)
  for re in "$@"; do
    case "$re" in
      !*) if printf '%s\n' "$all" | grep -qE -- "${re#!}"; then missing="$missing [unwanted ${re#!}]"; fi ;;
      *) printf '%s\n' "$all" | grep -qE -- "$re" || missing="$missing [$re]" ;;
    esac
  done
  if [ -z "$missing" ]; then ok "$label"; else fail "$label" "missing$missing; got: $(printf '%s' "$all" | tr '\n' '|')"; fi
}

# client_row NAME PROFILE PEERMODE [PEERARG] : the hostile peer listens, the
# script $T/NAME.lua connects to it (arg[1] = port).
client_row() {
  local name=$1 prof=$2 mode=$3 parg=${4:-}
  local tag="$name.$prof"
  timeout -k 2 "$(bound 40)" python3 "$HOSTILE" listen "$mode" $parg >"$T/$tag.peer" 2>&1 &
  local ppid=$!; track $ppid
  wait_line "$T/$tag.peer" '^PORT [0-9]+' 5 || { echo "# peer did not start"; return 1; }
  cp "$T/$name.lua" "$T/$tag.lua"
  nm_start "$tag" "$(profile_env "$prof")" -- "$(port_from "$T/$tag.peer" PORT)"
  wait_exit "$NM_PID" 30
  NM_STATUS=$EXIT_STATUS
  wait_exit $ppid 10
}

# server_row NAME PROFILE PEERMODE [PEERARG] : the script listens (prints
# "PORT n"), the hostile peer connects.
server_row() {
  local name=$1 prof=$2 mode=$3 parg=${4:-}
  local tag="$name.$prof"
  cp "$T/$name.lua" "$T/$tag.lua"
  nm_server "$tag" "$(profile_env "$prof")" || return 1
  timeout -k 2 "$(bound 40)" python3 "$HOSTILE" connect "$mode" "$PORT" $parg >"$T/$tag.peer" 2>&1
  wait_exit "$NM_PID" 30
  NM_STATUS=$EXIT_STATUS
}

closed_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

# Row: refused connect, with a send made while connecting.
cat >"$T/refused.lua" <<EOF
$PRELUDE
$EVENTS
local s = watch(net.createConnection(net.TCP, 0))
s:on("sent", function() print("SENT") end)
s:connect($closed_port, "127.0.0.1")
s:send("lost")
EOF
for p in 1.5 3.0; do
  cp "$T/refused.lua" "$T/refused.$p.lua"
  nm_start "refused.$p" "$(profile_env $p)"; wait_exit "$NM_PID" 10
  check "faults $p: refused connect -> disconnection(-9), no sent for the send made meanwhile" \
    "$T/refused.$p.out" -- '^DISCONNECTION -9$' '!^SENT$' '!CONNECTED'
done

# Row: the peer resets in the middle of a large write.
cat >"$T/reset.lua" <<EOF
$PRELUDE
$EVENTS
local s = watch(net.createConnection(net.TCP, 0))
s:on("sent", function() print("SENT") end)
s:on("connection", function(c) c:send(string.rep("r", 32 * 1024 * 1024)) end)
s:connect(tonumber(arg[1]), "127.0.0.1")
EOF
for p in 1.5 3.0; do
  client_row reset $p rst 100000
  check "faults $p: reset by the peer mid-write -> an error code, no sent for the lost send" \
    "$T/reset.$p.out" "$T/reset.$p.peer" -- '^DISCONNECTION -(8|9|10|14)$' '!^SENT$' '^GOT 100000 SENT-RESET'
done

# Row: the peer half-closes after its request; the reply, 100 ms later and
# sent as a chain of 20 pieces from sent callbacks, still arrives whole.
cat >"$T/halfclose.lua" <<EOF
$PRELUDE
$EVENTS
local sv = net.createServer(net.TCP, 10)
sv:listen(0, "127.0.0.1", function(c)
  watch(c)
  local pieces, sents = 0, 0
  c:on("sent", function(c)
    sents = sents + 1
    if pieces < 20 then pieces = pieces + 1; c:send(string.rep("h", 10000)) else print("SENTS " .. sents) end
  end)
  c:on("receive", function(c, d)
    tmr.create():alarm(100, tmr.ALARM_SINGLE, function()
      pieces = 1
      c:send(string.rep("h", 10000))
    end)
  end)
  c:on("disconnection", function(_, e) print("DISCONNECTION " .. e); sv:close() end)
end)
print("PORT " .. sv:getaddr())
EOF
for p in 1.5 3.0; do
  server_row halfclose $p halfclose
  check "faults $p: peer half-close with the reply still to send -> all 200000 bytes, then disconnection(0)" \
    "$T/halfclose.$p.out" "$T/halfclose.$p.peer" -- '^GOT 200000 EOF' '^SENTS 20$' '^DISCONNECTION 0$'
done

# Row: a long send to a peer that stopped reading. 1.5: the inactivity timeout
# ends it. 3.0: the timeout is lwIP's keep-alive, which a live peer's kernel
# answers (tests/peers/idle_keepalive.sh), so the send waits until the peer
# gives up and resets the connection.
cat >"$T/idlesend.lua" <<EOF
$PRELUDE
$EVENTS
local sv = net.createServer(net.TCP, 1)
sv:listen(0, "127.0.0.1", function(c)
  c:on("sent", function() print("SENT") end)
  c:on("receive", function(c) c:send(string.rep("i", 64 * 1024 * 1024)) end)
  c:on("disconnection", function(c, e)
    print("DISCONNECTION " .. e)
    try_send(c, "after")
    sv:close()
  end)
end)
print("PORT " .. sv:getaddr())
EOF
# The peer holds 8 s: building 64 MiB takes Lua 5.1 over a second on a loaded
# machine, and the 1 s timeout must fire before the peer gives up (a reset).
for p in 1.5 3.0; do
  server_row idlesend $p stall 8
  if [ $p = 3.0 ]; then
    check "faults 3.0: a long send to a peer that stopped reading waits for the peer's reset -> disconnection(-9), no sent" \
      "$T/idlesend.$p.out" "$T/idlesend.$p.peer" -- '^GOT 0 STALLED$' '^DISCONNECTION -9$' '!^SENT$' '^SEND-ERROR not connected$'
  else
    check "faults 1.5: idle timeout during a long send -> disconnection(-3), no sent, later sends still accepted" \
      "$T/idlesend.$p.out" -- '^DISCONNECTION -3$' '!^SENT$' '^SEND-OK$'
  fi
done

# Row: close() while connecting, right after a send.
cat >"$T/closeconnecting.lua" <<EOF
$PRELUDE
$EVENTS
local s = watch(net.createConnection(net.TCP, 0))
s:on("sent", function() print("SENT") end)
s:connect(tonumber(arg[1]), "127.0.0.1")
s:send("HELLO")
s:close()
EOF
for p in 1.5 3.0; do
  client_row closeconnecting $p sink
  if [ $p = 3.0 ]; then ev='!DISCONNECTION'; else ev='^DISCONNECTION 0$'; fi
  check "faults $p: close() while connecting delivers what was sent, then FIN" \
    "$T/closeconnecting.$p.out" "$T/closeconnecting.$p.peer" -- '^GOT 5 EOF' "$ev" '!^SENT$'
done

# Rows: close() right after a 4 MiB send, to a slow reader, and to a peer
# that keeps sending input the script never reads.
cat >"$T/closewriting.lua" <<EOF
$PRELUDE
$EVENTS
local s = watch(net.createConnection(net.TCP, 0))
s:on("connection", function(c) c:send(string.rep("w", 4 * 1024 * 1024)); c:close() end)
s:connect(tonumber(arg[1]), "127.0.0.1")
EOF
for p in 1.5 3.0; do
  if [ $p = 3.0 ]; then ev='!DISCONNECTION'; else ev='^DISCONNECTION 0$'; fi
  cp "$T/closewriting.lua" "$T/closeunread.lua"
  client_row closewriting $p slowsink
  check "faults $p: close() while writing to a slow reader delivers all 4 MiB" \
    "$T/closewriting.$p.out" "$T/closewriting.$p.peer" -- '^GOT 4194304 EOF' "$ev"
  client_row closeunread $p chatty
  check "faults $p: close() with unread input lingers: all 4 MiB, no reset" \
    "$T/closeunread.$p.out" "$T/closeunread.$p.peer" -- '^GOT 4194304 EOF' "$ev"
done

# Row: close() after a large send, and the peer resets during the drain:
# the data was not delivered, so the ending carries an error code.
cat >"$T/closereset.lua" <<EOF
$PRELUDE
$EVENTS
local s = watch(net.createConnection(net.TCP, 0))
s:on("reconnection", function(_, e) print("RECONNECTION " .. tostring(e)) end)
s:on("connection", function(c) c:send(string.rep("x", 32 * 1024 * 1024)); c:close() end)
s:connect(tonumber(arg[1]), "127.0.0.1")
EOF
for p in 1.5 3.0; do
  client_row closereset $p rst 100000
  if [ $p = 3.0 ]; then ev='^RECONNECTION -(9|10|14)$'; else ev='^DISCONNECTION -(9|10|14)$'; fi
  check "faults $p: close() after a send the peer resets: the ending carries an error code" \
    "$T/closereset.$p.out" "$T/closereset.$p.peer" -- '^GOT 100000 SENT-RESET' "$ev" '!DISCONNECTION 0'
done

# Row: close() after a large send to a peer that stopped reading: nothing is
# acknowledged, so the linger ends after one period without progress (5 s from
# its mark, taken 200 ms in), not two, and the ending carries an error code.
cat >"$T/closestall.lua" <<EOF
$PRELUDE
local sv = net.createServer(net.TCP, 30)
sv:listen(0, "127.0.0.1", function(c)
  local t0
  local function ended(_, e)
    print(string.format("ENDED %s AFTER %d", tostring(e), (tmr.now() - t0) / 1000))
    sv:close()
  end
  c:on("disconnection", ended)
  c:on("reconnection", ended)
  c:on("receive", function(c)
    c:send(string.rep("s", 4 * 1024 * 1024))
    t0 = tmr.now()
    c:close()
  end)
end)
print("PORT " .. sv:getaddr())
EOF
for p in 1.5 3.0; do
  server_row closestall $p stall 14
  after=$(sed -n 's/^ENDED -[0-9]* AFTER \([0-9]*\)$/\1/p' "$T/closestall.$p.out")
  if [ -n "$after" ] && [ "$after" -ge 5000 ] && [ "$after" -lt 10000 ]; then
    ok "faults $p: close() to a peer that acknowledges nothing: one linger period (${after} ms), an error code"
  else
    fail "faults $p: close() to a peer that acknowledges nothing: one linger period, an error code" \
      "got: $(tr '\n' '|' <"$T/closestall.$p.out")"
  fi
done

# Row: out of descriptors on accept; the server serves again once they return.
cat >"$T/fds.lua" <<EOF
$PRELUDE
local sv = net.createServer(net.TCP, 30)
sv:listen(0, "127.0.0.1", function(c)
  c:on("receive", function(s, d) s:send("pong:" .. d) end)
end)
print("PORT " .. sv:getaddr())
EOF
for p in 1.5 3.0; do
  ( ulimit -n 32; exec env "$(profile_env $p)" timeout -k 2 "$(bound 30)" "$NETMCU" "$T/fds.lua" ) \
    >"$T/fds.$p.out" 2>"$T/fds.$p.err" &
  NM_PID=$!; track $NM_PID
  if wait_line "$T/fds.$p.out" '^PORT [0-9]+' 10; then
    timeout "$(bound 20)" python3 - "$(port_from "$T/fds.$p.out" PORT)" >"$T/fds.$p.peer" 2>&1 <<'PY'
import socket, sys, time
port = int(sys.argv[1])
socks = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(60)]
time.sleep(0.3)
for s in socks:
    s.close()
time.sleep(0.5)
s = socket.create_connection(("127.0.0.1", port), timeout=5)
s.sendall(b"again")
print("ANSWER", s.recv(100).decode(), flush=True)
PY
  fi
  kill -TERM "$NM_PID" 2>/dev/null; wait_exit "$NM_PID" 5
  check "faults $p: out of descriptors on accept, then served again" "$T/fds.$p.peer" -- '^ANSWER pong:again$'
done

# Row: busy sockets and servers that the script dropped survive the collector.
cat >"$T/gc.lua" <<EOF
$PRELUDE
local got, total = 0, 4 * 1024 * 1024
local t = tmr.create()
t:alarm(1, tmr.ALARM_AUTO, function() collectgarbage() end)
do
  local port
  local sv = net.createServer(net.TCP, 30)
  sv:listen(0, "127.0.0.1", function(c)
    c:on("receive", function(_, d) got = got + #d end)
    c:on("disconnection", function(_, e)
      print("SERVER-SIDE " .. e .. " GOT " .. got)
      t:unregister()
    end)
  end)
  port = sv:getaddr()
  local s = net.createConnection(net.TCP, 0)
  s:on("connection", function(c)
    for i = 1, 64 do c:send(string.rep("g", total / 64)) end
    c:close()
  end)
  s:connect(port, "127.0.0.1")
end
collectgarbage()
EOF
for p in 1.5 3.0; do
  cp "$T/gc.lua" "$T/gc.$p.lua"
  nm_start "gc.$p" "$(profile_env $p)"
  wait_line "$T/gc.$p.out" '^SERVER-SIDE' 15
  kill -TERM "$NM_PID" 2>/dev/null; wait_exit "$NM_PID" 5
  check "faults $p: GC of a busy socket and server the script dropped: all data, orderly end" \
    "$T/gc.$p.out" -- '^SERVER-SIDE 0 GOT 4194304$'
done
finish
