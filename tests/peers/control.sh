#!/usr/bin/env bash
# The control channel's socket: owner-only, one reply line per command,
# bad commands rejected, other users refused, cleaned up at exit, and never
# keeping a finished script alive.
. "$(dirname "$0")/lib/common.sh"
need socat python3

SOCK="$T/ctl.sock"
# ctl LINES... — sends the lines to the socket, prints the replies.
ctl() { printf '%s\n' "$@" | timeout "$(bound 5)" socat -t "$(bound 2)" - "UNIX-CONNECT:$SOCK"; }

cat >"$T/idle.lua" <<EOF
$PRELUDE
print("PATH " .. tostring(control.path()))
local t = tmr.create()
t:alarm(60000, tmr.ALARM_SINGLE, function() end)
EOF
timeout -k 2 "$(bound 40)" "$NETMCU" --control "$SOCK" "$T/idle.lua" >"$T/idle.out" 2>"$T/idle.err" &
PID=$!; track "$PID"

if wait_line "$T/idle.out" '^PATH ' 5 && [ -S "$SOCK" ]; then
  ok "--control PATH creates a socket"
else
  fail "--control PATH creates a socket" "no socket"; describe idle; finish
fi
grep -qx "PATH $SOCK" "$T/idle.out" && ok "control.path() names it" || fail "control.path() names it" "$(cat "$T/idle.out")"

mode=$(stat -c %a "$SOCK")
[ "$mode" = 600 ] && ok "the socket is owner-only (0600)" || fail "the socket is owner-only (0600)" "mode $mode"

out=$(ctl help)
case "$out" in ok*) [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] && ok "help answers one ok line" \
    || fail "help answers one ok line" "$out" ;;
  *) fail "help answers one ok line" "$out" ;; esac

out=$(ctl "nosuch thing" "" "help extra" "$(printf 'help\001')" "a b c d e f g h i")
want="error unknown command 'nosuch' (help lists the commands)
error empty command
error help takes no arguments
error control characters or non-ASCII bytes in the command
error too many words (at most 8)"
[ "$out" = "$want" ] && ok "bad commands get one error line each" || fail "bad commands get one error line each" "$out"

# Hostile bytes: a NUL does not end the command; the whole line is refused.
out=$(printf 'help\000junk\001\377\n' | timeout "$(bound 5)" socat -t "$(bound 2)" - "UNIX-CONNECT:$SOCK")
[ "$out" = "error control characters or non-ASCII bytes in the command" ] \
  && ok "a NUL byte and control bytes refuse the line" || fail "a NUL byte and control bytes refuse the line" "$out"

# A client that sends commands and never reads: netmcu stops reading it while
# its unsent replies exceed the bound (64 KiB), so memory stays bounded; once it
# reads, every line gets its reply, in order.
NM_CHILD=$(cat "/proc/$PID/task/$PID/children" 2>/dev/null | awk '{print $1}')
timeout "$(bound 40)" python3 - "$SOCK" "${NM_CHILD:-$PID}" >"$T/flood.out" 2>&1 <<'PY'
import socket, sys, time
path, pid = sys.argv[1], sys.argv[2]
def rss_kb():
    with open("/proc/%s/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
start_rss = rss_kb()
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(path)
s.setblocking(False)
chunk = b"help\n" * 200
sent = 0
peak = start_rss
end = time.time() + 3
while time.time() < end and peak - start_rss < 100 * 1024:
    try:
        sent += s.send(chunk[sent % len(chunk):] if sent % len(chunk) else chunk)
    except BlockingIOError:
        time.sleep(0.01)
    peak = max(peak, rss_kb())
lines = sent // 5
tail = sent % 5
s.setblocking(True)
if tail:
    s.sendall(b"help\n"[tail:])
    lines += 1
s.settimeout(10)
got, buf, bad = 0, b"", 0
try:
    while got < lines:
        data = s.recv(1 << 16)
        if not data:
            break
        buf += data
        parts = buf.split(b"\n")
        buf = parts.pop()
        got += len(parts)
        bad += sum(1 for p in parts if not p.startswith(b"ok "))
except socket.timeout:
    pass
print("GROWTH_KB %d LINES %d REPLIES %d BAD %d" % (peak - start_rss, lines, got, bad), flush=True)
PY
echo "# non-reading client: $(cat "$T/flood.out")"
read -r _ growth _ lines _ replies _ bad <"$T/flood.out" || true
if [ -n "${growth:-}" ] && [ "$growth" -lt $(( 32 * 1024 * SLOW )) ]; then
  ok "a client that never reads its replies keeps memory bounded"
else
  fail "a client that never reads its replies keeps memory bounded" "$(cat "$T/flood.out")"
fi
if [ -n "${lines:-}" ] && [ "$lines" -gt 0 ] && [ "$replies" = "$lines" ] && [ "$bad" = 0 ]; then
  ok "then every line sent gets its reply"
else
  fail "then every line sent gets its reply" "$(cat "$T/flood.out")"
fi
out=$(ctl help)
case "$out" in ok*) ok "other clients are still served" ;; *) fail "other clients are still served" "$out" ;; esac

