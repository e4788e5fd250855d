#!/usr/bin/env bash
# netmcu --boot: the banner of each profile, init.lua from the flash or the
# device's message without one, node.restart() rebooting into a fresh Lua
# state whose init.lua runs again while the old server is gone (connection
# refused), its timers stopped and the uptime started again; SIGTERM and the
# end of a terminal-less console; script mode keeps exit status 3.
. "$(dirname "$0")/lib/common.sh"
need nc python3

# boot NAME FLASH [options...] — runs netmcu --boot in the background with
# stdin from /dev/null; output in $T/NAME.out/.err.
boot() {
  local name=$1 flash=$2; shift 2
  timeout -k 2 "$(bound 40)" "$NETMCU" --boot --flash "$flash" "$@" </dev/null \
    >"$T/$name.out" 2>"$T/$name.err" &
  NM_PID=$!
  track "$NM_PID"
}

# connect_ok PORT — whether a TCP connect to 127.0.0.1:PORT is accepted.
connect_ok() {
  python3 - "$1" <<'EOF'
import socket, sys
s = socket.socket()
s.settimeout(3)
try:
    s.connect(("127.0.0.1", int(sys.argv[1])))
    sys.exit(0)
except ConnectionRefusedError:
    sys.exit(1)
EOF
}

# 1. No init.lua: the banner, the device's message, then the console (here at
#    its end at once) and, with nothing left to run, power off with status 0.
mkdir -p "$T/empty"
"$NETMCU" --boot --flash "$T/empty" </dev/null >"$T/e15.out" 2>&1; s15=$?
NETMCU_COMPAT=3.0 "$NETMCU" --boot --flash "$T/empty" </dev/null >"$T/e30.out" 2>&1; s30=$?
want15=$'\nNodeMCU 1.5.4.1 build netmcu-'
if [ "$s15" = 0 ] && [ "$(head -c ${#want15} "$T/e15.out")" = "$want15" ] &&
   grep -qE '^NodeMCU 1\.5\.4\.1 build .* powered by Lua 5\.[0-9.]+ on SDK 1\.5\.4\.1\(39cb9a32\)$' "$T/e15.out" &&
   [ "$(tail -n 1 "$T/e15.out")" = "lua: cannot open init.lua" ]; then
  ok "boot 1.5: banner, then 'lua: cannot open init.lua'"
else
  fail "boot 1.5 without init.lua" "status $s15, output: $(tr '\n' '|' <"$T/e15.out")"
fi
if [ "$s30" = 0 ] && grep -q '^NodeMCU 3\.0\.0\.0 ' "$T/e30.out" &&
   grep -qE $'^\tmodules: ([a-z]+,)*file,([a-z]+,)*net,node,([a-z]+,)*tmr' "$T/e30.out" &&
   grep -qE '^ build .* powered by Lua 5\.[0-9.]+ on SDK 3\.0\.1-dev\(fce080e\)$' "$T/e30.out" &&
   [ "$(tail -n 1 "$T/e30.out")" = "cannot open init.lua: " ]; then
  ok "boot 3.0: banner with the build information, then 'cannot open init.lua: '"
else
  fail "boot 3.0 without init.lua" "status $s30, output: $(tr '\n' '|' <"$T/e30.out")"
fi

# 2. init.lua counts boots in the flash, starts a server and a ticking timer;
#    "restart" sent to the server reboots the board.
mkdir -p "$T/flash"
cat >"$T/flash/init.lua" <<'EOF'
io.stdout:setvbuf("line")
local n = tonumber(file.open("boots") and file.read() or "0") + 1
file.close()
file.open("boots", "w") file.write(tostring(n)) file.close()
fresh = (fresh or 0) + 1
print("BOOT " .. n .. " fresh " .. fresh .. " uptime_ms " .. math.floor(tmr.now() / 1000))
-- One receive function for every connection: from the second on they share
-- its registry reference, which the reboot must leave behind with the old state.
local function receive(c, data)
  if data:find("restart") then node.restart() else c:send("boot " .. n .. "\n") end
end
local sv = net.createServer(net.TCP, 30)
sv:listen(0, "127.0.0.1", function(c) c:on("receive", receive) end)
print("PORT " .. sv:getaddr())
tmr.create():alarm(100, tmr.ALARM_AUTO, function() print("TICK " .. n) end)
EOF
boot life "$T/flash"
if ! wait_line "$T/life.out" '^PORT [0-9]+' 10; then
  fail "boot: init.lua runs" "no port"; describe life; finish
fi
p1=$(port_from "$T/life.out" PORT)
ok "boot: init.lua from the flash runs and starts a server"
answer=$(printf 'hello' | timeout 5 nc -q 1 127.0.0.1 "$p1" 2>/dev/null)
[ "$answer" = "boot 1" ] && ok "boot: the server answers" || fail "boot: the server answers" "got '$answer'"
wait_line "$T/life.out" '^TICK 1' 5
printf 'restart' | timeout 5 nc -q 1 127.0.0.1 "$p1" >/dev/null 2>&1
wait_line "$T/life.out" '^BOOT 2' 10
if grep -q '^BOOT 2 fresh 1 ' "$T/life.out"; then
  ok "node.restart() reboots into a fresh Lua state and runs init.lua again"
else
  fail "node.restart() reboots" "output: $(tr '\n' '|' <"$T/life.out"); $(cat "$T/life.err")"
