#!/usr/bin/env bash
# NETMCU_TRACE / --trace: one tab-separated line per API call and callback of
# the chosen modules, parsed here; the report of objects still anchored when
# the run ends (node.restart, SIGTERM), with the line that made each; and
# nothing a script can see changes under a trace (behaviour tests pass).
. "$(dirname "$0")/lib/common.sh"
need python3
cd "$(dirname "$0")/../.."

cat >"$T/app.lua" <<'EOF2'
srv = net.createServer(net.TCP, 30)
srv:listen(0, function(c)
  c:on("receive", function(s, d) s:send("echo " .. d) end)
end)
local port = srv:getaddr()
keep = tmr.create()
keep:alarm(100000, tmr.ALARM_AUTO, function() end)
local done = tmr.create()
done:alarm(1, tmr.ALARM_SINGLE, function() end)
gone = net.createConnection(net.TCP, 0)
gone:close()
cl = net.createConnection(net.TCP, 0)
cl:on("connection", function(s) s:send("hi\n") end)
cl:on("receive", function(s, d) gpio.write(1, gpio.HIGH) end)
cl:connect(port, "127.0.0.1")
gpio.mode(1, gpio.OUTPUT)
log = file.open("log.txt", "w")
closed = file.open("other.txt", "w")
closed:close()
wifi.eventmon.register(wifi.eventmon.STA_GOT_IP, function(t)
  wifi.sta.disconnect()
  tmr.create():alarm(300, tmr.ALARM_SINGLE, function() node.restart() end)
end)
wifi.setmode(wifi.STATION)
wifi.sta.config({ssid = "cafe", pwd = "password"})
EOF2
flash=$(mktemp -d -p "$T"); cp "$T/app.lua" "$flash/"
(cd "$flash" && NETMCU_HOME="$flash" NETMCU_TRACE=net,tmr,wifi,file,gpio,report timeout -k 2 "$(bound 30)" \
   "$NETMCU" --compat=3.0 --flash "$flash" app.lua >"$T/app.out" 2>"$T/app.err"); st=$?
[ "$st" = 3 ] && ok "a traced run ends with node.restart's status" || fail "a traced run ends with node.restart's status" "status $st: $(tail -n 5 "$T/app.err")"

cat >"$T/check.py" <<'EOF2'
import sys
lines = open(sys.argv[1]).read().splitlines()
traces = [l.split("\t") for l in lines if l.startswith("trace\t")]
anchored = [l.split("\t") for l in lines if l.startswith("anchored\t")]
def case(ok, name, why=""):
    print(("ok - " if ok else "not ok - ") + name + ("" if ok else ": " + why))
case(len(traces) > 20 and all(len(t) == 7 for t in traces), "every trace line has 7 tab-separated fields",
     repr([t for t in traces if len(t) != 7][:2]))
times = [float(t[1]) for t in traces]
case(times == sorted(times), "board times never go back")
case({t[2] for t in traces} <= {"net", "tmr", "wifi", "file", "gpio"}, "only the chosen modules",
     repr({t[2] for t in traces}))
def has(module, kind, name, where, args=None):
    return any(t[2] == module and t[3] == kind and t[4] == name and t[6] == where
               and (args is None or t[5] == args) for t in traces)
want = [("net", "call", "net.createServer", "app.lua:1", "16, 30"),
        ("net", "call", "net.server:listen", "app.lua:2", "net.server, 0, function"),
        ("net", "event", "net.server:listen", "app.lua:2", "net.socket"),
        ("net", "event", "net.socket:on(receive)", "app.lua:3", 'net.socket, "hi\\10"'),
        ("net", "call", "net.socket:send", "app.lua:3", 'net.socket, "echo hi\\10"'),
        ("net", "event", "net.socket:on(connection)", "app.lua:13", "net.socket"),
        ("tmr", "call", "tmr.timer:alarm", "app.lua:7", "tmr.timer, 100000, 1, function"),
        ("tmr", "event", "tmr.timer:alarm", "app.lua:9", "tmr.timer"),
        ("gpio", "call", "gpio.write", "app.lua:14", "1, 1"),
        ("file", "call", "file.open", "app.lua:17", '"log.txt", "w"'),
        ("wifi", "call", "wifi.sta.config", "app.lua:25", "table"),
        ("wifi", "event", "wifi.eventmon.register", "app.lua:20", "table"),
        ("wifi", "call", "wifi.sta.disconnect", "app.lua:21", "")]
for w in want:
    case(has(w[0], w[1], w[2], w[3], w[4]), "trace: %s %s %s at %s" % w[:4],
         "no such line; near: " + repr([t for t in traces if t[4] == w[2]][:3]))
got = sorted((a[1], a[3], a[4]) for a in anchored)
expected = sorted([("net.server", "net.createServer", "app.lua:1"),
                   ("tmr.timer", "tmr.create", "app.lua:6"),
                   ("net.socket", "net.createConnection", "app.lua:12"),
                   ("net.socket", "net.server:listen", "app.lua:2"),
                   ("file.obj", "file.open", "app.lua:17")])
case(got == expected, "the anchored report: the server, the timer, both ends of the connection, the open file",
     repr(got))
