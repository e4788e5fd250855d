#!/usr/bin/env bash
# UDP with python3 peers on 127.0.0.1: the seed server and client forms end to
# end, replies to the last sender with three interleaved peers, and 10,000
# datagrams kept in flight below the socket buffer's capacity, none lost.
. "$(dirname "$0")/lib/common.sh"
need python3

# The seed UDP server: echoes, replying to the sender of the last datagram.
# "later:" datagrams are answered 300 ms later — to whoever sent last by then.
# "burst:N" is answered with N datagrams from the one callback, every seventh
# one too large to be batched with the others (3000 bytes), the rest 100.
cat >"$T/echo.lua" <<EOF
$PRELUDE
local count, sents, inside, early = 0, 0, false, 0
local srv = net.createServer(net.UDP)
srv:on("sent", function() sents = sents + 1 if inside then early = early + 1 end end)
srv:on("receive", function(s, data, port, ip)
  count = count + 1
  if data == "reset" then count = 0 s:send("reset") return end
  if data == "count?" then s:send("count " .. count - 1) return end
  if data == "sents?" then s:send("sents " .. sents .. " early " .. early) return end
  if data:sub(1, 6) == "burst:" then
    sents = 0
    inside = true
    for i = 1, tonumber(data:sub(7)) do
      s:send(string.format("%04d", i) .. string.rep(".", i % 7 == 3 and 2996 or 96))
    end
    inside = false
    return
  end
  if data:sub(1, 6) == "later:" then
    tmr.create():alarm(300, tmr.ALARM_SINGLE, function() s:send("late " .. data) end)
    return
  end
  s:send(data)
end)
srv:listen(0)
print("PORT " .. srv:getaddr())
EOF

# Python peers: each case is a function of the server port; prints "ok"/a reason.
cat >"$T/peer.py" <<'EOF'
import socket, sys, time

def sock():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.settimeout(5)
    return s

def nothing_for(s, seconds):
    s.settimeout(seconds)
    try:
        data = s.recv(70000)
        return "unexpected datagram %r" % data[:40]
    except socket.timeout:
        return None
    finally:
        s.settimeout(5)

def echo(port):
    s = sock()
    for size in (1, 1000, 1460, 1461, 65507):
        payload = bytes((i * 7 + size) % 256 for i in range(size))
        s.sendto(payload, ("127.0.0.1", port))
        got, frm = s.recvfrom(70000)
        if got != payload:
            return "size %d: got %d bytes back" % (size, len(got))
        if frm[1] != port:
            return "reply came from port %d" % frm[1]
    return "ok"

def interleaved(port):
    peers = [sock(), sock(), sock()]
    for rnd in range(20):
        for i, p in enumerate(peers):
            msg = b"r%d-p%d" % (rnd, i)
            p.sendto(msg, ("127.0.0.1", port))
            got = p.recv(100)
            if got != msg:
                return "peer %d got %r, want %r" % (i, got, msg)
    # A reply deferred until after another peer spoke goes to that peer.
    a, b, c = peers
    a.sendto(b"later:a", ("127.0.0.1", port))
    time.sleep(0.05)
    b.sendto(b"later:b", ("127.0.0.1", port))
    time.sleep(0.05)
    c.sendto(b"x", ("127.0.0.1", port))
    if c.recv(100) != b"x":
        return "c lost its immediate reply"
    got = sorted([c.recv(100), c.recv(100)])
    if got != [b"late later:a", b"late later:b"]:
        return "deferred replies went elsewhere: %r" % got
    for p, name in ((a, "a"), (b, "b")):
        r = nothing_for(p, 0.3)
        if r:
            return "peer %s: %s" % (name, r)
    return "ok"

def flood(port, total=10000, window=64):
    # At most `window` datagrams in flight: far below any receive buffer.
    s = sock()
    s.sendto(b"reset", ("127.0.0.1", port))
    if s.recv(100) != b"reset":
        return "no answer to reset"
    s.setblocking(False)
    sent = received = 0
    expect = 0
    deadline = time.time() + 30
    while received < total:
        while sent < total and sent - received < window:
            s.sendto(b"%08d" % sent + b"." * 56, ("127.0.0.1", port))
            sent += 1
        if time.time() > deadline:
            return "timed out: %d sent, %d echoed" % (sent, received)
        try:
            got = s.recv(100)
        except BlockingIOError:
            time.sleep(0.0005)
            continue
        n = int(got[:8])
        if n != expect or len(got) != 64:
            return "echo %d out of order or resized (want %d)" % (n, expect)
        expect += 1
        received += 1
    s.setblocking(True)
    s.sendto(b"count?", ("127.0.0.1", port))
    got = s.recv(100)
    if got != b"count %d" % total:
        return "server saw %r, want %d datagrams" % (got, total)
    return "ok"

def burst(port, n=100):
    # Replies sent from one receive callback leave together: in order, whole,
    # each with its own `sent`, none of which fired inside send().
    s = sock()
    s.sendto(b"burst:%d" % n, ("127.0.0.1", port))
    for i in range(1, n + 1):
        got = s.recv(70000)
        want = 3000 if i % 7 == 3 else 100
        if got[:4] != b"%04d" % i or len(got) != want:
            return "reply %d: got %r of %d bytes, want %d bytes" % (i, got[:4], len(got), want)
    # A reply the kernel took may be reported by libuv after the server has
    # read our question in the same turn: ask again until all are counted.
    deadline = time.time() + 5
    while True:
        s.sendto(b"sents?", ("127.0.0.1", port))
        got = s.recv(100)
        if got == b"sents %d early 0" % n:
            return "ok"
        if not got.endswith(b" early 0") or time.time() > deadline:
            return "server says %r, want %d sents, none early" % (got, n)
        time.sleep(0.05)

