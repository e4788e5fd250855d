#!/usr/bin/env bash
# gpio_control.sh — the board's pins driven from outside a running script
# through the control socket: a "button" pressed with socat makes gpio.trig
# fire, an "LED" the script toggles is read back, --gpio-trace prints the
# changes on stderr, and a waiting button keeps the run alive until the
# script lets it go. In both profiles.
. "$(dirname "$0")/lib/common.sh"
need socat

cat >"$T/button.lua" <<EOF
$PRELUDE
local LED, BUTTON, QUIT = 4, 3, 6
local presses = 0
gpio.mode(LED, gpio.OUTPUT)
gpio.write(LED, gpio.LOW)
gpio.mode(BUTTON, gpio.INT, gpio.PULLUP)
gpio.trig(BUTTON, "down", function(level, when, count)
  presses = presses + 1
  gpio.write(LED, gpio.read(LED) == 1 and gpio.LOW or gpio.HIGH)
  print("PRESSED " .. presses .. " " .. level .. " " .. tostring(when ~= nil) .. " " .. tostring(count))
end)
gpio.mode(QUIT, gpio.INT)
gpio.trig(QUIT, "up", function()
  print("BYE")
  gpio.trig(BUTTON, "none")
  gpio.trig(QUIT, "none")
end)
print("READY")
EOF

for profile in 1.5 3.0; do
  SOCK="$T/ctl$profile.sock"
  ctl() { printf '%s\n' "$@" | timeout "$(bound 5)" socat -t "$(bound 2)" - "UNIX-CONNECT:$SOCK"; }
  name="gpio $profile"
  timeout -k 2 "$(bound 30)" "$NETMCU" --compat="$profile" --control "$SOCK" --gpio-trace "$T/button.lua" \
    >"$T/b$profile.out" 2>"$T/b$profile.err" &
  PID=$!; track "$PID"
  if ! wait_line "$T/b$profile.out" '^READY' 5; then
    fail "$name: the script starts" "no READY"; describe "b$profile"; continue
  fi
  out=$(ctl "gpio get 4" "gpio get 3")
  if [ "$out" = "$(printf 'ok 0 output\nok 1 int pullup')" ]; then
    ok "$name: the LED is off and the button up (its pull-up)"
  else
    fail "$name: the LED is off and the button up (its pull-up)" "$out"
  fi
  out=$(ctl "gpio set 3 0")
  if [ "$out" = ok ] && wait_line "$T/b$profile.out" '^PRESSED 1 0 ' 5; then
    ok "$name: pressing the button from outside fires gpio.trig"
  else
    fail "$name: pressing the button from outside fires gpio.trig" "reply '$out'"; describe "b$profile"
  fi
  want="PRESSED 1 0 false nil"
  [ "$profile" = 3.0 ] && want="PRESSED 1 0 true 1"
  if grep -qx "$want" "$T/b$profile.out"; then ok "$name: the callback's arguments"
  else fail "$name: the callback's arguments" "$(grep PRESSED "$T/b$profile.out")"; fi
  out=$(ctl "gpio get 4")
  [ "$out" = "ok 1 output" ] && ok "$name: the LED reads back on" || fail "$name: the LED reads back on" "$out"
  ctl "gpio release 3" "gpio set 3 low" >/dev/null
  if wait_line "$T/b$profile.out" '^PRESSED 2 ' 5 && [ "$(ctl 'gpio get 4')" = "ok 0 output" ]; then
    ok "$name: a second press turns it off"
  else
    fail "$name: a second press turns it off" "$(tail -n 2 "$T/b$profile.out")"
  fi
  if grep -q 'pin 3 = 0 (control)' "$T/b$profile.err" && grep -q 'pin 4 = 1 (script)' "$T/b$profile.err" &&
     grep -q 'pin 3 mode int pullup (script)' "$T/b$profile.err"; then
    ok "$name: --gpio-trace shows who changed which pin"
  else
    fail "$name: --gpio-trace shows who changed which pin" "$(head -n 5 "$T/b$profile.err" | tr '\n' '|')"
  fi
  if kill -0 "$PID" 2>/dev/null; then ok "$name: a waiting button keeps the run alive"
  else fail "$name: a waiting button keeps the run alive" "exited"; fi
  ctl "gpio set 6 1" >/dev/null
  wait_exit "$PID" 5
  if [ "$EXIT_STATUS" = 0 ] && grep -qx BYE "$T/b$profile.out"; then
    ok "$name: the run ends once no trig callback is left"
  else
    fail "$name: the run ends once no trig callback is left" "exit $EXIT_STATUS"; describe "b$profile"
  fi
done

# Without a control socket nothing outside can press a button: the run ends.
cat >"$T/nobody.lua" <<EOF
gpio.mode(3, gpio.INT)
gpio.trig(3, "down", function() end)
EOF
nm_start nobody
wait_exit "$NM_PID" 5
if [ "$EXIT_STATUS" = 0 ]; then ok "gpio: without --control a trig callback does not hold the run"
else fail "gpio: without --control a trig callback does not hold the run" "exit $EXIT_STATUS"; fi
finish
