#!/usr/bin/env bash
# sntp and rtctime against real NTP servers on loopback: chronyd (local
# stratum 8, on a high port, its own files in the test's directory) on
# 127.0.0.1, and ntp_peer.py's misbehaving servers (silent, short, garbage,
# wrong origin, another sender, unsynchronised, kiss-of-death, a clock 1000 s
# ahead) on other loopback addresses at the same port, which NETMCU_NTP_PORT
# names. With root, dnsmasq on port 53 serves the names. Each case runs the
# same script in the 1.5 and the 3.0 profile where the eras differ.
. "$(dirname "$0")/lib/common.sh"
need python3 ss
HERE=$(cd "$(dirname "$0")" && pwd)
CHRONYD=$(command -v chronyd || echo /usr/sbin/chronyd)
if [ ! -x "$CHRONYD" ]; then
  echo "not ok - setup: chronyd is not installed (chrony)"; exit 1
fi

# One port for every server: free on 127.0.0.1 now, and the others bind other addresses.
PORT=$(python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
NET=127.0.$(( $$ % 200 + 20 ))  # this run's addresses for the bad servers: $NET.1 ...
cat >"$T/chrony.conf" <<EOF
port $PORT
bindaddress 127.0.0.1
allow 127.0.0.1
local stratum 8
cmdport 0
pidfile $T/chronyd.pid
driftfile $T/chrony.drift
EOF
timeout -k 2 "$(bound 120)" "$CHRONYD" -d -x -f "$T/chrony.conf" >"$T/chronyd.log" 2>&1 &
track $!
for _ in $(seq 50); do
  ss -Hlun "sport = :$PORT" 2>/dev/null | grep -q 127.0.0.1 && break
  sleep 0.1
done

peer() { # name mode address
  timeout -k 2 "$(bound 120)" python3 "$HERE/ntp_peer.py" "$2" "$3" "$PORT" >"$T/peer-$1.log" 2>&1 &
  track $!
  wait_line "$T/peer-$1.log" READY 5 || fail "sntp: $1 server starts" "$(cat "$T/peer-$1.log")"
}
requests() { grep -c '^REQ' "$T/peer-$1.log"; }

# The script: SNTP_SERVER is one server, a comma list, or "nil"; SNTP_AGAIN
# syncs again with nil from the success callback; SNTP_REPEAT sets autorepeat.
cat >"$T/sync.lua" <<'EOF'
io.stdout:setvbuf("line")
local spec, server = os.getenv("SNTP_SERVER"), nil
if spec:find(",") then
  server = {}
  for s in spec:gmatch("[^,]+") do server[#server + 1] = s end
elseif spec ~= "nil" then
  server = spec
end
if os.getenv("SNTP_DNS") then net.dns.setdnsserver(os.getenv("SNTP_DNS"), 0) end
local again = tonumber(os.getenv("SNTP_AGAIN") or "0")
local ok, err
function ok(sec, usec, srv, info)
  local rsec, rusec, rate = rtctime.get()
  print(string.format("OK sec=%d usec=%d server=%s now=%d rtc=%d rate=%s stratum=%s offset_s=%s offset_us=%s leap=%s",
    sec, usec, srv, os.time(), rsec, tostring(rate), tostring(info.stratum), tostring(info.offset_s),
    tostring(info.offset_us), tostring(info.leap)))
  if again > 0 then
    again = again - 1
    sntp.sync(nil, ok, err)
  end
end
function err(code, msg)
  print("ERR " .. code .. " " .. tostring(msg))
end
sntp.sync(server, ok, err, os.getenv("SNTP_REPEAT"))
print("RETURNED " .. tostring(rtctime.get()))
if os.getenv("SNTP_EXIT_MS") then
  tmr.create():alarm(tonumber(os.getenv("SNTP_EXIT_MS")), tmr.ALARM_SINGLE, function() os.exit(0) end)
end
EOF

# run NAME PROFILE SERVER [VAR=value...] — starts the script in the background.
run() {
  local name=$1 profile=$2 server=$3; shift 3
  cp "$T/sync.lua" "$T/$name.lua"
  nm_start "$name" NETMCU_COMPAT="$profile" NETMCU_NTP_PORT="$PORT" SNTP_SERVER="$server" "$@"
  RUN_PID[$name]=$NM_PID
}
declare -A RUN_PID
# result NAME SECONDS — waits for the run to end; its output is in $OUT.
result() {
  wait_exit "${RUN_PID[$1]}" "$2"
  OUT=$(cat "$T/$1.out")
  STATUS=$EXIT_STATUS
}
check() { # name, condition result (0/1), detail
  if [ "$2" = 0 ]; then ok "sntp: $1"; else fail "sntp: $1" "$3"; fi
}
has() { grep -qE "$2" <<<"$1"; echo $?; }

peer silent silent "$NET.1"; peer short short "$NET.2"; peer garbage garbage "$NET.3"
peer wrongorigin wrongorigin "$NET.4"; peer otheraddr otheraddr "$NET.5"; peer unsync unsync "$NET.6"
peer kod15 kod "$NET.7"; peer kod30 kod "$NET.8"; peer ahead good "$NET.9"; peer silent15 silent "$NET.10"
peer silentlist silent "$NET.11"

# The slow cases (5 s of silence each) run side by side.
i=0
for m in silent short garbage wrongorigin otheraddr unsync; do
  i=$((i + 1))
  run "bad_$m" 3.0 "$NET.$i"
done
run silent_15 1.5 "$NET.10"
run kod_15 1.5 "$NET.7"
run kod_30 3.0 "$NET.8"
run list_30 3.0 "$NET.11,127.0.0.1"

# --- chronyd -----------------------------------------------------------------
for p in 1.5 2.2 3.0; do
  run "chrony_$p" "$p" 127.0.0.1 SNTP_AGAIN=1
  result "chrony_$p" 10
  first=$(grep '^OK' <<<"$OUT" | head -n 1)
  second=$(grep '^OK' <<<"$OUT" | sed -n 2p)
  now=$(date +%s)
  sec=$(sed -n 's/.*OK sec=\([0-9]*\).*/\1/p' <<<"$first")
  rtc=$(sed -n 's/.* rtc=\([0-9]*\).*/\1/p' <<<"$first")
  check "$p: sync with chronyd calls back with its time, server and stratum; rtctime.get() moves to it" \
    "$([ -n "$sec" ] && [ $((sec - now)) -le 2 ] && [ $((now - sec)) -le 5 ] && [ "$rtc" -ge "$sec" ] &&
       [ $((rtc - sec)) -le 1 ] && has "$first" 'server=127.0.0.1 .*stratum=8 offset_s=[0-9]+ offset_us=nil leap=0' | grep -q 0; echo $?)" \
    "$(tr '\n' '|' <<<"$OUT") (now $now)"
  check "$p: nothing is sent or set inside the call (the clock still reads 0 when sync returns)" \
    "$(has "$OUT" '^RETURNED 0$')" "$(tr '\n' '|' <<<"$OUT")"
  check "$p: sync(nil) from the callback asks the same server again; the offset is now in microseconds" \
    "$(has "$second" 'server=127.0.0.1 .*offset_s=nil offset_us=-?[0-9]+ ')" "$(tr '\n' '|' <<<"$OUT")"
  if [ "$p" = 1.5 ]; then
    check "1.5: rtctime.get() gives sec and usec only" "$(has "$first" ' rate=nil ')" "$first"
  else
    check "$p: rtctime.get() gives the rate as well" "$(has "$first" ' rate=0 ')" "$first"
  fi
done

# A server whose clock is 1000 s ahead: the board's clock follows the server, not the host.
run ahead 3.0 "$NET.9"
result ahead 10
sec=$(sed -n 's/.*OK sec=\([0-9]*\).*/\1/p' <<<"$OUT")
rtc=$(sed -n 's/.* rtc=\([0-9]*\).*/\1/p' <<<"$OUT")
now=$(date +%s)
check "3.0: rtctime.get() moves to the server's time (a server 1000 s ahead of the host)" \
  "$([ -n "$sec" ] && [ $((sec - now)) -ge 995 ] && [ $((sec - now)) -le 1002 ] && [ $((rtc - sec)) -le 1 ] && [ "$rtc" -ge "$sec" ]; echo $?)" \
  "$(tr '\n' '|' <<<"$OUT") (now $now)"
check "3.0: the reply's stratum reaches info" "$(has "$OUT" 'stratum=3 ')" "$OUT"

# --- arguments and the one sync at a time -------------------------------------
cat >"$T/args.lua" <<'EOF'
local function e(f) local ok, m = pcall(f) print(ok and "no error" or m) end
e(function() sntp.sync("127.0.0.1", 5) end)
e(function() sntp.sync("127.0.0.1", nil, "x") end)
e(function() sntp.sync(string.rep("a", 129)) end)
e(function() sntp.sync({"127.0.0.1", {}}) end)
sntp.sync("127.0.0.1", function() print("synced") end)
e(function() sntp.sync("127.0.0.1") end)
e(function() sntp.setoffset() end)
sntp.setoffset(2)
print("offset " .. sntp.getoffset())
EOF
for p in 1.5 2.2 3.0; do
  out=$(NETMCU_COMPAT=$p NETMCU_NTP_PORT=$PORT timeout "$(bound 15)" "$NETMCU" "$T/args.lua" 2>&1)
  want="bad argument #2 to 'sync' (function expected, got number)
bad argument #3 to 'sync' (function expected, got string)
need <128 hostname
bad argument #1 to 'sync' (server names or addresses expected)
sync in progress
bad argument #1 to 'setoffset' (number expected, got no value)
offset 2
synced"
  if [ "$(sed -E "s/^[^ ]*args.lua:[0-9]+: //; s/'sntp\.([a-z]+)'/'\1'/" <<<"$out")" = "$want" ]; then
    ok "sntp: $p: argument errors, 'sync in progress', setoffset/getoffset"
  else
    fail "sntp: $p: argument errors, 'sync in progress', setoffset/getoffset" "$(tr '\n' '|' <<<"$out")"
  fi
done

# --- an error in the success callback: the project's rule, traceback and status 1 ---
echo 'sntp.sync("127.0.0.1", function(sec) error("boom at " .. sec) end)' >"$T/boom.lua"
NETMCU_NTP_PORT=$PORT timeout "$(bound 15)" "$NETMCU" "$T/boom.lua" >"$T/boom.out" 2>"$T/boom.err"
status=$?
check "an error in the sync callback is reported with a traceback and ends the run with status 1" \
  "$([ "$status" = 1 ] && grep -q 'boom at [0-9]' "$T/boom.err" && grep -q traceback "$T/boom.err"; echo $?)" \
  "status $status, $(tr '\n' '|' <"$T/boom.err")"

# --- the issue's typical script: sync the clock, then POST JSON with the time ---------
. "$HERE/lib/http_origin.sh"
if origin iot; then
  cat >"$T/iot.lua" <<EOF
local json = sjson or cjson
sntp.sync("127.0.0.1", function(sec)
  local body = json.encode({device = "dev-1", time = sec, temp = 21.5, tags = {"a", "b"}})
  http.post("http://127.0.0.1:$ORIGIN_PORT/echo", "Content-Type: application/json\r\n", body,
    function(code, echoed)
      local sent = json.decode(echoed:match("\r\n\r\n(.*)$"))
      print("POSTED", code, sent.device, sent.time == sec, sent.temp, sent.tags[2], rtctime.get() >= sec)
    end)
end, function(code) print("ERR " .. code) end)
EOF
  for p in 1.5 2.2 3.0; do
    out=$(NETMCU_COMPAT=$p NETMCU_NTP_PORT=$PORT timeout "$(bound 15)" "$NETMCU" "$T/iot.lua" 2>&1)
    check "$p: sync the clock, then POST JSON with its time ($( [ $p = 1.5 ] && echo cjson || echo sjson ), http)" \
      "$(has "$out" '^POSTED	200	dev-1	true	21.5	b	true$')" "$(tr '\n' '|' <<<"$out")"
  done
else
  fail "sntp: the HTTP origin for the JSON POST starts" "see above"
fi

# --- autorepeat ----------------------------------------------------------------
run repeat_30 3.0 127.0.0.1 SNTP_REPEAT=1 NETMCU_SNTP_REPEAT_S=1 SNTP_EXIT_MS=3600
result repeat_30 10
n=$(grep -c '^OK' <<<"$OUT")
check "3.0: autorepeat syncs again every period (NETMCU_SNTP_REPEAT_S=1: 3 syncs in 3.6 s)" \
  "$([ "$n" -ge 3 ] && [ "$n" -le 5 ]; echo $?)" "$n syncs: $(tr '\n' '|' <<<"$OUT")"

# --- names, with dnsmasq ---------------------------------------------------------
DNSMASQ=$(command -v dnsmasq || echo /usr/sbin/dnsmasq)
if [ "$(id -u)" != 0 ] || [ ! -x "$DNSMASQ" ]; then
  skip "sntp: names" "dnsmasq on port 53 needs root"
else
  DNS=127.54.$(( $$ % 250 + 1 )).1
  timeout -k 2 "$(bound 80)" "$DNSMASQ" --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts \
    --bind-interfaces --listen-address="$DNS" --port=53 --pid-file= --user=root --log-facility="$T/dnsmasq.log" \
    --local=/test/ --local=/ntp.org/ --host-record=ntp.test,127.0.0.1 \
    --host-record=2.nodemcu.pool.ntp.org,127.0.0.1 &
  track $!
  for _ in $(seq 50); do ss -Hlun "sport = :53" 2>/dev/null | grep -q "$DNS" && break; sleep 0.1; done
  for p in 1.5 2.2 3.0; do
    run "name_$p" "$p" ntp.test SNTP_DNS="$DNS"
    run "nx_$p" "$p" nx.test SNTP_DNS="$DNS"
    run "names_$p" "$p" "nx.test,ntp.test" SNTP_DNS="$DNS"
  done
  run pool_30 3.0 nil SNTP_DNS="$DNS"
  run pool_15 1.5 nil SNTP_DNS="$DNS" NETMCU_NTP_PORT=1
  for p in 1.5 2.2 3.0; do
    result "name_$p" 10
    check "$p: a name resolved through net.dns.setdnsserver's server" "$(has "$OUT" '^OK .*server=127.0.0.1 ')" "$OUT"
    result "nx_$p" 10
    check "$p: a name that does not resolve: errcallback(1, name)" "$(has "$OUT" '^ERR 1 nx.test$')" "$OUT"
    result "names_$p" 10
    if [ "$p" = 1.5 ]; then
      check "1.5: the first name of a list that fails ends the sync: errcallback(1, name)" "$(has "$OUT" '^ERR 1 nx.test$')" "$OUT"
    else
      check "$p: a name of a list that fails is skipped" "$(has "$OUT" '^OK .*server=127.0.0.1 ')" "$OUT"
    fi
  done
  result pool_30 15
  check "3.0: no server given or kept: the pool names 0-3.nodemcu.pool.ntp.org" "$(has "$OUT" '^OK .*server=127.0.0.1 ')" \
    "$OUT | $(grep -c 'query' "$T/dnsmasq.log") queries"
  result pool_15 10
  check "1.5: no server given or kept: the anycast address 224.0.1.1 is asked, and nothing answers" \
    "$(has "$OUT" '^ERR [34] nil$')" "$OUT"
fi

# --- the slow ones -----------------------------------------------------------------
for m in silent short garbage wrongorigin otheraddr unsync; do
  result "bad_$m" 15
  check "3.0: a server that answers $m: timeout, errcallback(4)" "$(has "$OUT" '^ERR 4 nil$')" "$OUT"
  check "3.0: the $m server is asked 5 times, 1 s apart" "$([ "$(requests "$m")" = 5 ]; echo $?)" "$(requests "$m") requests"
done
result silent_15 15
check "1.5: a silent server: timeout, errcallback(4)" "$(has "$OUT" '^ERR 4 nil$')" "$OUT"
result kod_30 15
check "3.0: a kiss-of-death ends the asking: errcallback(4) after one request" \
  "$(has "$OUT" '^ERR 4 nil$' | grep -q 0 && [ "$(requests kod30)" = 1 ]; echo $?)" "$OUT, $(requests kod30) requests"
result kod_15 15
check "1.5: a kiss-of-death is only ignored: 5 requests, then errcallback(4)" \
  "$(has "$OUT" '^ERR 4 nil$' | grep -q 0 && [ "$(requests kod15)" = 5 ]; echo $?)" "$OUT, $(requests kod15) requests"
result list_30 15
check "3.0: a list with a silent server and chronyd: chronyd's time" "$(has "$OUT" '^OK .*server=127.0.0.1 .*stratum=8')" "$OUT"
finish
