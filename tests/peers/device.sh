#!/usr/bin/env bash
# --device=esp8266: each limit of the ESP8266 a script can hit, triggered by a
# script: the heap (about 40 KB at boot, falling as the script allocates, then
# "not enough memory"), 5 connections at once per server (a 6th is reset, with
# one warning naming the listen() line), and receive in 1460-byte pieces.
. "$(dirname "$0")/lib/common.sh"
need python3

out=$("$NETMCU" --device=esp8266 -e 'local h1 = node.heap() big = string.rep("x", 10000) print(h1, h1 - node.heap())' 2>&1)
read -r h1 fell <<<"$out"
if [ -n "${fell:-}" ] && [ "$h1" -gt 30000 ] && [ "$h1" -le 40960 ] && [ "$fell" -ge 10000 ]; then
  ok "--device=esp8266: node.heap() reads $h1 at start and falls by $fell after a 10000-byte string"
else
  fail "--device=esp8266: node.heap()" "printed '$out'"
fi
out=$("$NETMCU" -e 'print(node.heap() > 1000000)' 2>&1)
[ "$out" = true ] && ok "without --device the host's budget stays" || fail "without --device" "printed '$out'"
"$NETMCU" --device=esp8266 -e 'local t = {} for i = 1, 100000 do t[i] = ("x"):rep(64) .. i end' >"$T/oom.out" 2>&1; st=$?
[ "$st" = 1 ] && grep -q "not enough memory" "$T/oom.out" && ok "--device=esp8266: a script filling the heap gets Lua's 'not enough memory'" \
  || fail "--device=esp8266: out of heap" "status $st: $(tail -n 3 "$T/oom.out")"
"$NETMCU" --device=esp8266 -e 'local t = {} for i = 1, 100 do t[i] = ("x"):rep(64) .. i end print("fits")' >"$T/fits.out" 2>&1; st=$?
[ "$st" = 0 ] && grep -q '^fits$' "$T/fits.out" && ok "--device=esp8266: a few KB still fit" || fail "--device=esp8266: a few KB" "status $st: $(cat "$T/fits.out")"

cat >"$T/srv.lua" <<'EOF2'
srv = net.createServer(net.TCP, 20)
srv:listen(0, function(c)
  c:on("receive", function(s, d) print("RECV " .. #d) end)
  c:send("hi\n")
end)
print("PORT " .. srv:getaddr())
EOF2
cat >"$T/conns.py" <<'EOF2'
import socket, sys, time
port = int(sys.argv[1])
def open_one():
    c = socket.create_connection(("127.0.0.1", port), timeout=5)
    try:
        got = c.recv(10)
    except OSError as e:
        got = b""
    return c, got == b"hi\n"
held = [open_one() for _ in range(7)]
print("ANSWERED " + " ".join("1" if ok else "0" for _, ok in held), flush=True)
held[0][0].close(); time.sleep(0.3)
again = open_one()
print("AFTER_CLOSE " + ("1" if again[1] else "0"), flush=True)
again[0].sendall(b"y" * 3000); time.sleep(0.5)
EOF2
# nm_server with runner options: they go before the script.
nm_start() {
  local name=$1; shift
  [ $# -gt 0 ] && [ "$1" = "--" ] && shift
  timeout -k 2 "$(bound 40)" "$NETMCU" "$@" "$T/$name.lua" >"$T/$name.out" 2>"$T/$name.err" &
  NM_PID=$!
  track "$NM_PID"
}
if nm_server srv -- --device=esp8266; then
  timeout -k 2 "$(bound 20)" python3 "$T/conns.py" "$PORT" >"$T/conns.out" 2>&1
  kill -TERM "$NM_PID"; wait_exit "$NM_PID" 10
  grep -q '^ANSWERED 1 1 1 1 1 0 0$' "$T/conns.out" \
    && ok "--device=esp8266: 5 connections at once are served, the 6th and 7th are reset" \
    || fail "--device=esp8266: 5 connections per server" "$(cat "$T/conns.out")"
  grep -q '^AFTER_CLOSE 1$' "$T/conns.out" && ok "--device=esp8266: with one closed, a new connection is served" \
    || fail "--device=esp8266: a connection after one closed" "$(cat "$T/conns.out")"
  n=$(grep -c "^netmcu: esp8266: .*srv.lua:2: a 6th connection at once to this server was reset (the firmware accepts 5 per server)$" "$T/srv.err")
  [ "$n" = 1 ] && ok "--device=esp8266: one warning for the listen() line, however many were reset" \
    || fail "--device=esp8266: one warning per site" "$n warnings: $(cat "$T/srv.err")"
  [ "$(sed -n 's/^RECV //p' "$T/srv.out" | tr '\n' ' ')" = "1460 1460 80 " ] \
    && ok "--device=esp8266: 3000 bytes arrive in the device's pieces (1460 1460 80)" \
    || fail "--device=esp8266: receive pieces" "$(cat "$T/srv.out")"
else
  fail "--device=esp8266: the server started" "$(cat "$T/srv.err")"
fi
nm_server srv -- || true
if [ -n "$PORT" ]; then
  timeout -k 2 "$(bound 20)" python3 "$T/conns.py" "$PORT" >"$T/host.out" 2>&1
  kill -TERM "$NM_PID"; wait_exit "$NM_PID" 10
  grep -q '^ANSWERED 1 1 1 1 1 1 1$' "$T/host.out" && ok "without --device, 7 connections at once are served" \
    || fail "without --device, 7 connections" "$(cat "$T/host.out")"
fi
"$NETMCU" --device=esp32 -e '' >/dev/null 2>"$T/bad.err"; st=$?
[ "$st" = 2 ] && grep -q "esp8266 or host" "$T/bad.err" && ok "--device with an unknown name is a usage error" \
  || fail "--device=esp32 is a usage error" "status $st: $(cat "$T/bad.err")"
finish
