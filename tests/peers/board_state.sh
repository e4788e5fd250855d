#!/usr/bin/env bash
# The board's state (saved wifi settings, the stored CA) goes with its flash
# folder: without NETMCU_HOME each flash folder has its own state directory
# under $XDG_DATA_HOME/netmcu/boards/, so a station saved by one project
# neither applies to nor slows a run of another. A station connecting at
# power-on keeps the run alive only while a script watches it (an event
# callback): `netmcu -e ''` on a board with a saved station ends at once.
. "$(dirname "$0")/lib/common.sh"
unset NETMCU_HOME
export XDG_DATA_HOME="$T/data"
A="$T/project a" B="$T/projectb"

# run NAME FLASH CODE — runs the code with that flash folder; sets ELAPSED (ms) and ST.
run() {
  local start
  start=$(now_ms)
  timeout -k 2 "$(bound 20)" "$NETMCU" --flash "$2" -e "$3" >"$T/$1.out" 2>"$T/$1.err"
  ST=$?
  ELAPSED=$(( $(now_ms) - start ))
}

run save "$A" 'wifi.setmode(wifi.STATION) wifi.sta.config("office", "password") print("SAVED")'
dirs=$(find "$XDG_DATA_HOME/netmcu/boards" -mindepth 1 -maxdepth 1 -type d 2>/dev/null)
if [ "$ST" = 0 ] && [ "$(printf '%s\n' "$dirs" | grep -c .)" = 1 ] && [ -f "$dirs/wifi.conf" ] &&
   [[ "$(basename "$dirs")" =~ ^project_a-[0-9a-f]{16}$ ]]; then
  ok "a saved station lands in boards/NAME-HASH for its flash folder"
else
  fail "a saved station lands in boards/NAME-HASH for its flash folder" "status $ST, dirs: $dirs"; describe save
fi

# The station's start takes 650 ms (association, then DHCP); a run that does not wait for it takes a few.
run other "$B" 'print("SSID " .. tostring((wifi.sta.getconfig())))'
if [ "$ST" = 0 ] && grep -qxE 'SSID (nil)?' "$T/other.out"; then
  ok "another flash folder does not see the saved station"
else
  fail "another flash folder does not see the saved station" "status $ST: $(cat "$T/other.out")"
fi
[ "$ELAPSED" -lt $(( 500 * SLOW )) ] && ok "a run in another flash folder is not slowed (${ELAPSED} ms)" ||
  fail "a run in another flash folder is not slowed" "took ${ELAPSED} ms"

run same "$A" 'print("SSID " .. tostring((wifi.sta.getconfig())))'
if [ "$ST" = 0 ] && grep -qx 'SSID office' "$T/same.out"; then
  ok "the same flash folder finds its saved station"
else
  fail "the same flash folder finds its saved station" "status $ST: $(cat "$T/same.out")"
fi
[ "$ELAPSED" -lt $(( 500 * SLOW )) ] && ok "an unwatched connecting station does not keep the run alive (${ELAPSED} ms)" ||
  fail "an unwatched connecting station does not keep the run alive" "took ${ELAPSED} ms"

run watched "$A" 'wifi.eventmon.register(wifi.eventmon.STA_GOT_IP, function(t) print("GOT_IP", t.IP) wifi.eventmon.unregister(wifi.eventmon.STA_GOT_IP) end)'
if [ "$ST" = 0 ] && grep -q '^GOT_IP' "$T/watched.out"; then
  ok "a watched connecting station keeps the run alive until its event"
else
  fail "a watched connecting station keeps the run alive until its event" "status $ST"; describe watched
fi

NETMCU_HOME="$T/explicit" timeout -k 2 "$(bound 20)" "$NETMCU" --flash "$A" \
  -e 'print("SSID " .. tostring((wifi.sta.getconfig())))' >"$T/explicit.out" 2>&1
if grep -qxE 'SSID (nil)?' "$T/explicit.out"; then
  ok "NETMCU_HOME still names the state directory"
else
  fail "NETMCU_HOME still names the state directory" "$(cat "$T/explicit.out")"
fi
finish
