#!/usr/bin/env bash
# lfs.sh — a 3.0 project that boots from LFS: tools/luac.cross.lua (run by
# netmcu itself, with luac.cross's command line) builds the image from a
# folder of Lua files; node.LFS.reload loads it and reboots; the next boot's
# init.lua runs _init from LFS, requires a module through it and reads
# list/time/config. A firmware image, a missing file, a module that does not
# compile and an image over the partition's size are refused with the
# firmware's texts and leave the loaded store as it was. In script mode the
# reload ends the run (status 3) and the next run has the store.
. "$(dirname "$0")/lib/common.sh"
TOOL="$(cd "$(dirname "$0")/../.." && pwd)/tools/luac.cross.lua"

mkdir -p "$T/src" "$T/flash" "$T/home"
export NETMCU_HOME="$T/home"
cat >"$T/src/_init.lua" <<'EOF'
local loaders = package.loaders or package.searchers
table.insert(loaders, function(name) return node.LFS.get(name) end)
print("INIT RAN")
EOF
cat >"$T/src/greeter.lua" <<'EOF'
local M = {}
function M.greet(who) return "hello " .. who end
return M
EOF
if "$NETMCU" "$TOOL" -f -o "$T/flash/lfs.img" "$T/src/_init.lua" "$T/src/greeter.lua" 2>"$T/tool.err" &&
   head -n 1 "$T/flash/lfs.img" | grep -qE '^netmcu-lfs 1 [0-9]+ 2$'; then
  ok "luac.cross.lua -f -o lfs.img builds an image of two modules"
else
  fail "luac.cross.lua" "$(cat "$T/tool.err")"
fi
printf 'local x = = 1\n' >"$T/broken.lua"
if ! "$NETMCU" "$TOOL" -f -o "$T/broken.img" "$T/broken.lua" 2>"$T/broken.err" &&
   grep -q 'broken.lua:1:' "$T/broken.err" && [ ! -e "$T/broken.img" ]; then
  ok "luac.cross.lua refuses a file that does not compile"
else
  fail "luac.cross.lua with a syntax error" "$(cat "$T/broken.err")"
fi

# A script with a "#!" first line (as published modules have): luac.cross
# reads files with luaL_loadfile, which skips that line; line numbers stay.
mkdir -p "$T/bang" "$T/bang_home"
printf '#!/usr/bin/env lua\nlocal M = {}\nfunction M.fail() error("here") end\nreturn M\n' >"$T/bang/banged.lua"
if "$NETMCU" "$TOOL" -f -o "$T/bang/lfs.img" "$T/bang/banged.lua" 2>"$T/bang.err"; then
  (cd "$T/bang" && NETMCU_HOME="$T/bang_home" timeout "$(bound 10)" "$NETMCU" --compat=3.0 --flash "$T/bang" \
    -e 'node.LFS.reload("lfs.img")' >/dev/null 2>&1
   NETMCU_HOME="$T/bang_home" timeout "$(bound 10)" "$NETMCU" --compat=3.0 --flash "$T/bang" \
    -e 'print(select(2, pcall(node.LFS.get("banged")().fail)))') >"$T/bang.out" 2>&1
  if grep -q '^banged.lua:3: here$' "$T/bang.out"; then
    ok "luac.cross.lua skips a first line starting with '#', keeping line numbers"
  else
    fail "luac.cross.lua with a #! line" "$(tr '\n' '|' <"$T/bang.out")"
  fi
else
  fail "luac.cross.lua with a #! line" "$(cat "$T/bang.err")"
fi

# Images the reload must refuse: a firmware image's first bytes, an image
# whose module does not compile, one over 256 KiB.
printf '\x06\x00\x00\x00\xfa\xfa\xfa\xfa' >"$T/flash/firmware.img"
printf 'netmcu-lfs 1 0 1\nbad 9\nlocal = 1\n' >"$T/flash/bad.img"
{ printf 'netmcu-lfs 1 0 1\nbig 300000\n'; head -c 300000 /dev/zero | tr '\0' ' '; printf '\n'; } >"$T/flash/big.img"

cat >"$T/flash/init.lua" <<'EOF'
io.stdout:setvbuf("line")
local raw, reason = node.bootreason()
print("BOOT " .. reason .. " " .. tostring(node.LFS.list() ~= nil))
if not node.LFS.get("_init") then
  -- never returns: Lua 5.1's firmware waits for the watchdog, even under a
  -- pcall; LUA=53's raises "system restarting"
  local ok, err = pcall(node.LFS.reload, "lfs.img")
  print("RELOAD " .. tostring(ok) .. " " .. tostring(err))
  return
