#!/usr/bin/env bash
# The simulated wifi: the station's events with --ip, a server reached by curl on
# the address the station reports, the link dropped and restored through the
# control socket while the script reconnects, offline and wrong-password
# starts, --ip, and the settings kept in NETMCU_HOME. Every run gets its own
# NETMCU_HOME, so nothing is read from or written to the user's.
. "$(dirname "$0")/lib/common.sh"
need curl socat

WIFI_TESTS="$(cd "$(dirname "$0")/../lua" && pwd)"
n=0
fresh_home() { n=$((n + 1)); HOME_DIR="$T/home$n"; }

# lua_file LABEL FILE [netmcu options...] — runs a testlib file, prefixing its case names.
lua_file() {
  local label=$1 file=$2; shift 2
  fresh_home
  NETMCU_HOME="$HOME_DIR" timeout -k 2 "$(bound 30)" "$NETMCU" "$@" "$file" 2>&1 | tap_relay "$label "
  local st=${PIPESTATUS[0]}
  [ "$st" = 0 ] || fail "$label" "exited with status $st"
}

# The API and event files run in tests/lua in their profiles; here once more
# with the address chosen on the command line.
WANT_IP=127.0.0.1 lua_file "--ip=127.0.0.1:" "$WIFI_TESTS/wifi_events.lua" --ip=127.0.0.1

# ctl SOCKET LINE — one command over the control socket; prints the reply.
ctl() { printf '%s\n' "$2" | timeout "$(bound 5)" socat -t "$(bound 2)" - "UNIX-CONNECT:$1"; }

# --- a server on the reported address, the link dropped and restored -------
cat >"$T/station.lua" <<EOF
$PRELUDE
local ev = wifi.eventmon
local sv
ev.register(ev.STA_GOT_IP, function(t)
  print("GOT_IP " .. t.IP .. " status " .. wifi.sta.status())
  if not sv then
    sv = net.createServer(net.TCP, 30)
    sv:listen(0, function(c)
      c:on("receive", function(s) s:send("HTTP/1.0 200 OK\r\n\r\nhello from " .. (wifi.sta.getip() or "nowhere"), function(x) x:close() end) end)
    end)
    print("PORT " .. sv:getaddr())
  end
end)
ev.register(ev.STA_DISCONNECTED, function(t)
  print("DISCONNECTED reason " .. t.reason .. " ip " .. tostring(wifi.sta.getip()) .. " status " .. wifi.sta.status())
  -- the script's own reconnect logic
  tmr.create():alarm(100, tmr.ALARM_SINGLE, function() wifi.sta.connect() end)
end)
wifi.setmode(wifi.STATION)
-- the 1.5 positional form, or the 3.0 table form
if wifi.sta.clearconfig then wifi.sta.config({ssid = "office", pwd = "password"}) else wifi.sta.config("office", "password") end
local t = tmr.create()
t:alarm(60000, tmr.ALARM_SINGLE, function() end)
EOF

