#!/usr/bin/env bash
# The board's watchdog under --boot (issue 17, item 4): Lua that keeps the
# loop waiting for 3.2 s (init.lua, a timer callback) resets the board, which
# boots again with its flash; tmr.delay and tmr.wdclr feed the watchdog as on
# the device; a script run (no --boot) is never reset; SIGTERM switches off a
# busy board with status 0.
. "$(dirname "$0")/lib/common.sh"

# boot NAME SECONDS — runs the board of flash $T/NAME for SECONDS, with a
# console input that stays open and says nothing, then switches it off.
mkfifo "$T/quiet"
exec 3<>"$T/quiet"
boot() {
  local name=$1 secs=$2
  timeout --preserve-status -k 3 -s TERM "$secs" "$NETMCU" --boot --flash "$T/$name" \
    <"$T/quiet" >"$T/$name.out" 2>"$T/$name.err"
  STATUS=$?
}

reboots() { grep -c 'the watchdog: Lua kept the loop waiting for 3.2 s: rebooting' "$T/$1.err"; }

# init.lua busy on the first boot only: the flash remembers it.
mkdir -p "$T/init"
cat >"$T/init/init.lua" <<'EOF'
if file.open("booted", "r") then
  file.close()
  print("SECOND BOOT after the watchdog at " .. tmr.now())
  return
end
file.open("booted", "w"); file.write("1"); file.close()
print("FIRST BOOT, busy")
local t0 = tmr.now()
while true do end
EOF
boot init 6
if [ "$STATUS" = 0 ] && [ "$(reboots init)" = 1 ] && grep -q '^FIRST BOOT, busy' "$T/init.out" &&
   grep -q '^SECOND BOOT' "$T/init.out"; then
  ok "a busy init.lua: the watchdog resets the board once, which boots again with its flash"
else
  fail "a busy init.lua resets the board" "status $STATUS, $(reboots init) resets; $(cat "$T/init.out" "$T/init.err")"
fi

# A busy timer callback, 3.2 s after its start and not before.
mkdir -p "$T/callback"
cat >"$T/callback/init.lua" <<'EOF'
if file.open("booted", "r") then file.close(); print("SECOND BOOT"); return end
file.open("booted", "w"); file.write("1"); file.close()
tmr.create():alarm(100, tmr.ALARM_SINGLE, function()
  print("BUSY at " .. tmr.now())
  local t0 = tmr.now()
  while true do
    local spent = tmr.now() - t0
    if spent > 3000000 and not said then said = true; print("STILL RUNNING after 3 s") end
  end
end)
EOF
boot callback 6
if [ "$STATUS" = 0 ] && [ "$(reboots callback)" = 1 ] && grep -q '^STILL RUNNING after 3 s' "$T/callback.out" &&
   grep -q '^SECOND BOOT' "$T/callback.out"; then
  ok "a busy timer callback: reset after about 3.2 s, not before"
else
  fail "a busy timer callback resets the board" "status $STATUS, $(reboots callback) resets; $(cat "$T/callback.out" "$T/callback.err")"
fi

# tmr.delay feeds the watchdog (the firmware's does, every second), so does tmr.wdclr.
mkdir -p "$T/fed"
cat >"$T/fed/init.lua" <<'EOF'
tmr.delay(4500000)
print("DELAY DONE")
local t0 = tmr.now()
while tmr.now() - t0 < 4500000 do tmr.wdclr() end
print("WDCLR LOOP DONE")
EOF
boot fed 11
if [ "$STATUS" = 0 ] && [ "$(reboots fed)" = 0 ] && grep -q '^DELAY DONE' "$T/fed.out" &&
   grep -q '^WDCLR LOOP DONE' "$T/fed.out"; then
  ok "tmr.delay(4.5 s) and a busy loop calling tmr.wdclr() feed the watchdog"
else
  fail "tmr.delay and tmr.wdclr feed the watchdog" "status $STATUS, $(reboots fed) resets; $(cat "$T/fed.out" "$T/fed.err")"
fi

# A script run is a PC's: no watchdog.
out=$(timeout 15 "$NETMCU" -e 'local t0 = tmr.now() while tmr.now() - t0 < 4000000 do end print("COMPUTED")' 2>&1)
status=$?
if [ "$status" = 0 ] && [ "$out" = COMPUTED ]; then
  ok "a script run computes for 4 s without a watchdog"
else
  fail "a script run has no watchdog" "status $status: $out"
fi

# SIGTERM switches a busy board off at once, cleanly.
mkdir -p "$T/off"
printf 'print("BUSY")\nwhile true do end\n' >"$T/off/init.lua"
t0=$(now_ms)
boot off 1
elapsed=$(( $(now_ms) - t0 ))
if [ "$STATUS" = 0 ] && [ "$(reboots off)" = 0 ] && grep -q '^BUSY' "$T/off.out" && [ "$elapsed" -lt $(( 2000 * SLOW )) ]; then
  ok "SIGTERM switches off a board whose init.lua is busy: status 0"
else
  fail "SIGTERM switches off a busy board" "status $STATUS after $elapsed ms; $(cat "$T/off.err")"
fi
finish
