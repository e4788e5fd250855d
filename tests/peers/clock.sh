#!/usr/bin/env bash
# --clock=N: the board's clock (timers, tmr.now/tmr.time, tmr.delay, the wifi
# state machine's delays) runs N times the host's; network timeouts keep the
# host's time. Each case measures host time around a real run of the runner.
. "$(dirname "$0")/lib/common.sh"

# A report every 10 minutes: three of them in well under the 30 minutes they take.
cat >"$T/report.lua" <<'EOF2'
local t0, n = tmr.now(), 0
tmr.create():alarm(600000, tmr.ALARM_AUTO, function(t)
  n = n + 1
  print(string.format("REPORT %d time %d now %.0f", n, tmr.time(), (tmr.now() - t0) / 1e6))
  if n == 3 then t:unregister() end
end)
EOF2
start=$(now_ms)
timeout -k 2 "$(bound 30)" "$NETMCU" --clock=1000 "$T/report.lua" >"$T/report.out" 2>&1; st=$?
took=$(( $(now_ms) - start ))
# Each host millisecond the loop spends is a board second: allow 60 of them.
secs=$(sed -n 's/^REPORT 3 time \([0-9]*\) now \([0-9]*\)$/\1 \2/p' "$T/report.out")
read -r time_s now_s <<<"${secs:-0 0}"
if [ "$st" = 0 ] && [ "$time_s" -ge 1800 ] && [ "$time_s" -le 1860 ] && [ "$now_s" -ge 1800 ] \
   && [ "$now_s" -le 1860 ] && [ "$took" -lt 20000 ]; then
  ok "--clock=1000: three 10-minute reports in ${took} ms, tmr.time $time_s s, tmr.now $now_s s"
else
  fail "--clock=1000: three 10-minute reports" "status $st after ${took} ms: $(tr '\n' ' ' <"$T/report.out")"
fi

# tmr.delay blocks for the board's microseconds at the board's rate.
start=$(now_ms)
out=$("$NETMCU" --clock=100 -e 't = tmr.now() tmr.delay(3000000) print((tmr.now() - t) >= 3000000)' 2>&1)
took=$(( $(now_ms) - start ))
[ "$out" = true ] && [ "$took" -lt 2500 ] && ok "--clock=100: tmr.delay(3 s) takes ${took} ms and tmr.now counts 3 s" \
  || fail "--clock=100: tmr.delay" "printed '$out' after ${took} ms"

# A slower clock: --clock=0.5 makes a 200 ms alarm take at least 400 ms of host time.
start=$(now_ms)
out=$("$NETMCU" --clock=0.5 -e 'tmr.create():alarm(200, tmr.ALARM_SINGLE, function() print("fired") end)' 2>&1)
took=$(( $(now_ms) - start ))
[ "$out" = fired ] && [ "$took" -ge 400 ] && ok "--clock=0.5: a 200 ms alarm takes ${took} ms" \
  || fail "--clock=0.5: a 200 ms alarm" "printed '$out' after ${took} ms"

# rtctime counts board time from when it was set: a 5 s alarm at --clock=100
# moves it 5 s on in some 50 ms of host time.
start=$(now_ms)
out=$("$NETMCU" --compat=3.0 --clock=100 -e 'rtctime.set(1000000, 0)
  tmr.create():alarm(5000, tmr.ALARM_SINGLE, function() print((rtctime.get())) end)' 2>&1)
took=$(( $(now_ms) - start ))
[ "$out" = 1000005 ] && [ "$took" -lt 3000 ] && ok "--clock=100: rtctime moves 5 s on with a 5 s alarm, in ${took} ms" \
  || fail "--clock=100: rtctime" "printed '$out' after ${took} ms"

# The wifi station retries every 2 s of board time: ten retries of a wrong
# password take 20 s of board time and a small part of it on the host.
cat >"$T/wifi.lua" <<'EOF2'
local ev, n = wifi.eventmon, 0
ev.register(ev.STA_DISCONNECTED, function()
  n = n + 1
  if n == 10 then
    print(string.format("RETRIES %d board %.1f s", n, tmr.now() / 1e6))
    wifi.sta.disconnect()
    ev.unregister(ev.STA_DISCONNECTED)
  end
end)
wifi.setmode(wifi.STATION)
wifi.sta.config("cafe", "password")
EOF2
HOME_DIR=$(mktemp -d -p "$T")
start=$(now_ms)
NETMCU_HOME="$HOME_DIR" timeout -k 2 "$(bound 30)" "$NETMCU" --clock=200 --wifi=wrongpwd "$T/wifi.lua" >"$T/wifi.out" 2>&1; st=$?
took=$(( $(now_ms) - start ))
board=$(sed -n 's/^RETRIES 10 board \([0-9]*\)\..*/\1/p' "$T/wifi.out")
if [ "$st" = 0 ] && [ -n "$board" ] && [ "$board" -ge 18 ] && [ "$took" -lt 12000 ]; then
  ok "--clock=200: ten wifi retries are ${board} s of board time, ${took} ms of host time"
else
  fail "--clock=200: wifi retries" "status $st after ${took} ms: $(tr '\n' ' ' <"$T/wifi.out")"
fi

# A silent HTTP server: the http module's 10 s timeout is network time and
# stays 10 s of host time under --clock=1000 (it would be 10 ms if scaled).
need python3
cat >"$T/silent.py" <<'EOF2'
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(4)
print("PORT", s.getsockname()[1], flush=True)
c, _ = s.accept(); time.sleep(30)
EOF2
timeout -k 2 "$(bound 40)" python3 "$T/silent.py" >"$T/silent.out" 2>&1 &
track $!
if wait_line "$T/silent.out" '^PORT [0-9]+' 5; then
  port=$(port_from "$T/silent.out" PORT)
  cat >"$T/http.lua" <<EOF2
tmr.create():alarm(2000, tmr.ALARM_SINGLE, function() print("ALARM") end)
http.get("http://127.0.0.1:$port/", nil, function(code) print("CODE " .. code) end)
EOF2
  start=$(now_ms)
  timeout -k 2 "$(bound 40)" "$NETMCU" --clock=1000 "$T/http.lua" >"$T/http.out" 2>&1; st=$?
  took=$(( $(now_ms) - start ))
  if [ "$st" = 0 ] && [ "$(head -n 1 "$T/http.out")" = ALARM ] && grep -q '^CODE -1$' "$T/http.out" && [ "$took" -ge 9000 ]; then
    ok "--clock=1000: a 2 s alarm fires at once, the http timeout still takes 10 s (${took} ms)"
  else
    fail "--clock=1000: the http timeout keeps host time" "status $st after ${took} ms: $(tr '\n' ' ' <"$T/http.out")"
  fi
else
  fail "--clock=1000: the http timeout keeps host time" "the silent peer did not start"
fi

for bad in 0 -1 abc 1e9 2x; do
  "$NETMCU" --clock=$bad -e 'print(1)' >"$T/bad.out" 2>&1; st=$?
  if [ "$st" = 2 ] && grep -q "a factor from 0.01 to 10000" "$T/bad.out"; then
    ok "--clock=$bad is a usage error"
  else
    fail "--clock=$bad is a usage error" "status $st: $(cat "$T/bad.out")"
  fi
done
finish
