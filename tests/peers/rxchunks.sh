#!/usr/bin/env bash
# --rx-chunks: received TCP data reaches `receive` in pieces of at most N bytes
# (the device's 1460) or of random sizes, exposing a script that assumes one
# receive per message; a script that assembles its messages passes either way.
. "$(dirname "$0")/lib/common.sh"
need python3

# A server that assumes each request arrives whole in one receive (a common
# NodeMCU bug) and one that assembles lines; both print every piece's size.
cat >"$T/naive.lua" <<'EOF2'
srv = net.createServer(net.TCP, 5)
srv:listen(0, function(c)
  local total = 0
  c:on("receive", function(s, d)
    print("RECV " .. #d)
    total = total + #d
    if total == 3000 then s:send(#d == 3000 and "WHOLE\n" or "BROKEN\n", function(x) x:close() srv:close() end) end
  end)
end)
print("PORT " .. srv:getaddr())
EOF2
cat >"$T/assemble.lua" <<'EOF2'
srv = net.createServer(net.TCP, 5)
srv:listen(0, function(c)
  local buf = ""
  c:on("receive", function(s, d)
    print("RECV " .. #d)
    buf = buf .. d
    if buf:find("\n", 1, true) then s:send(#buf == 3000 and "WHOLE\n" or "BROKEN\n", function(x) x:close() srv:close() end) end
  end)
end)
print("PORT " .. srv:getaddr())
EOF2
cat >"$T/first.lua" <<'EOF2'
srv = net.createServer(net.TCP, 5)
srv:listen(0, function(c)
  c:on("receive", function(s, d) print("RECV " .. #d) s:close() srv:close() end)
end)
print("PORT " .. srv:getaddr())
EOF2
cat >"$T/client.py" <<'EOF2'
import socket, sys
c = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
c.sendall(b"x" * 2999 + b"\n")
data = b""
try:
    while True:
        d = c.recv(100)
        if not d: break
        data += d
except OSError:
    pass
print(data.decode().strip() or "CLOSED")
EOF2

# run NAME OPTION... — the server's piece sizes in $SIZES and the client's answer in $ANSWER.
run() {
  local name=$1; shift
  cp "$T/$name.lua" "$T/run.lua"
  nm_server run -- "$@" || { SIZES=none; ANSWER=none; return; }
  ANSWER=$(timeout -k 2 "$(bound 10)" python3 "$T/client.py" "$PORT")
  wait_exit "$NM_PID" 10
  SIZES=$(sed -n 's/^RECV //p' "$T/run.out" | tr '\n' ' ')
}
# nm_server passes script args after --: the runner options go before the script instead.
nm_start() {
  local name=$1; shift
  [ $# -gt 0 ] && [ "$1" = "--" ] && shift
  timeout -k 2 "$(bound 40)" "$NETMCU" "$@" "$T/$name.lua" >"$T/$name.out" 2>"$T/$name.err" &
  NM_PID=$!
  track "$NM_PID"
}

run naive
[ "$ANSWER" = WHOLE ] && [ "$SIZES" = "3000 " ] && ok "without --rx-chunks a 3000-byte request arrives whole on loopback (the bug hides)" \
  || fail "without --rx-chunks: one receive" "answer $ANSWER, pieces $SIZES"
run naive --rx-chunks=1460
[ "$ANSWER" = BROKEN ] && [ "$SIZES" = "1460 1460 80 " ] && ok "--rx-chunks=1460: pieces 1460 1460 80 as on the device; the naive server breaks" \
  || fail "--rx-chunks=1460" "answer $ANSWER, pieces $SIZES"
run naive --rx-chunks=random:42; first=$SIZES
sum=0; n=0; for s in $SIZES; do sum=$((sum + s)); n=$((n + 1)); done
[ "$ANSWER" = BROKEN ] && [ "$sum" = 3000 ] && [ "$n" -gt 1 ] && grep -q '^netmcu: --rx-chunks=random:42$' "$T/run.err" \
  && ok "--rx-chunks=random:42: $n random pieces of 3000 bytes, the seed on stderr; the naive server breaks" \
  || fail "--rx-chunks=random:42" "answer $ANSWER, pieces $SIZES, $(cat "$T/run.err")"
run naive --rx-chunks=random:42
[ "$SIZES" = "$first" ] && ok "--rx-chunks=random:42 cuts the same pieces again" || fail "random:42 reproduces" "$first vs $SIZES"
for opt in --rx-chunks=random:7 --rx-chunks=1460 --rx-chunks=1; do
  run assemble "$opt"
  [ "$ANSWER" = WHOLE ] && ok "$opt: a server that assembles its lines works" || fail "$opt: assembling server" "answer $ANSWER, pieces $SIZES"
done
run first --rx-chunks=100
[ "$SIZES" = "100 " ] && [ "$ANSWER" = CLOSED ] && ok "--rx-chunks=100: closing in the first piece's callback delivers no more" \
  || fail "--rx-chunks: close in a piece" "answer $ANSWER, pieces $SIZES"
for bad in 0 65537 x random: random:x -5; do
  "$NETMCU" --rx-chunks=$bad -e '' >/dev/null 2>"$T/bad.err"; st=$?
  [ "$st" = 2 ] && grep -q "a size from 1 to 65536" "$T/bad.err" && ok "--rx-chunks=$bad is a usage error" \
    || fail "--rx-chunks=$bad is a usage error" "status $st: $(cat "$T/bad.err")"
done
finish