end
node.LFS.get("_init")()
local g = require("greeter")
print("GREET " .. g.greet("lfs"))
print("LIST " .. table.concat(node.LFS.list(), ","))
print("TIME " .. tostring(type(node.LFS.time) == "number" and node.LFS.time > 0))
local c = node.LFS.config
print("CONFIG " .. c.lfs_size .. " " .. tostring(c.lfs_used > 0 and c.lfs_used < c.lfs_size))
print("FIELD " .. tostring(node.LFS.greeter == node.flashindex("greeter")) .. " " .. tostring(node.LFS.nope))
print("E1 " .. node.LFS.reload("firmware.img"))
print("E2 " .. node.LFS.reload("missing.img"))
print("E3 " .. node.LFS.reload("bad.img"))
print("E4 " .. node.LFS.reload("big.img"))
print("E5 " .. node.LFS.reload())
print("STILL " .. table.concat(node.LFS.list(), ","))
EOF
timeout -k 2 "$(bound 30)" "$NETMCU" --compat=3.0 --boot --flash "$T/flash" </dev/null >"$T/b.out" 2>"$T/b.err"
status=$?
seq=$(grep -E '^(BOOT|RELOAD|LFS region|INIT|GREET|LIST|TIME|CONFIG|FIELD|STILL)' "$T/b.out" | tr '\n' '|')
after_reload=''
case "$("$NETMCU" -e 'print(_VERSION)')" in *5.1*) ;; *) after_reload='RELOAD false system restarting|' ;; esac
want="BOOT 0 false|LFS region updated.  Restarting.|${after_reload}BOOT 3 true|INIT RAN|GREET hello lfs|LIST _init,greeter|TIME true|CONFIG 262144 true|FIELD true nil|STILL _init,greeter|"
if [ "$status" = 0 ] && [ "$seq" = "$want" ]; then
  ok "boot 3.0: reload (never returns), reboot, _init from LFS, require through it, list/time/config"
else
  fail "boot 3.0 from LFS" "status $status: '$seq'"; describe b
fi
errs=$(grep -E '^E[1-5] ' "$T/b.out" | tr '\n' '|')
want='E1 Incorrect LFS header version (not an image of tools/luac.cross.lua)|E2 LFS image file not found|E3 bad.lua:1: '
case "$errs" in
  "$want"*"|E4 LFS Image too big for configured LFS region|E5 LFS image file not found|")
    ok "reload refuses foreign, missing, broken and oversized images with the firmware's texts" ;;
  *) fail "reload errors" "$errs" ;;
esac

# Every truncation of a good image is refused, never loaded half (nor a crash).
cat >"$T/flash/cut.lua" <<'EOF'
local f = io.open("lfs.img", "rb"); local img = f:read("*a"); f:close()
local refused = 0
for n = 0, #img - 1, 7 do
  local g = io.open("cut.img", "wb"); g:write(img:sub(1, n)); g:close()
  local err = node.LFS.reload("cut.img")
  if type(err) == "string" then refused = refused + 1 else print("LOADED " .. n) end
end
print("REFUSED " .. refused .. " OF " .. math.floor((#img - 1) / 7 + 1))
EOF
(cd "$T/flash" && timeout "$(bound 20)" "$NETMCU" --compat=3.0 --flash "$T/flash" cut.lua) >"$T/cut.out" 2>&1
read -r _ refused _ total <<<"$(grep '^REFUSED' "$T/cut.out")"
if [ -n "${total:-}" ] && [ "$refused" = "$total" ] && ! grep -q '^LOADED' "$T/cut.out"; then
  ok "every truncated image is refused ($total cuts)"
else
  fail "truncated images" "$(tr '\n' '|' <"$T/cut.out")"
fi

# Script mode: the store persists for the next run; 1.5 has no LFS.
rm -rf "$T/home"/*
cd "$T/flash" || exit 1
timeout "$(bound 10)" "$NETMCU" --compat=3.0 --flash "$T/flash" -e 'print(node.LFS.reload("lfs.img"))' >"$T/s1.out" 2>&1
s1=$?
timeout "$(bound 10)" "$NETMCU" --compat=3.0 --flash "$T/flash" -e 'print(table.concat(node.LFS.list(), ","))' >"$T/s2.out" 2>&1
l15=$(timeout "$(bound 10)" "$NETMCU" -e 'print(node.flashreload, node.flashindex, node.LFS)' 2>&1)
if [ "$s1" = 3 ] && grep -q '^_init,greeter$' "$T/s2.out" && [ "$l15" = $'nil\tnil\tnil' ]; then
  ok "script mode: reload ends the run with status 3, the next run has the modules; none in 1.5"
else
  fail "script mode LFS" "status $s1, next run '$(cat "$T/s2.out")', 1.5 '$l15'"
fi
finish