case(any(a[1] == "net.server" and a[2].startswith("listening ") for a in anchored),
     "the report says the server is listening and on which port", repr(anchored))
EOF2
python3 "$T/check.py" "$T/app.err" | while IFS= read -r line; do
  case "$line" in "ok - "*) ok "${line#ok - }" ;; "not ok - "*) l=${line#not ok - }; fail "${l%%: *}" "${l#*: }" ;; esac
done

# The report at SIGTERM: a server that was never closed, with its line.
printf 'srv = net.createServer(net.TCP)\nsrv:listen(0, function() end)\nprint("up")\n' >"$T/serve.lua"
nm_start serve NETMCU_TRACE=report
if wait_line "$T/serve.out" '^up$' 10; then
  kill -TERM "$NM_PID"; wait_exit "$NM_PID" 10
  if [ "$EXIT_STATUS" = 0 ] && grep -qP '^anchored\tnet\.server\tlistening \d+ "0\.0\.0\.0"\tnet\.createServer\t.*serve\.lua:1$' "$T/serve.err" \
     && ! grep -q '^trace' "$T/serve.err"; then
    ok "SIGTERM: the report names the listening server and its line, and report alone traces no call"
  else
    fail "SIGTERM: the report names the listening server" "status $EXIT_STATUS: $(cat "$T/serve.err")"
  fi
else
  fail "SIGTERM: the report names the listening server" "the server did not start: $(cat "$T/serve.err")"
fi

# The report at each node.restart() of a --boot board, then at SIGTERM.
bootflash=$(mktemp -d -p "$T")
cat >"$bootflash/init.lua" <<'EOF2'
srv = net.createServer(net.TCP)
srv:listen(0, function() end)
if not file.exists("booted") then
  file.open("booted", "w"):close()
  tmr.create():alarm(50, tmr.ALARM_SINGLE, function() node.restart() end)
end
print("BOOTED")
EOF2
NETMCU_HOME="$bootflash" NETMCU_TRACE=report timeout -k 2 "$(bound 30)" "$NETMCU" --compat=3.0 --boot --flash "$bootflash" \
  </dev/null >"$T/boot.out" 2>"$T/boot.err" &
boot_pid=$!; track "$boot_pid"
booted_twice() { [ "$(grep -c 'BOOTED' "$T/boot.out")" -ge 2 ]; }
end=$(( $(now_ms) + $(bound 10) * 1000 ))
while ! booted_twice && [ "$(now_ms)" -lt "$end" ]; do sleep 0.05; done
if booted_twice && grep -q rebooting "$T/boot.err" && kill -TERM "$boot_pid" && wait_exit "$boot_pid" 10; then
  n=$(grep -cP '^anchored\tnet\.server\tlistening \d+ "0\.0\.0\.0"\tnet\.createServer\tinit\.lua:1$' "$T/boot.err")
  [ "$n" = 2 ] && ok "--boot: the report at node.restart() and again at SIGTERM" \
    || fail "--boot: the report at node.restart() and at SIGTERM" "$n lines: $(cat "$T/boot.err")"
else
  fail "--boot: the report at node.restart()" "$(cat "$T/boot.err")"
fi

"$NETMCU" --trace=net,bogus -e '' >/dev/null 2>"$T/bad.err"; st=$?
[ "$st" = 2 ] && grep -q "unknown module 'bogus'" "$T/bad.err" && ok "--trace with an unknown module is a usage error" \
  || fail "--trace with an unknown module is a usage error" "status $st: $(cat "$T/bad.err")"
NETMCU_TRACE=tmr, "$NETMCU" -e 'tmr.create()' 2>"$T/plain.err"; st=$?
[ "$st" = 0 ] && grep -q $'^trace\t.*\ttmr\tcall\ttmr.create\t\t(command line):1$' "$T/plain.err" \
  && ok "NETMCU_TRACE=tmr, traces tmr.create from the command line" || fail "NETMCU_TRACE=tmr," "status $st: $(cat "$T/plain.err")"
"$NETMCU" -e 'tmr.create() net.createServer(net.TCP)' 2>"$T/none.err"
[ ! -s "$T/none.err" ] && ok "no trace, no report without NETMCU_TRACE" || fail "no trace without NETMCU_TRACE" "$(cat "$T/none.err")"

# Under a trace of everything the behaviour tests still pass: argument
# errors, their texts and callback order are those of the untraced run.
for t in net_args socket_events socket_writes tmr_api gpio_api udp_api encoder_api; do
  flash=$(mktemp -d -p "$T")
  NETMCU_FLASH="$flash" NETMCU_TRACE=all,report timeout -k 2 "$(bound 60)" "$NETMCU" "tests/lua/$t.lua" >"$T/$t.out" 2>/dev/null
  st=$?; oks=$(grep -c '^ok - ' "$T/$t.out"); nots=$(grep -c '^not ok - ' "$T/$t.out")
  if [ "$st" = 0 ] && [ "$oks" -gt 0 ] && [ "$nots" = 0 ]; then
    ok "tests/lua/$t.lua passes under NETMCU_TRACE=all,report ($oks cases)"
  else
    fail "tests/lua/$t.lua passes under NETMCU_TRACE=all,report" "status $st: $(grep '^not ok' "$T/$t.out" | head -n 3)"
  fi
done
finish
