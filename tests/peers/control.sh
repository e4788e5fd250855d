#!/usr/bin/env bash
# The control channel's socket: owner-only, one reply line per command,
# bad commands rejected, other users refused, cleaned up at exit, and never
# keeping a finished script alive.
. "$(dirname "$0")/lib/common.sh"
need socat

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
