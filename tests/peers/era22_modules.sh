#!/usr/bin/env bash
# era22_modules.sh — what the 2.2.1 firmware (--compat=2.2) has of node's
# chip functions, LFS and the small modules: dsleepMax, getcpufreq and random
# appear, flashreload/flashindex with 2.2's results (3.0's node.LFS does not
# exist yet), crypto still has toHex, adc.force_init_mode takes any byte,
# dsleep's texts are 1.5's. Skipped while the runner has no 2.2 profile.
. "$(dirname "$0")/lib/common.sh"

if ! "$NETMCU" --compat=2.2 -e '' >/dev/null 2>&1; then
  skip "2.2 profile" "this runner has no --compat=2.2"
  finish
fi
TOOL="$(cd "$(dirname "$0")/../.." && pwd)/tools/luac.cross.lua"
mkdir -p "$T/flash" "$T/home"
export NETMCU_HOME="$T/home"
printf 'return "from lfs"\n' >"$T/mod.lua"
"$NETMCU" "$TOOL" -f -o "$T/flash/lfs.img" "$T/mod.lua"

cat >"$T/flash/probe.lua" <<'EOF'
local function has(t, k) return t[k] ~= nil and "y" or "n" end
print("NODE " .. has(node, "dsleepMax") .. has(node, "getcpufreq") .. has(node, "random") ..
  has(node, "flashreload") .. has(node, "flashindex") .. has(node, "LFS"))
print("CRYPTO " .. has(crypto, "toHex") .. has(crypto, "toBase64"))
print("DSLEEP " .. select(2, pcall(node.dsleep, 1000, 9)))
print("RANDOM " .. tostring(node.random(3, 3)))
local a, b, c = node.flashindex("mod")
print("NOLFS " .. tostring(a) .. " " .. tostring(b ~= nil and c ~= nil))
print("ADC " .. tostring(adc.force_init_mode(5)) .. " " .. tostring(adc.force_init_mode(0)))
EOF
(cd "$T/flash" && timeout "$(bound 10)" "$NETMCU" --compat=2.2 --flash "$T/flash" probe.lua) >"$T/p.out" 2>&1
got=$(tr '\n' '|' <"$T/p.out")
case "$got" in
  "NODE yyyyyn|CRYPTO yy|DSLEEP "*"wrong arg range|RANDOM 3|NOLFS nil true|ADC true true|")
    ok "2.2: dsleepMax, getcpufreq, random, flashreload/flashindex; crypto.toHex; 1.5's texts" ;;
  *) fail "2.2 functions" "$got" ;;
esac

cat >"$T/flash/init.lua" <<'EOF'
io.stdout:setvbuf("line")
local f = node.flashindex("mod")
if not f then node.flashreload("lfs.img"); print("RELOAD returned") return end -- it never returns
print("MOD " .. f())
local t, base, mapped, size, list = node.flashindex("other")
print("INDEX " .. type(t) .. " " .. base .. " " .. tostring(mapped > base) .. " " .. size .. " " .. table.concat(list, ","))
EOF
timeout -k 2 "$(bound 20)" "$NETMCU" --compat=2.2 --boot --flash "$T/flash" </dev/null >"$T/b.out" 2>"$T/b.err"
got=$(grep -E '^(RELOAD|MOD|INDEX)' "$T/b.out" | tr '\n' '|')
if [ "$got" = "MOD from lfs|INDEX number 262144 true 262144 mod|" ]; then
  ok "2.2: flashreload reboots into the image (never returning); flashindex gives the function, else time, base, mapped, size, list"
else
  fail "2.2 LFS" "$got"; describe b
fi
finish
