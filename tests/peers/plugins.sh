#!/usr/bin/env bash
# plugins.sh — what the runner loads, and when (src/runtime/plugin.h): a script
# that uses no TLS, crypto, encoder, MQTT or line editing maps none of OpenSSL,
# libmosquitto and readline (the script reads /proc/self/maps itself); the
# first use loads the one plugin it needs; a runner without its plugins raises
# a Lua error naming the call and goes on (no crash); a terminal console
# without the readline plugin reads plain lines.
set -u
. "$(dirname "$0")/lib/tmux.sh"

# The script's helper: the mapped files among OpenSSL, libmosquitto, readline and the plugins.
MAPS='local function mapped()
  local f = assert(io.open("/proc/self/maps")); local m = f:read("*a"); f:close()
  local found = {}
  for _, lib in ipairs({"libssl.so", "libcrypto.so", "libmosquitto.so", "libreadline.so",
                        "plugins/ssl.so", "plugins/mqtt.so", "plugins/readline.so"}) do
    if m:find(lib, 1, true) then found[#found + 1] = lib end
  end
  return "[" .. table.concat(found, " ") .. "]"
end'

run() { # run CHUNK [netmcu] — the chunk's output and errors (profile: $COMPAT, else the default)
  (cd "$T" && env ${COMPAT:+NETMCU_COMPAT=$COMPAT} NETMCU_FLASH="$T" timeout "$(bound 10)" "${2:-$NETMCU}" -e "$MAPS
$1" 2>&1)
}

check() { # check NAME GOT WANT
  if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "got '$(tr '\n' '|' <<<"$2")', want '$3'"; fi
}

check "an empty script maps no OpenSSL, libmosquitto, readline or plugin" "$(run 'print(mapped())')" "[]"

# Plain networking, timers, files, JSON, random numbers: none of it needs a plugin.
out=$(COMPAT=3.0 run 'local srv = net.createServer(net.TCP, 30)
srv:listen(0, "127.0.0.1", function(c) end)
srv:close()
local u = net.createUDPSocket(); u:close()
local t = tmr.create(); t:alarm(1, tmr.ALARM_SINGLE, function() print(mapped()) end)
assert(file.open("x.txt", "w")); file.write("abc"); file.close()
assert((sjson or cjson).decode("[1]")[1] == 1); assert(node.random(6) >= 1)')
check "a server opened and closed, UDP, timers, files, JSON and node.random load no plugin" "$out" "[]"

out=$(cd "$T" && printf '%s\nprint(mapped())\n' "$(tr '\n' ' ' <<<"$MAPS")" |
      NETMCU_FLASH="$T" timeout "$(bound 10)" "$NETMCU" 2>&1)
check "a console on a pipe loads no readline" "$out" "[]"

out=$(run 'print(crypto.toHex(crypto.hash("sha1", "abc")), mapped())')
check "the first crypto call loads the ssl plugin (OpenSSL), not libmosquitto" "$out" \
  "a9993e364706816aba3e25717850c26c9cd0d89d	[libssl.so libcrypto.so plugins/ssl.so]"
out=$(run 'print(encoder.toBase64("hi"), mapped())')
check "the first encoder call loads the ssl plugin" "$out" "aGk=	[libssl.so libcrypto.so plugins/ssl.so]"
out=$(run 'print(type(mqtt.Client("c", 60)), mapped())')
check "an MQTT client loads the mqtt plugin (libmosquitto)" "$out" \
  "userdata	[libssl.so libcrypto.so libmosquitto.so plugins/mqtt.so]"
out=$(run 'local s = net.createConnection(net.TCP, 1); print(type(s), mapped())')
check "a secure socket loads the ssl plugin" "$out" "userdata	[libssl.so libcrypto.so plugins/ssl.so]"

# A runner without its plugins: the calls that need one fail as Lua errors
# that name the call, everything else works, and the run ends normally.
mkdir -p "$T/bare" && cp "$NETMCU" "$T/bare/netmcu"
out=$(run 'local function try(name, f, ...)
  local ok, err = pcall(f, ...)
  print(name, ok, (tostring(err):gsub(": /.*", "")))
end
try("hash", crypto.hash, "sha1", "abc")
try("base64", encoder.toBase64, "hi")
try("secure", net.createConnection, net.TCP, 1)
try("mqtt", mqtt.Client, "c", 60)
try("https", http.get, "https://127.0.0.1:1/", nil, function() end)
print("plain", type(net.createConnection(net.TCP, 0)), mapped())' "$T/bare/netmcu")
want="hash	false	crypto.hash: the ssl plugin cannot be loaded
base64	false	encoder.toBase64: the ssl plugin cannot be loaded
secure	false	net.createConnection: the ssl plugin cannot be loaded
mqtt	false	mqtt.Client: the mqtt plugin cannot be loaded
https	false	http: the ssl plugin cannot be loaded
plain	userdata	[]"
check "without its plugins the runner raises Lua errors naming the call, and plain TCP works" "$out" "$want"
out=$(cd "$T" && NETMCU_COMPAT=3.0 NETMCU_FLASH="$T" timeout "$(bound 10)" "$T/bare/netmcu" \
  -e 'print(pcall(tls.createConnection))' 2>&1)
case "$out" in
"false	tls.createConnection: the ssl plugin cannot be loaded: "*) ok "without the ssl plugin tls.createConnection raises a Lua error" ;;
*) fail "without the ssl plugin tls.createConnection raises a Lua error" "got '$out'" ;;
esac

# A terminal's console edits lines with the readline plugin; without it, plain lines.
console_start 150 20 "env NETMCU_FLASH=$T $NETMCU; sleep 30"
if wait_for '^> ?$' 5; then
  type_line "=io.open('/proc/self/maps'):read('*a'):find('plugins/readline.so', 1, true) ~= nil"
  if wait_for '^true$' 5; then ok "a console on a terminal loads the readline plugin"
  else fail "a console on a terminal loads the readline plugin" "$(screen | tr '\n' '|')"; fi
else
  fail "a console on a terminal loads the readline plugin" "no prompt: $(screen | tr '\n' '|')"
fi
console_start 150 20 "env NETMCU_FLASH=$T $T/bare/netmcu; sleep 30"
if wait_for 'no line editing$' 5 && screen | grep -q 'the readline plugin cannot be loaded'; then
  type_line '=6*7'
  if wait_for '^42$' 5; then ok "without the readline plugin a terminal's console says so and runs plain lines"
  else fail "without the readline plugin a terminal's console says so and runs plain lines" "$(screen | tr '\n' '|')"; fi
else
  fail "without the readline plugin a terminal's console says so and runs plain lines" "$(screen | tr '\n' '|')"
fi
finish