# Clients that flood and leave without reading free their places (8 at most).
timeout "$(bound 20)" python3 - "$SOCK" >"$T/leave.out" 2>&1 <<'PY'
import socket, sys, time
socks = []
for i in range(8):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sys.argv[1])
    s.setblocking(False)
    end = time.time() + 2
    while time.time() < end:
        try:
            s.send(b"help\n" * 1000)
        except BlockingIOError:
            break
    socks.append(s)
time.sleep(0.3)
for s in socks:
    s.close()
print("LEFT", flush=True)
PY
sleep 0.3
out=$(ctl help)
case "$out" in ok*) ok "flooding clients that leave unread free their places" ;;
  *) fail "flooding clients that leave unread free their places" "$out; $(cat "$T/leave.out")" ;; esac

out=$(printf 'help\r\n' | timeout "$(bound 5)" socat -t 2 - "UNIX-CONNECT:$SOCK")
case "$out" in ok*) ok "CRLF line ends are accepted" ;; *) fail "CRLF line ends are accepted" "$out" ;; esac

long=$(head -c 300 /dev/zero | tr '\0' a)
out=$(ctl "$long" "nosuch")
want="error line too long (at most 255 bytes)
error unknown command 'nosuch' (help lists the commands)"
[ "$out" = "$want" ] && ok "an over-long line is refused, the next one served" || fail "an over-long line is refused, the next one served" "$out"

out=$(printf 'help' | timeout "$(bound 5)" socat -t 2 - "UNIX-CONNECT:$SOCK")
[ -z "$out" ] && ok "an unterminated last line is not run" || fail "an unterminated last line is not run" "$out"

# Another user: refused by the file mode, and by the peer check even when
# the mode is opened up (only root can run this part).
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
  as_nobody() { printf 'help\n' | timeout "$(bound 5)" setpriv --reuid=65534 --regid=65534 --clear-groups \
      socat -t 2 - "UNIX-CONNECT:$SOCK" 2>&1; }
  out=$(as_nobody)
  case "$out" in *"Permission denied"*) ok "another user cannot connect (mode)" ;;
    *) fail "another user cannot connect (mode)" "$out" ;; esac
  chmod 666 "$SOCK"
  chmod 755 "$T"
  out=$(as_nobody)
  # closed unread: no reply (socat may report the broken pipe of its write)
  if printf '%s\n' "$out" | grep -Eq '^(ok|error)( |$)'; then
    fail "another user is refused by the peer check" "$out"
  else
    ok "another user is refused by the peer check"
  fi
  chmod 600 "$SOCK"
  chmod 700 "$T"
  out=$(ctl help)
  case "$out" in ok*) ok "the owner is still served" ;; *) fail "the owner is still served" "$out" ;; esac
else
  skip "another user is refused" "needs root and setpriv to act as another user"
fi

# A live socket is not taken over by a second run.
"$NETMCU" --control "$SOCK" -e 'print("ran")' >"$T/second.out" 2>"$T/second.err"
st=$?
[ "$st" = 2 ] && grep -qi "address already in use" "$T/second.err" && ! grep -q ran "$T/second.out" \
  && ok "a socket in use is refused (status 2)" || fail "a socket in use is refused (status 2)" "status $st: $(cat "$T/second.err")"

kill -TERM "$PID"
wait_exit "$PID" 5
[ ! -e "$SOCK" ] && ok "the socket is removed at exit" || fail "the socket is removed at exit" "still there"

# A file that is not a socket is never replaced.
echo keep >"$T/plain"
"$NETMCU" --control "$T/plain" -e 'print("ran")' >"$T/plain.out" 2>"$T/plain.err"
st=$?
[ "$st" = 2 ] && [ "$(cat "$T/plain")" = keep ] && ok "an existing file is refused, untouched" \
  || fail "an existing file is refused, untouched" "status $st: $(cat "$T/plain.err")"

# A stale socket (its run was killed) is replaced.
"$NETMCU" --control "$SOCK" "$T/idle.lua" >"$T/idle2.out" 2>&1 &
PID=$!; track "$PID"
wait_line "$T/idle2.out" '^PATH ' 5
kill -KILL "$PID"; wait "$PID" 2>/dev/null
[ -S "$SOCK" ] || fail "stale socket setup" "no socket left behind"
start=$(now_ms)
timeout "$(bound 10)" "$NETMCU" --control "$SOCK" -e 'print(type(control.send("help")))' >"$T/stale.out" 2>&1
st=$?
elapsed=$(( $(now_ms) - start ))
[ "$st" = 0 ] && grep -qx string "$T/stale.out" && ok "a stale socket is replaced" || fail "a stale socket is replaced" "status $st: $(cat "$T/stale.out")"
[ "$elapsed" -lt $(( 3000 * SLOW )) ] && ok "the channel does not keep a finished run alive" \
  || fail "the channel does not keep a finished run alive" "took ${elapsed}ms"
[ ! -e "$SOCK" ] && ok "removed after a normal end" || fail "removed after a normal end" "still there"

"$NETMCU" --control >/dev/null 2>&1; st=$?
[ "$st" = 2 ] && ok "--control without a path is a usage error" || fail "--control without a path is a usage error" "status $st"
finish