def goodbye(port):
    # The server sends four replies and closes itself in the same callback,
    # with more datagrams waiting in the same receive batch.
    s = sock()
    for i in range(50):
        s.sendto(b"bye %d" % i, ("127.0.0.1", port))
    got = [s.recv(70000) for _ in range(4)]
    want = [b"a", b"b", b"c" * 5000, b"d"]
    if got != want:
        return "got %r" % [g[:10] for g in got]
    return nothing_for(s, 0.3) or "ok"

print({"echo": echo, "interleaved": interleaved, "flood": flood, "burst": burst,
       "goodbye": goodbye}[sys.argv[1]](int(sys.argv[2])))
EOF

run_peer() { # name case port
  local out
  out=$(timeout "$(bound 40)" python3 "$T/peer.py" "$2" "$3" 2>&1 | tail -n 1)
  if [ "$out" = ok ]; then ok "$1"; else fail "$1" "$out"; describe "${4:-echo}"; fi
}

for profile in 1.5 3.0; do
  if nm_server echo NETMCU_COMPAT=$profile; then
    run_peer "udp $profile: seed server echoes every datagram whole (1 to 65507 bytes)" echo "$PORT"
    run_peer "udp $profile: replies go to the last sender, three interleaved peers" interleaved "$PORT"
    run_peer "udp $profile: 10,000 datagrams, none lost" flood "$PORT"
    run_peer "udp $profile: 100 replies from one receive callback arrive in order, one sent each" burst "$PORT"
    kill "$NM_PID" 2>/dev/null
  else
    fail "udp $profile: echo server" "did not start"
  fi
done

# Replies sent just before close() in the same receive callback still leave,
# and the datagrams left in the batch are dropped safely.
cat >"$T/goodbye.lua" <<EOF
$PRELUDE
local srv = net.createServer(net.UDP)
srv:on("receive", function(s, data)
  s:send("a") s:send("b") s:send(string.rep("c", 5000)) s:send("d")
  s:close()
end)
srv:listen(0, "127.0.0.1")
print("PORT " .. srv:getaddr())
EOF
if nm_server goodbye; then
  run_peer "udp: replies sent before close() inside receive are delivered, in order" goodbye "$PORT" goodbye
  if wait_exit "$NM_PID" 10 && [ "$EXIT_STATUS" = 0 ]; then
    ok "udp: a server closed inside its receive callback lets the run end"
  else
    fail "udp: a server closed inside its receive callback lets the run end" "status $EXIT_STATUS"; describe goodbye
  fi
else
  fail "udp: goodbye server" "did not start"
fi

# The seed client: connect() to a python server, send, receive its answers.
cat >"$T/pyserver.py" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
s.settimeout(10)
print("PORT %d" % s.getsockname()[1], flush=True)
for i in range(3):
    data, frm = s.recvfrom(70000)
    print("GOT %s FROM %d" % (data.decode(), frm[1]), flush=True)
    s.sendto(b"ack " + data, frm)
EOF
timeout "$(bound 20)" python3 "$T/pyserver.py" >"$T/pyserver.out" 2>&1 &
track $!
if wait_line "$T/pyserver.out" '^PORT [0-9]+' 5; then
  PYPORT=$(port_from "$T/pyserver.out" PORT)
  cat >"$T/client.lua" <<EOF
$PRELUDE
local c = net.createConnection(net.UDP, 0)
local n = 0
c:on("receive", function(s, data, port, ip)
  n = n + 1
  print("RECEIVE " .. data .. " " .. port .. " " .. ip)
  if n == 3 then s:close() end
end)
c:on("sent", function(s) print("SENT") end)
c:connect($PYPORT, "127.0.0.1")
print("LOCAL " .. c:getaddr())
c:send("one")
c:send("two")
c:send("three")
EOF
  nm_start client
  if wait_exit "$NM_PID" 10 && [ "$EXIT_STATUS" = 0 ]; then
    LOCAL=$(port_from "$T/client.out" LOCAL)
    want="RECEIVE ack one $PYPORT 127.0.0.1|RECEIVE ack two $PYPORT 127.0.0.1|RECEIVE ack three $PYPORT 127.0.0.1"
    got=$(grep '^RECEIVE' "$T/client.out" | paste -sd'|')
    if [ "$got" = "$want" ] && [ "$(grep -c '^SENT' "$T/client.out")" = 3 ] &&
       grep -q "^GOT three FROM $LOCAL\$" "$T/pyserver.out"; then
      ok "udp: seed client connects, sends three datagrams, gets three answers, exits when closed"
    else
      fail "udp: seed client" "got '$got'"; describe client; sed 's/^/# py: /' "$T/pyserver.out"
    fi
  else
    fail "udp: seed client" "exit status $EXIT_STATUS"; describe client
  fi
else
  fail "udp: seed client" "python server did not start"
fi
finish
