#!/usr/bin/env bash
# --device=esp8266: each limit of the ESP8266 a script can hit, triggered by a
# script: the heap (about 40 KB at boot, falling as the script allocates, then
# "not enough memory", garbage collected first as the firmware's EGC does); lwIP's 5 TCP connections open at once (a 6th waits
# unaccepted, with one warning naming the listen() line; in 1.5 a 6th connect()
# does nothing); receive in 1460-byte pieces; the send buffer (1.5: 'need
# <1460 payload' and dropped sends; 3.0: 'out of memory'); one server per
# protocol in 1.5; the http module's 8 KB response; names and flash size.
. "$(dirname "$0")/lib/common.sh"
need python3

out=$("$NETMCU" --device=esp8266 -e 'collectgarbage() local h1 = node.heap() big = string.rep("x", 10000) print(h1, h1 - node.heap())' 2>&1)
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
# The firmware collects garbage before an allocation can fail (EGC_ALWAYS):
# 16 KB kept and a loop of 2 KB temporaries, as a web server streaming a file
# in pieces makes them, never runs out there, nor here.
"$NETMCU" --device=esp8266 -e 'local keep = {} for i = 1, 14 do keep[i] = ("k"):rep(1000) .. i end
for i = 1, 2000 do local s = ("x"):rep(2000) .. i end print("collected", #keep)' >"$T/egc.out" 2>&1; st=$?
[ "$st" = 0 ] && grep -q '^collected	14$' "$T/egc.out" && ok "--device=esp8266: garbage is collected before an allocation fails, as the firmware's EGC does" \
  || fail "--device=esp8266: garbage and the heap" "status $st: $(tail -n 3 "$T/egc.out")"

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
    c.settimeout(1.5)
    try:
        got = c.recv(10)
    except OSError as e:
        got = b""
    return c, got == b"hi\n"
held = [open_one() for _ in range(7)]
print("ANSWERED " + " ".join("1" if ok else "0" for _, ok in held), flush=True)
held[0][0].close()
held[5][0].settimeout(5)
try:
    got = held[5][0].recv(10)
except OSError:
    got = b""
print("AFTER_CLOSE " + ("1" if got == b"hi\n" else "0"), flush=True)
held[5][0].sendall(b"y" * 3000); time.sleep(0.5)
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
    && ok "--device=esp8266: 5 TCP connections at once are served, the 6th and 7th wait unanswered" \
    || fail "--device=esp8266: 5 TCP connections" "$(cat "$T/conns.out")"
  grep -q '^AFTER_CLOSE 1$' "$T/conns.out" && ok "--device=esp8266: with one closed, the 6th is served" \
    || fail "--device=esp8266: the 6th after one closed" "$(cat "$T/conns.out")"
  n=$(grep -c "^netmcu: esp8266: .*srv.lua:2: a connection to this server waits unaccepted while 5 TCP connections are open, servers' and clients' together (lwIP on the device answers no new connection until one ends)$" "$T/srv.err")
  [ "$n" = 1 ] && ok "--device=esp8266: one warning for the listen() line, however many waited" \
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
# The send buffer: 1.5 takes at most 1460 bytes a send and drops a send while
# earlier ones overfill the 2920-byte buffer; 2.2/3.0 raise 'out of memory'.
cat >"$T/send.lua" <<'EOF2'
srv = net.createServer(net.TCP, 20)
srv:listen(0, function(c)
  c:on("receive", function(s, d)
    print("BIG", pcall(s.send, s, ("a"):rep(1461)))
    for i = 1, 4 do print("SMALL", i, pcall(s.send, s, ("b"):rep(1000))) end
  end)
  c:on("sent", function() print("SENT") end)
end)
print("PORT " .. srv:getaddr())
EOF2
cat >"$T/get.py" <<'EOF2'
import socket, sys
c = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
c.sendall(b"go")
c.settimeout(1.5)
n = 0
try:
    while True:
        d = c.recv(65536)
        if not d:
            break
        n += len(d)
except OSError:
    pass
print("GOT %d" % n, flush=True)
EOF2
send_case() { # label, expected GOT, expected printed lines (| separated), runner options...
  local label=$1 got=$2 lines=$3; shift 3
  if nm_server send -- "$@"; then
    timeout -k 2 "$(bound 20)" python3 "$T/get.py" "$PORT" >"$T/get.out" 2>&1
    kill -TERM "$NM_PID"; wait_exit "$NM_PID" 10
    local seen
    seen=$(grep -v '^PORT' "$T/send.out" | tr '\t' ' ' | paste -sd'|')
    [ "$(cat "$T/get.out")" = "GOT $got" ] && [ "$seen" = "$lines" ] && ok "$label" \
      || fail "$label" "$(cat "$T/get.out") / $seen / $(cat "$T/send.err")"
  else
    fail "$label: the server started" "$(cat "$T/send.err")"
  fi
}
send_case "--device=esp8266, 1.5: 'need <1460 payload' past 1460 bytes, and the 4th 1000-byte send dropped, with no sent" 3000 \
  "BIG false need <1460 payload|SMALL 1 true|SMALL 2 true|SMALL 3 true|SMALL 4 true|SENT|SENT|SENT" --device=esp8266 --compat=1.5
grep -q "send.lua:4: a send() of more than 1460 bytes: the 1.5 firmware raises 'need <1460 payload'$" "$T/send.err" \
  && [ "$(grep -c "send.lua:5: a send() while earlier ones still fill the 2920-byte send buffer was dropped" "$T/send.err")" = 1 ] \
  && ok "--device=esp8266, 1.5: one warning each, naming the send lines" || fail "1.5 send warnings" "$(cat "$T/send.err")"
send_case "--device=esp8266, 3.0: a send past the free 2920-byte buffer raises 'out of memory'" 2461 \
  "BIG true|SMALL 1 true|SMALL 2 false out of memory|SMALL 3 false out of memory|SMALL 4 false out of memory|SENT|SENT" --device=esp8266 --compat=3.0
[ "$(grep -c "send.lua:5: a send() that does not fit the free part of the 2920-byte send buffer" "$T/send.err")" = 1 ] \
  && ok "--device=esp8266, 3.0: one warning for the send line" || fail "3.0 send warning" "$(cat "$T/send.err")"
send_case "without --device, 1.5: every send is taken" 5461 \
  "BIG true|SMALL 1 true|SMALL 2 true|SMALL 3 true|SMALL 4 true|SENT|SENT|SENT|SENT|SENT" --compat=1.5
out=$("$NETMCU" --device=esp8266 --compat=1.5 -e 'u = net.createConnection(net.UDP) u:connect(9, "127.0.0.1") print(pcall(u.send, u, ("x"):rep(1461))) u:close()' 2>/dev/null)
[ "$out" = "false	need <1460 payload" ] && ok "--device=esp8266, 1.5: a UDP send past 1460 bytes too" || fail "1.5 UDP payload" "$out"

# Connections count together, servers' and clients': 6 connections from the
# script to its own server. 1.5: the 6th connect() does nothing (espconn's
# refusal, ignored); its server accepts none while 5 are open. 3.0: no limit
# on connect(); past 5 open, lwIP's equality test lets the server accept.
cat >"$T/out.lua" <<'EOF2'
srv = net.createServer(net.TCP, 20)
srv:listen(0, function(c) print("ACCEPTED") end)
local port = srv:getaddr()
local n = 0
for i = 1, 6 do
  local s = net.createConnection(net.TCP, 0)
  s:on("connection", function() n = n + 1 end)
  s:connect(port, "127.0.0.1")
end
tmr.create():alarm(500, tmr.ALARM_SINGLE, function() print("CONNECTED " .. n) os.exit(0) end)
EOF2
out=$(timeout -k 2 "$(bound 20)" "$NETMCU" --device=esp8266 --compat=1.5 "$T/out.lua" 2>"$T/out.err" | paste -sd' ')
[ "$out" = "CONNECTED 5" ] && grep -q "out.lua:8: a connect() while 5 TCP connections are open did nothing, and no event follows" "$T/out.err" \
  && grep -q "out.lua:2: a connection to this server waits unaccepted while 5 TCP connections are open" "$T/out.err" \
  && ok "--device=esp8266, 1.5: a 6th connect() does nothing, and a server accepts none while 5 clients are open" \
  || fail "1.5: connections overall" "$out / $(cat "$T/out.err")"
out=$(timeout -k 2 "$(bound 20)" "$NETMCU" --device=esp8266 --compat=3.0 "$T/out.lua" 2>"$T/out.err" | sort | uniq -c | awk '{print $1, $2, $3}' | paste -sd' ')
[ "$out" = "6 ACCEPTED  1 CONNECTED 6" ] && ok "--device=esp8266, 3.0: connect() has no limit, and past 5 open the server accepts" \
  || fail "3.0: connections overall" "$out / $(cat "$T/out.err")"
out=$(timeout -k 2 "$(bound 20)" "$NETMCU" --compat=1.5 "$T/out.lua" 2>&1 | sort | uniq -c | awk '{print $1, $2, $3}' | paste -sd' ')
[ "$out" = "6 ACCEPTED  1 CONNECTED 6" ] && ok "without --device, 1.5: six connections and six accepted" || fail "1.5 host: connections" "$out"

# The http module keeps a whole response in 8192 bytes (with its NUL).
cat >"$T/http.lua" <<'EOF2'
local srv = net.createServer(net.TCP)
srv:listen(0, "127.0.0.1", function(conn)
  conn:on("receive", function(c, request)
    local left = tonumber(request:match("GET /(%d+)"))
    c:on("sent", function(s)
      if left == 0 then s:close() return end
      local n = math.min(left, 1000)
      left = left - n
      s:send(("x"):rep(n))
    end)
    c:send("HTTP/1.1 200 OK\r\nContent-Length: " .. left .. "\r\n\r\n")
  end)
end)
local port = srv:getaddr()
http.get("http://127.0.0.1:" .. port .. "/8000", nil, function(code, body)
  print(code, body and #body)
  http.get("http://127.0.0.1:" .. port .. "/8200", nil, function(code, body)
    print(code, body and #body)
    srv:close()
  end)
end)
EOF2
for compat in 1.5 3.0; do
  out=$(timeout -k 2 "$(bound 20)" "$NETMCU" --device=esp8266 --compat=$compat "$T/http.lua" 2>"$T/http.err" | paste -sd'|')
  case "$out" in
    "200	8000|HTTP client: Response too long ("*")|-1	nil") ok "--device=esp8266, $compat: an 8 KB response passes, one over 8192 bytes is 'Response too long', then -1" ;;
    *) fail "$compat: http response limit" "$out" ;;
  esac
  [ "$(grep -c "http.lua:17: a response over 8 KB failed with -1 (the firmware's http client keeps the whole response in a buffer of 8192 bytes, BUFFER_SIZE_MAX)$" "$T/http.err")" = 1 ] \
    && ok "--device=esp8266, $compat: the warning names the http.get line" || fail "$compat: http warning" "$(cat "$T/http.err")"
done
out=$(timeout -k 2 "$(bound 20)" "$NETMCU" --compat=3.0 "$T/http.lua" 2>&1 | paste -sd'|')
[ "$out" = "200	8000|200	8200" ] && ok "without --device, a response of any size" || fail "http without --device" "$out"

# One server per protocol in 1.5 (while the TCP one has its listen callback,
# while the UDP one is bound); later eras take several.
cat >"$T/two.lua" <<'EOF2'
s1 = net.createServer(net.TCP, 20)
s1:listen(0, function(c) end)
print(pcall(net.createServer, net.TCP, 20))
s1:close()
print((pcall(net.createServer, net.TCP, 20)))
u1 = net.createServer(net.UDP)
u1:listen(0)
print(pcall(net.createServer, net.UDP))
u1:close()
print((pcall(net.createServer, net.UDP)))
EOF2
out=$("$NETMCU" --device=esp8266 --compat=1.5 "$T/two.lua" 2>"$T/two.err" | paste -sd'|')
[ "$out" = "false	only one tcp server allowed|true|false	only one udp server allowed|true" ] \
  && ok "--device=esp8266, 1.5: a second TCP or UDP server raises the firmware's error until the first is closed" \
  || fail "1.5 one server per protocol" "$out"
grep -q "two.lua:3: a second net.createServer() of a protocol: the 1.5 firmware keeps one TCP server and one UDP server at a time$" "$T/two.err" \
  && ok "--device=esp8266, 1.5: the warning names the createServer line" || fail "one-server warning" "$(cat "$T/two.err")"
for opts in "--device=esp8266 --compat=3.0" "--compat=1.5"; do
  # shellcheck disable=SC2086
  out=$("$NETMCU" $opts "$T/two.lua" 2>/dev/null | cut -c1-4 | paste -sd' ')
  [ "$out" = "true true true true" ] && ok "$opts: several servers at once" || fail "$opts: several servers" "$out"
done
# File names and the flash size are the device's in every run (tests/lua/file_api.lua
# covers them); the device profile changes neither.
for opts in "--device=esp8266" ""; do
  rm -rf "$T/flash"
  # shellcheck disable=SC2086
  out=$("$NETMCU" $opts --flash "$T/flash" -e 'print(file.open(("n"):rep(31), "w") ~= nil) file.close()
    print(pcall(file.open, ("n"):rep(32), "w")) print(select(3, file.fsinfo()))' 2>&1 | paste -sd'|')
  case "$out" in
    "true|false	"*"(filename invalid)|3455015") ok "${opts:-without --device}: 31-byte names, not 32; the 4 MB board's flash" ;;
    *) fail "${opts:-without --device}: names and flash size" "$out" ;;
  esac
done

"$NETMCU" --device=esp32 -e '' >/dev/null 2>"$T/bad.err"; st=$?
[ "$st" = 2 ] && grep -q "esp8266 or host" "$T/bad.err" && ok "--device with an unknown name is a usage error" \
  || fail "--device=esp32 is a usage error" "status $st: $(cat "$T/bad.err")"
finish
