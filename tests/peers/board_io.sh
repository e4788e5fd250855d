#!/usr/bin/env bash
# board_io.sh — the board's analog and PWM pins from outside a running
# script: a "potentiometer" turned through the control socket (adc set) makes
# the script dim an "LED" (pwm.setduty), seen with pwm get and --gpio-trace;
# the dev kit's undriven pins and --board=module under a published boot
# guard; rtcmem kept through restart and deep sleep, cleared at a cold start.
. "$(dirname "$0")/lib/common.sh"
need socat

cat >"$T/dimmer.lua" <<EOF
$PRELUDE
pwm.setup(2, 1000, 0)
pwm.start(2)
local last = -1
local t = tmr.create()
t:alarm(20, tmr.ALARM_AUTO, function()
  local v = adc.read(0)
  if v ~= last then
    last = v
    pwm.setduty(2, math.min(v, 1023))
    print("DUTY " .. pwm.getduty(2))
    if v == 1024 then t:unregister(); pwm.close(2); print("BYE") end
  end
end)
print("READY")
EOF
SOCK="$T/ctl.sock"
ctl() { printf '%s\n' "$@" | timeout "$(bound 5)" socat -t "$(bound 2)" - "UNIX-CONNECT:$SOCK"; }
timeout -k 2 "$(bound 30)" "$NETMCU" --control "$SOCK" --gpio-trace "$T/dimmer.lua" >"$T/d.out" 2>"$T/d.err" &
PID=$!; track "$PID"
if wait_line "$T/d.out" '^DUTY 0' 5; then
  r1=$(ctl "adc set 700")
  wait_line "$T/d.out" '^DUTY 700' 5
  r2=$(ctl "pwm get 2")
  r3=$(ctl "adc get")
  ctl "adc set 1024" >/dev/null
  if wait_exit "$PID" 10 && [ "$EXIT_STATUS" = 0 ] && [ "$r1" = ok ] && [ "$r2" = "ok 1000 700 on" ] &&
     [ "$r3" = "ok 700 3300 adc" ] && grep -q '^BYE' "$T/d.out"; then
    ok "adc driven from outside, pwm read back through the control socket"
  else
    fail "adc and pwm over the control socket" "status $EXIT_STATUS, replies '$r1' '$r2' '$r3'"; describe d
  fi
  if grep -qE '^gpio: \[ *[0-9]+\.[0-9]{6}\] pin 2 pwm 1000 Hz duty 0 off \(script\)$' "$T/d.err" &&
     grep -qE 'pin 2 pwm 1000 Hz duty 700 on \(script\)$' "$T/d.err" &&
     grep -qE 'pin 2 pwm closed \(script\)$' "$T/d.err"; then
    ok "--gpio-trace shows the pwm channel's clock, duty and state"
  else
    fail "--gpio-trace of pwm" "$(grep pwm "$T/d.err" | head -5 | tr '\n' '|')"
  fi
else
  fail "adc and pwm: the script starts" "no first DUTY"; describe d
fi

# A boot guard as published scripts have it: GPIO0 (D3) low means "abort".
cat >"$T/guard.lua" <<'EOF'
if gpio.read(3) == 0 then print("ABORT: D3 is low") else print("RUN") end
print("LEVELS " .. gpio.read(0) .. gpio.read(3) .. gpio.read(4) .. gpio.read(5))
EOF
devkit=$(timeout "$(bound 10)" "$NETMCU" "$T/guard.lua" 2>&1 | tr '\n' '|')
module=$(timeout "$(bound 10)" "$NETMCU" --board=module "$T/guard.lua" 2>&1 | tr '\n' '|')
if [ "$devkit" = "RUN|LEVELS 1110|" ] && [ "$module" = "ABORT: D3 is low|LEVELS 0000|" ]; then
  ok "dev kit: D0, D3, D4 read high undriven; --board=module: a bare module"
else
  fail "undriven levels" "devkit '$devkit', module '$module'"
fi

# rtcmem across reboots of one board, cleared by a cold start.
mkdir -p "$T/flash"
cat >"$T/flash/init.lua" <<'EOF'
io.stdout:setvbuf("line")
local n = rtcmem.read32(5) + 1
rtcmem.write32(5, n)
print("COUNT " .. n)
if n == 1 then node.restart() elseif n == 2 then node.dsleep(10000) end
EOF
for run in 1 2; do
  timeout -k 2 "$(bound 20)" "$NETMCU" --boot --flash "$T/flash" </dev/null >"$T/r$run.out" 2>"$T/r$run.err"
done
c1=$(grep '^COUNT' "$T/r1.out" | tr '\n' ' ') c2=$(grep '^COUNT' "$T/r2.out" | tr '\n' ' ')
if [ "$c1" = "COUNT 1 COUNT 2 COUNT 3 " ] && [ "$c2" = "$c1" ]; then
  ok "rtcmem survives restart and deep sleep, a new power-on starts from zeros"
else
  fail "rtcmem across reboots" "first '$c1', second '$c2'"
fi
finish
