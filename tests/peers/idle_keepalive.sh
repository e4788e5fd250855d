#!/usr/bin/env bash
# The server timeout of the 2.2 and 3.0 profiles is lwIP's TCP keep-alive, as
# the 2.x firmware sets it on every accepted connection: a telnet-style shell
# session that sits quiet for three times the timeout is still open and answers
# (the 1.5 inactivity rule is tests/peers/idle.sh). A peer that vanishes —
# here a client in a network namespace of its own whose link goes down — is
# detected one probe interval (10 s) after the timeout, and the script gets
# the firmware's abort code -8. The namespaces are removed at the end.
. "$(dirname "$0")/lib/common.sh"
need python3 ip

# The shell: one prompt per line received, the session's events printed.
shell_lua() { # create-server-expression
  cat <<EOF
$PRELUDE
local sv = $1
sv:listen(0, function(c)
  print("ACCEPT")
  c:on("receive", function(c, line) c:send("you said " .. line .. "% ") end)
  c:on("disconnection", function(c, err) print("DISCONNECTION " .. tostring(err)) end)
  c:send("% ")
end)
print("PORT " .. sv:getaddr())
EOF
}

# The quiet client: a prompt, 3.5 s of silence, then a line that must be answered.
cat >"$T/quiet.py" <<'EOF'
import socket, sys, time
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
assert s.recv(2) == b"% "
time.sleep(3.5)
try:
    s.sendall(b"ls\n")
    print("ANSWER", s.recv(64), flush=True)
except OSError as e:
    print("GONE", e, flush=True)
s.close()
EOF

for p in 2.2 3.0; do
  if [ $p = 2.2 ]; then make='net.createServer(net.TCP, 1)'; else make='net.createServer(1)'; fi
  shell_lua "$make" >"$T/quiet$p.lua"
  if ! nm_server "quiet$p" NETMCU_COMPAT=$p; then fail "keepalive $p: server starts" "no port"; continue; fi
  timeout "$(bound 15)" python3 "$T/quiet.py" 127.0.0.1 "$PORT" >"$T/quiet$p.peer" 2>&1
  if grep -q "^ANSWER b'you said ls\\\\n% '$" "$T/quiet$p.peer" &&
    wait_line "$T/quiet$p.out" '^DISCONNECTION 0$' 3 &&
    [ "$(grep -c '^DISCONNECTION' "$T/quiet$p.out")" = 1 ]; then
    ok "keepalive $p: a session quiet for 3.5 s (timeout 1 s) stays open and answers"
  else
    fail "keepalive $p: a session quiet for 3.5 s (timeout 1 s) stays open and answers" \
      "client: $(tr '\n' ' ' <"$T/quiet$p.peer"); server: $(tr '\n' '|' <"$T/quiet$p.out")"
  fi
  kill -TERM "$NM_PID" 2>/dev/null
done

# The vanished peer: the server in namespace A, the client in B, one veth
# between them; once the session is up, B's end of the link goes down.
NSA=nmka$$ NSB=nmkb$$
CASE="keepalive 2.2: a client whose link went down is dropped after timeout + 10 s with disconnection(-8)"
at_exit 'ip netns del "$NSA" 2>/dev/null; ip netns del "$NSB" 2>/dev/null'
if ! { ip netns add "$NSA" && ip netns add "$NSB"; } 2>"$T/netns.err" ||
  ! ip link add nmka$$ netns "$NSA" type veth peer name nmkb$$ netns "$NSB" 2>"$T/netns.err"; then
  skip "$CASE" "cannot create network namespaces ($(head -n 1 "$T/netns.err"))"
  finish
fi
ip -n "$NSA" addr add 10.213.7.1/24 dev nmka$$
ip -n "$NSB" addr add 10.213.7.2/24 dev nmkb$$
ip -n "$NSA" link set nmka$$ up
ip -n "$NSB" link set nmkb$$ up

shell_lua 'net.createServer(net.TCP, 1)' >"$T/dead.lua"
ip netns exec "$NSA" env NETMCU_COMPAT=2.2 timeout -k 2 "$(bound 40)" "$NETMCU" "$T/dead.lua" \
  >"$T/dead.out" 2>"$T/dead.err" &
track $!
if ! wait_line "$T/dead.out" '^PORT [0-9]+' 10; then
  fail "$CASE" "no port; $(tr '\n' '|' <"$T/dead.err")"
  finish
fi
PORT=$(port_from "$T/dead.out" PORT)
cat >"$T/vanish.py" <<'EOF'
import socket, sys, time
s = socket.create_connection(("10.213.7.1", int(sys.argv[1])), timeout=5)
assert s.recv(2) == b"% "
s.sendall(b"hello\n")
assert s.recv(64) == b"you said hello\n% "
print("UP", flush=True)
time.sleep(30)  # holds the socket while the link is down; ended by the test
EOF
ip netns exec "$NSB" timeout "$(bound 40)" python3 "$T/vanish.py" "$PORT" >"$T/vanish.out" 2>&1 &
track $!
if ! wait_line "$T/vanish.out" '^UP$' 5; then
  fail "$CASE" "the client did not get its answer: $(tr '\n' ' ' <"$T/vanish.out")"
  finish
fi
sleep 0.5 # the client's delayed ACK of the answer leaves first
ip -n "$NSB" link set nmkb$$ down
t0=$(now_ms)
if wait_line "$T/dead.out" '^DISCONNECTION' 20; then
  elapsed=$(($(now_ms) - t0))
  if grep -q '^DISCONNECTION -8$' "$T/dead.out" && [ "$elapsed" -ge 9000 ]; then
    ok "$CASE (after $elapsed ms)"
  else
    fail "$CASE" "after $elapsed ms: $(tr '\n' '|' <"$T/dead.out")"
  fi
else
  fail "$CASE" "no event within $(bound 20) s: $(tr '\n' '|' <"$T/dead.out")"
  ip netns exec "$NSA" ss -tino | sed 's/^/#   /'
fi
finish