fi
wait_line "$T/life.out" '^TICK 2' 5
p2=$(sed -n 's/^PORT \([0-9]*\)$/\1/p' "$T/life.out" | sed -n 2p)
after=$(sed -n '/^BOOT 2/,$p' "$T/life.out")
if [ -z "$p2" ]; then
  fail "the old server is gone" "no second port"
elif [ "$p1" = "$p2" ]; then # the OS gave the port again: it must be the new server
  answer=$(printf 'hello' | timeout 5 nc -q 1 127.0.0.1 "$p1" 2>/dev/null)
  [ "$answer" = "boot 2" ] && ok "the old server is gone (its port now reaches the new one)" ||
    fail "the old server is gone" "port $p1 answers '$answer'"
elif ! connect_ok "$p1" 2>/dev/null; then
  ok "the old server is gone (connection refused on its port)"
else
  fail "the old server is gone" "port $p1 still accepts (new port $p2)"
fi
answer=$(printf 'hello' | timeout 5 nc -q 1 127.0.0.1 "$p2" 2>/dev/null)
[ "$answer" = "boot 2" ] && ok "the new server answers" || fail "the new server answers" "got '$answer'"
if echo "$after" | grep -q '^TICK 2' && ! echo "$after" | grep -q '^TICK 1'; then
  ok "the old timer stopped with the reboot"
else
  fail "the old timer stopped" "after reboot: $(echo "$after" | tr '\n' '|' | head -c 300)"
fi
up=$(sed -n 's/^BOOT 2 .*uptime_ms \([0-9]*\)$/\1/p' "$T/life.out")
if [ -n "$up" ] && [ "$up" -lt 1000 ]; then
  ok "tmr.now() starts again at the reboot (${up} ms)"
else
  fail "tmr.now() starts again at the reboot" "uptime '$up'"
fi
grep -q 'node.restart(): rebooting' "$T/life.err" && ok "the reboot is reported on stderr" ||
  fail "the reboot is reported on stderr" "$(cat "$T/life.err")"
kill -TERM "$NM_PID"
wait_exit "$NM_PID" 5
[ "$EXIT_STATUS" = 0 ] && ok "SIGTERM switches the board off (status 0)" ||
  fail "SIGTERM switches the board off" "status $EXIT_STATUS"

# 3. node.restart() typed at the console reboots too; with init.lua removed
#    the second power-on ends when the console input is used up.
rm "$T/flash/init.lua"
printf 'print("typed")\nnode.restart()\nprint("never")\n' |
  timeout "$(bound 10)" "$NETMCU" --boot --flash "$T/flash" >"$T/typed.out" 2>&1
status=$?
banners=$(grep -c '^NodeMCU 1\.5\.4\.1' "$T/typed.out")
if [ "$status" = 0 ] && [ "$banners" = 2 ] && grep -q '^typed$' "$T/typed.out" &&
   ! grep -q '^never$' "$T/typed.out"; then
  ok "node.restart() at the console reboots; lines after it are not run"
else
  fail "node.restart() at the console" "status $status, $banners banners: $(tr '\n' '|' <"$T/typed.out")"
fi

# 4. The 3.0 profile: init.lua runs, holds a file open and restarts from a
#    timer, five times; each power-on is fresh (no global, no old timer, the
#    held files closed, so opening never runs out of the four).
mkdir -p "$T/f30"
cat >"$T/f30/init.lua" <<'EOF'
local n = (tonumber(file.getcontents("n") or "0") or 0) + 1
file.putcontents("n", tostring(n))
held = {file.open("n"), file.open("init.lua")}
print("INIT " .. n .. " " .. tostring(old) .. " " .. type(held[1]) .. " " .. type(held[2]))
old = true
if n < 6 then
  tmr.create():alarm(30, tmr.ALARM_AUTO, function(t) print("TICK " .. n) node.restart() end)
end
EOF
NETMCU_COMPAT=3.0 timeout "$(bound 10)" "$NETMCU" --boot --flash "$T/f30" </dev/null >"$T/b30.out" 2>"$T/b30.err"
status=$?
if [ "$status" = 0 ] && [ "$(grep -c '^INIT [0-9] nil userdata userdata$' "$T/b30.out")" = 6 ] &&
   [ "$(grep -c '^TICK' "$T/b30.out")" = 5 ] && [ "$(grep -c '^NodeMCU 3\.0\.0\.0' "$T/b30.out")" = 6 ]; then
  ok "boot 3.0: five reboots from a timer, each fresh, files and timers of the last one closed"
else
  fail "boot 3.0 reboots" "status $status: $(tr '\n' '|' <"$T/b30.out") $(cat "$T/b30.err")"
fi

# 5. Script mode is unchanged: node.restart() ends the run with status 3.
echo 'node.restart()' >"$T/script.lua"
"$NETMCU" "$T/script.lua" >/dev/null 2>&1
status=$?
[ "$status" = 3 ] && ok "script mode: node.restart() still exits with status 3" ||
  fail "script mode: node.restart() exits 3" "status $status"

# 6. --boot takes no script.
"$NETMCU" --boot "$T/script.lua" >/dev/null 2>&1
status=$?
[ "$status" = 2 ] && ok "--boot with a script is a usage error" || fail "--boot with a script" "status $status"
finish