for profile in 1.5 3.0; do
  sock="$T/ctl$profile.sock"; out="$T/st$profile.out"
  script="$T/station.lua"
  fresh_home
  start=$(now_ms)
  NETMCU_HOME="$HOME_DIR" timeout -k 2 "$(bound 40)" "$NETMCU" --compat=$profile --control="$sock" "$script" \
    >"$out" 2>"$T/st$profile.err" &
  pid=$!; track "$pid"
  if ! wait_line "$out" '^PORT [0-9]+' 10; then
    fail "$profile: got IP, then a server" "no port"; sed 's/^/# /' "$out" "$T/st$profile.err"; continue
  fi
  took=$(( $(now_ms) - start ))
  ip=$(sed -n 's/^GOT_IP \([0-9.]*\) status 5$/\1/p' "$out" | head -n 1)
  port=$(port_from "$out" PORT)
  [ -n "$ip" ] && ok "$profile: got-IP event with status 5 after ${took} ms" || fail "$profile: got-IP event" "$(cat "$out")"
  if ip -4 addr show 2>/dev/null | grep -q "inet $ip/" || [ "$ip" = 127.0.0.1 ]; then
    ok "$profile: the reported address $ip is the host's"
  else
    fail "$profile: the reported address is the host's" "$ip"
  fi
  body=$(curl -s --max-time "$(bound 5)" "http://$ip:$port/")
  [ "$body" = "hello from $ip" ] && ok "$profile: curl reaches the server on $ip" || fail "$profile: curl reaches the server" "'$body'"

  reply=$(ctl "$sock" "wifi drop")
  [ "$reply" = "ok link down status 1 ip -" ] && ok "$profile: control 'wifi drop'" || fail "$profile: control 'wifi drop'" "$reply"
  wait_line "$out" '^DISCONNECTED reason 200 ip nil' 5 && ok "$profile: the drop fires STA_DISCONNECTED (BEACON_TIMEOUT), getip nil" \
    || fail "$profile: the drop fires STA_DISCONNECTED" "$(cat "$out")"
  wait_line "$out" '^DISCONNECTED reason 201 ip nil status 3' 8 && ok "$profile: reconnect attempts find no AP (status 3)" \
    || fail "$profile: reconnect attempts find no AP" "$(cat "$out")"
  reply=$(ctl "$sock" "wifi restore")
  case "$reply" in "ok link up status "*) ok "$profile: control 'wifi restore'" ;;
    *) fail "$profile: control 'wifi restore'" "$reply" ;; esac
  deadline=$(( $(now_ms) + $(bound 5) * 1000 ))
  while [ "$(grep -c '^GOT_IP ' "$out")" -lt 2 ] && [ "$(now_ms)" -lt "$deadline" ]; do sleep 0.05; done
  if [ "$(grep -c '^GOT_IP ' "$out")" -ge 2 ]; then
    ok "$profile: the script's reconnect gets its address back"
  else
    fail "$profile: the script's reconnect gets its address back" "$(cat "$out")"
  fi
  body=$(curl -s --max-time "$(bound 5)" "http://$ip:$port/")
  [ "$body" = "hello from $ip" ] && ok "$profile: curl reaches it again" || fail "$profile: curl reaches it again" "'$body'"
  reply=$(ctl "$sock" "wifi status")
  [ "$reply" = "ok link up status 5 ip $ip" ] && ok "$profile: control 'wifi status'" || fail "$profile: control 'wifi status'" "$reply"
  kill -TERM "$pid"; wait_exit "$pid" 5
done

# --- offline and wrong-password starts --------------------------------------
cat >"$T/start.lua" <<EOF
$PRELUDE
local ev = wifi.eventmon
local n = 0
ev.register(ev.STA_DISCONNECTED, function(t)
  n = n + 1
  print("DISCONNECTED reason " .. t.reason .. " status " .. wifi.sta.status() .. " ip " .. tostring(wifi.sta.getip()))
  if n == 2 then print("RESTORE " .. control.send("wifi restore")) end
end)
ev.register(ev.STA_GOT_IP, function(t) print("GOT_IP " .. t.IP); wifi.sta.disconnect() end)
wifi.setmode(wifi.STATION)
wifi.sta.config("cafe", "password")
EOF
for mode in offline:201:3 wrongpwd:202:2; do
  IFS=: read -r link reason status <<<"$mode"
  fresh_home
  start=$(now_ms)
  NETMCU_HOME="$HOME_DIR" timeout -k 2 "$(bound 30)" "$NETMCU" --wifi=$link "$T/start.lua" >"$T/$link.out" 2>&1
  st=$?; took=$(( $(now_ms) - start ))
  if [ "$(grep -c "^DISCONNECTED reason $reason status $status ip nil" "$T/$link.out")" -ge 2 ]; then
    ok "--wifi=$link: STA_DISCONNECTED reason $reason, status $status, retried"
  else
    fail "--wifi=$link: STA_DISCONNECTED reason $reason, status $status" "$(cat "$T/$link.out")"
  fi
  [ "$st" = 0 ] && grep -q '^GOT_IP ' "$T/$link.out" && ok "--wifi=$link: restored from Lua, connects, the run ends (${took} ms)" \
    || fail "--wifi=$link: restored from Lua, connects" "status $st: $(cat "$T/$link.out")"
