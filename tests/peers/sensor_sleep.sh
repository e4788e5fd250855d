#!/usr/bin/env bash
# sensor_sleep.sh — the published battery-sensor pattern under --boot (3.0):
# wake, count the wakes in RTC memory (reset by a cold start), read A0, send
# one UDP datagram to a collector, deep-sleep from the send's callback; after
# the third report stay awake. The collector is a real socat on loopback.
. "$(dirname "$0")/lib/common.sh"
need socat python3

PORT=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
timeout -k 2 "$(bound 30)" socat -u "UDP-RECV:$PORT,bind=127.0.0.1" "OPEN:$T/collected,creat,append" &
track $!
sleep 0.3

mkdir -p "$T/flash"
cat >"$T/flash/init.lua" <<EOF
local _, reason = node.bootreason()
local wakes = reason == 5 and rtcmem.read32(0) + 1 or 1
rtcmem.write32(0, wakes)
local u = net.createUDPSocket()
u:on("sent", function()
  u:close()
  if wakes < 3 then node.dsleep(300000) end
end)
u:send($PORT, "127.0.0.1", ("wake=%d reason=%d a0=%d\n"):format(wakes, reason, adc.read(0)))
EOF
start=$(now_ms)
timeout -k 2 "$(bound 30)" "$NETMCU" --compat=3.0 --boot --flash "$T/flash" </dev/null >"$T/b.out" 2>"$T/b.err"
status=$? elapsed=$(( $(now_ms) - start ))
sleep 0.3
got=$(tr '\n' '|' <"$T/collected" 2>/dev/null)
if [ "$status" = 0 ] && [ "$got" = "wake=1 reason=0 a0=0|wake=2 reason=5 a0=0|wake=3 reason=5 a0=0|" ] &&
   [ "$elapsed" -ge 600 ]; then
  ok "a sensor wakes, reports over UDP and deep-sleeps twice, counting wakes in RTC memory (${elapsed} ms)"
else
  fail "deep-sleep sensor" "status $status after ${elapsed} ms, collected '$got'"; describe b
fi
finish
