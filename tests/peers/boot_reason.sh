#!/usr/bin/env bash
# boot_reason.sh — node.bootreason() across a board's life in boot mode, in
# both profiles: a cold start (1, 0), node.restart() (2, 4), the soft
# watchdog (2, 4, as the SDK restarts), node.dsleep(us): the board sleeps at
# least us with nothing running, then boots with the deep-sleep reason (2, 5);
# dsleep(0) sleeps until the board is switched off. In script mode dsleep ends
# the run with status 5, and NETMCU_BOOTREASON starts a run as if woken.
. "$(dirname "$0")/lib/common.sh"

mkdir -p "$T/flash"
cat >"$T/flash/init.lua" <<'EOF'
io.stdout:setvbuf("line")
local raw, reason = node.bootreason()
local boots = 0
if file.open("boots", "r") then boots = tonumber(file.read()) or 0; file.close() end
boots = boots + 1
if file.open("boots", "w") then file.write(tostring(boots)); file.close() end
print(("BOOT %d %d %d"):format(boots, raw, reason))
if boots == 1 then node.restart()
elseif boots == 2 then tmr.softwd(1); tmr.create():alarm(5000, tmr.ALARM_SINGLE, function() end)
elseif boots == 3 then
  print("SLEEP"); node.dsleep(1500000)
  print("AFTER DSLEEP") -- the rest of the callback still runs, as on the device
else print("AWAKE") end
EOF

for profile in 1.5 3.0; do
  rm -f "$T/flash/boots"
  start=$(now_ms)
  timeout -k 2 "$(bound 30)" "$NETMCU" --boot --compat="$profile" --flash "$T/flash" </dev/null \
    >"$T/b$profile.out" 2>"$T/b$profile.err"
  status=$?
  elapsed=$(( $(now_ms) - start ))
  seq=$(grep -E '^(BOOT|SLEEP|AFTER|AWAKE)' "$T/b$profile.out" | tr '\n' '|')
  want='BOOT 1 1 0|BOOT 2 2 4|BOOT 3 2 4|SLEEP|AFTER DSLEEP|BOOT 4 2 5|AWAKE|'
  if [ "$status" = 0 ] && [ "$seq" = "$want" ]; then
    ok "boot $profile: power-on, restart, soft watchdog and deep-sleep reasons in turn"
  else
    fail "boot $profile: reasons" "status $status, got '$seq'"; describe "b$profile"
  fi
  slept=$(awk '/^SLEEP/{s=1} /^BOOT 4/{if(s)print "yes"}' "$T/b$profile.out")
  if [ "$elapsed" -ge 1500 ] && [ "$slept" = yes ]; then
    ok "boot $profile: the board slept the 1.5 s it asked for (${elapsed} ms in all)"
  else
    fail "boot $profile: deep sleep length" "whole run ${elapsed} ms"
  fi
done

# dsleep(0): nothing wakes the board; SIGTERM switches it off.
mkdir -p "$T/forever"
printf 'print("ASLEEP") node.dsleep(0)\n' >"$T/forever/init.lua"
timeout -k 2 "$(bound 30)" "$NETMCU" --boot --flash "$T/forever" </dev/null >"$T/f.out" 2>"$T/f.err" &
PID=$!; track "$PID"
if wait_line "$T/f.err" 'deep sleep' 5 && sleep 1 && kill -0 "$PID" 2>/dev/null; then
  kill -TERM "$PID"
  if wait_exit "$PID" 5 && [ "$EXIT_STATUS" = 0 ] && [ "$(grep -c '^ASLEEP' "$T/f.out")" = 1 ]; then
    ok "boot: dsleep(0) sleeps until switched off"
  else
    fail "boot: dsleep(0)" "after SIGTERM: status $EXIT_STATUS, $(grep -c '^ASLEEP' "$T/f.out") boots"
  fi
else
  fail "boot: dsleep(0) sleeps" "the board did not stay asleep"; describe f
fi

# Script mode: exit status 5 at once; the environment's reason.
cat >"$T/script.lua" <<'EOF'
print("REASON", node.bootreason())
node.dsleep(60000000)
EOF
start=$(now_ms)
timeout "$(bound 10)" "$NETMCU" "$T/script.lua" >"$T/s.out" 2>"$T/s.err"; status=$?
elapsed=$(( $(now_ms) - start ))
if [ "$status" = 5 ] && [ "$elapsed" -lt 10000 ] && grep -q $'^REASON\t1\t0$' "$T/s.out" &&
   grep -q 'node.dsleep(60000000) (deep sleep): the run ends here (exit status 5)' "$T/s.err"; then
  ok "script: a cold start; dsleep ends the run with status 5"
else
  fail "script: dsleep" "status $status after ${elapsed} ms: $(tr '\n' '|' <"$T/s.out") $(tr '\n' '|' <"$T/s.err")"
fi
NETMCU_BOOTREASON=5 timeout "$(bound 10)" "$NETMCU" -e 'print("REASON", node.bootreason())' >"$T/e.out" 2>&1
if grep -q $'^REASON\t2\t5$' "$T/e.out"; then
  ok "script: NETMCU_BOOTREASON=5 runs as if woken from deep sleep"
else
  fail "script: NETMCU_BOOTREASON" "$(tr '\n' '|' <"$T/e.out")"
fi
finish