done
"$NETMCU" --wifi=sometimes -e '' >/dev/null 2>&1; st=$?
[ "$st" = 2 ] && ok "--wifi with an unknown link is a usage error" || fail "--wifi with an unknown link is a usage error" "status $st"
"$NETMCU" --ip=203.0.113.77 -e '' >/dev/null 2>"$T/ip.err"; st=$?
[ "$st" = 2 ] && grep -q "not an IPv4 address of this host" "$T/ip.err" && ok "--ip with an address the host lacks is refused" \
  || fail "--ip with an address the host lacks is refused" "status $st $(cat "$T/ip.err")"
"$NETMCU" --ip=300.1.1.1 -e '' >/dev/null 2>&1; st=$?
[ "$st" = 2 ] && ok "--ip with a malformed address is refused" || fail "--ip with a malformed address is refused" "status $st"

# --- settings kept in NETMCU_HOME --------------------------------------------
fresh_home
NETMCU_HOME="$HOME_DIR" "$NETMCU" -e 'print(wifi.getmode(), wifi.sta.getconfig())
  wifi.sta.config({ssid = "x", pwd = "password"}); wifi.sta.disconnect()' >"$T/ro.out" 2>&1
[ ! -e "$HOME_DIR" ] && ok "a run that saves nothing creates no state directory" || fail "a run that saves nothing creates no state directory" "$(ls -la "$HOME_DIR")"
NETMCU_HOME="$HOME_DIR" "$NETMCU" -e 'wifi.setmode(wifi.STATIONAP); wifi.sta.config({ssid="saved net", pwd="pass word!", auto=false, save=true}); wifi.sta.autoconnect(1)' >"$T/save.out" 2>&1
mode=$(stat -c %a "$HOME_DIR/wifi.conf" 2>/dev/null)
[ "$mode" = 600 ] && ok "settings saved owner-only in NETMCU_HOME/wifi.conf" || fail "settings saved owner-only" "mode '$mode' $(cat "$T/save.out")"
cat >"$T/boot.lua" <<EOF
$PRELUDE
local c = wifi.sta.getdefaultconfig(true)
print("MODE " .. wifi.getmode() .. " DEFAULT " .. c.ssid .. "|" .. c.pwd .. " STATUS " .. wifi.sta.status())
wifi.eventmon.register(wifi.eventmon.STA_GOT_IP, function(t) print("GOT_IP " .. t.IP); wifi.sta.disconnect() end)
EOF
NETMCU_HOME="$HOME_DIR" timeout "$(bound 10)" "$NETMCU" "$T/boot.lua" >"$T/boot.out" 2>&1
grep -qx "MODE 3 DEFAULT saved net|pass word! STATUS 1" "$T/boot.out" && grep -q '^GOT_IP ' "$T/boot.out" \
  && ok "the next power-on restores the mode and auto-connects to the saved network" \
  || fail "the next power-on restores the mode and auto-connects" "$(cat "$T/boot.out")"
NETMCU_HOME="$HOME_DIR" "$NETMCU" -e 'wifi.sta.config({ssid="other", pwd="password", save=false, auto=false}); wifi.setmode(wifi.SOFTAP, false)' >/dev/null 2>&1
NETMCU_HOME="$HOME_DIR" "$NETMCU" -e 'print(wifi.getmode(), (wifi.sta.getconfig()))' >"$T/kept.out" 2>&1
grep -qP '^3\tsaved net$' "$T/kept.out" && ok "save=false settings are not persisted" || fail "save=false settings are not persisted" "$(cat "$T/kept.out")"
finish
