#!/usr/bin/env bash
# udp_json_node.sh — the published "JSON node over UDP" pattern (2.2): a board
# listens for JSON commands, drops foreign, malformed and forged ones, switches
# a relay pin, and answers each command with its relay states sealed the way
# such projects seal them: a 16-character IV made of two node.random(4294967295)
# halves printed with "%8x", encrypted under a static IV, the JSON under that
# IV (AES-128-CBC, zero padding, crypto.encrypt), an HMAC-SHA1 of IV..JSON, all
# in hex. The peer is python3 with openssl enc: it seals its own commands the
# same way and opens the board's answers byte for byte. node.random(2^32 - 1)
# raised 'number out of range' before netmcu saturated the bound as the chip does.
. "$(dirname "$0")/lib/common.sh"
need python3 openssl

cat >"$T/node.lua" <<EOF
$PRELUDE
local IVKEY, DATAKEY, STATIC, SECRET = "2345678901abcdef", "0123456789abcdef", "abcdef2345678901", "shared secret"
local RELAYS = {5, 6}
for _, pin in ipairs(RELAYS) do gpio.mode(pin, gpio.OUTPUT) gpio.write(pin, gpio.HIGH) end

local function ours(m)
  if type(m) ~= "table" or m.protocol ~= "iot:1" or type(m.targets) ~= "table" then return false end
  for _, t in pairs(m.targets) do if t == "ALL" or t == "relay-node" then return true end end
  return false
end

local function open(m)   -- the inner command of a sealed message, or nil
  local p = m.parameters
  if type(p) ~= "table" or type(p[1]) ~= "string" then return nil end
  local iv = crypto.decrypt("AES-CBC", IVKEY, encoder.fromHex(p[1]), STATIC)
  local text = crypto.decrypt("AES-CBC", DATAKEY, encoder.fromHex(p[2]), iv):gsub("%z", "")
  if crypto.toHex(crypto.hmac("sha1", iv .. text, SECRET)) ~= p[3] then print("forged") return nil end
  local ok, inner = pcall(sjson.decode, text)
  return ok and ours(inner) and inner or nil
end

local function seal(m)
  local text = sjson.encode(m)
  local iv = string.format("%8x", node.random(4294967295)) .. string.format("%8x", node.random(4294967295))
  return sjson.encode({protocol = "iot:1", node = "relay-node", targets = {"ALL"}, event = "message.aes",
    parameters = {crypto.toHex(crypto.encrypt("AES-CBC", IVKEY, iv, STATIC)),
      crypto.toHex(crypto.encrypt("AES-CBC", DATAKEY, text, iv)),
      crypto.toHex(crypto.hmac("sha1", iv .. text, SECRET))}})
end

local srv = net.createUDPSocket()
srv:on("receive", function(s, data, port, ip)
  local ok, m = pcall(sjson.decode, data)
  if not ok or not ours(m) then print("dropped") return end
  if m.event == "message.aes" then m = open(m) if not m then return end end
  local pin = type(m.parameters) == "table" and RELAYS[(tonumber(m.parameters.channel) or -1) + 1]
  if pin and m.event == "channel.on" then gpio.write(pin, gpio.LOW)
  elseif pin and m.event == "channel.off" then gpio.write(pin, gpio.HIGH)
  elseif m.event ~= "channel.states" then print("ignored " .. tostring(m.event)) return end
  local states = {}
  for i, p in ipairs(RELAYS) do states[i] = gpio.read(p) == 0 and 1 or 0 end
  s:send(port, ip, seal({protocol = "iot:1", node = "relay-node", targets = {"ALL"},
    event = "channels.response", response = states}))
end)
srv:listen(0, "127.0.0.1")
print("PORT " .. srv:getaddr())
EOF

cat >"$T/peer.py" <<'EOF'
import hashlib, hmac, json, random, socket, subprocess, sys
port, ctl = int(sys.argv[1]), sys.argv[2]
IVKEY, DATAKEY, STATIC, SECRET = b"2345678901abcdef", b"0123456789abcdef", b"abcdef2345678901", b"shared secret"

def aes(key, iv, data, decrypt):
    args = ["openssl", "enc", "-aes-128-cbc", "-nopad", "-K", key.hex(), "-iv", iv.hex()]
    return subprocess.run(args + (["-d"] if decrypt else []), input=data, capture_output=True, check=True).stdout

def seal(inner, forge=False):
    text = json.dumps(inner).encode()
    iv = b"%8x%8x" % (random.randrange(1, 2**28), random.randrange(2**28, 2**31))
    mac = hmac.new(SECRET, iv + text, hashlib.sha1).hexdigest()
    return {"protocol": "iot:1", "targets": ["ALL"], "event": "message.aes",
            "parameters": [aes(IVKEY, STATIC, iv, False).hex(),
                           aes(DATAKEY, iv, text + b"\0" * (-len(text) % 16), False).hex(),
                           "0" * 40 if forge else mac]}

def open_answer(raw):
    p = json.loads(raw)["parameters"]
    iv = aes(IVKEY, STATIC, bytes.fromhex(p[0]), True)
    text = aes(DATAKEY, iv, bytes.fromhex(p[1]), True).rstrip(b"\0")
    if len(iv) != 16 or hmac.new(SECRET, iv + text, hashlib.sha1).hexdigest() != p[2]:
        raise ValueError("bad seal: iv %r" % iv)
    return json.loads(text), iv

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.settimeout(3)

def ask(msg):
    sock.sendto(msg if isinstance(msg, bytes) else json.dumps(msg).encode(), ("127.0.0.1", port))
    try:
        return open_answer(sock.recv(65536))
    except socket.timeout:
        return None

def silent(msg):
    sock.sendto(msg if isinstance(msg, bytes) else json.dumps(msg).encode(), ("127.0.0.1", port))
    sock.settimeout(0.4)
    try:
        return "answered %r" % sock.recv(65536)
    except socket.timeout:
        return None
    finally:
        sock.settimeout(3)

def gpio(pin):
    out = subprocess.run(["socat", "-", "UNIX-CONNECT:" + ctl], input=b"gpio get %d\n" % pin,
                         capture_output=True, timeout=5).stdout.decode().split()
    return int(out[1])

def cmd(event, **kw):
    m = {"protocol": "iot:1", "node": "pc", "event": event, "targets": ["ALL"]}
    m.update(kw)
    return m

def check(name, cond, detail=""):
    print(("ok " if cond else "FAIL ") + name + ("" if cond else ": " + str(detail)))

r = ask(cmd("channel.on", parameters={"channel": 1}))
check("a plain command switches relay 1 and the sealed answer opens", r and r[0]["response"] == [0, 1] and gpio(6) == 0, r)
ivs = set()
for i in range(20):
    r = ask(seal(cmd("channel.on" if i % 2 else "channel.off", parameters={"channel": 0})))
    if not r:
        break
    ivs.add(r[1])
check("twenty sealed commands are obeyed and answered, each with its own %8x IV",
      r and r[0]["response"] == [1, 1] and gpio(5) == 0 and len(ivs) == 20 and
      all(len(iv) == 16 and int(iv.replace(b" ", b"0"), 16) for iv in ivs), (r, len(ivs)))
r = ask(seal(cmd("channel.off", parameters={"channel": 1}, targets=["relay-node"])))
check("a sealed command addressed to the node by name", r and r[0]["response"] == [1, 0] and gpio(6) == 1, r)
drops = {
    "a forged HMAC": seal(cmd("channel.off", parameters={"channel": 0}), forge=True),
    "another node's command": cmd("channel.off", parameters={"channel": 0}, targets=["kitchen"]),
    "another protocol": dict(cmd("channel.off", parameters={"channel": 0}), protocol="iot:2"),
    "bytes that are no JSON": b"\x00\xff\xfe garbage",
    "truncated JSON": b'{"protocol":"iot:1","targets":["ALL"],"event":"chan',
    "a JSON array": b"[1,2,3]",
    "a sealed message with no parameters": cmd("message.aes"),
    "a channel the node has not": cmd("channel.on", parameters={"channel": 7}),
}
for name, msg in drops.items():
    got = silent(msg)
    check("dropped: " + name, got is None and gpio(5) == 0, got)
r = ask(cmd("channel.states"))
check("the node still answers after the bad datagrams", r and r[0]["response"] == [1, 0], r)
EOF

timeout -k 2 "$(bound 40)" "$NETMCU" --compat=2.2 --control="$T/ctl.sock" "$T/node.lua" >"$T/node.out" 2>"$T/node.err" &
track $!
wait_line "$T/node.out" '^PORT [0-9]+' 10 || { fail "the node starts" "no port"; describe node; finish; }
PORT=$(port_from "$T/node.out" PORT)
if ! timeout -k 2 "$(bound 60)" python3 "$T/peer.py" "$PORT" "$T/ctl.sock" >"$T/peer.out" 2>"$T/peer.err"; then
  fail "the python3 peer ran to its end" "$(tail -c 400 "$T/peer.err")"
  describe node
fi
while IFS= read -r line; do
  case "$line" in
    ok\ *) ok "${line#ok }" ;;
    FAIL\ *) fail "${line#FAIL }" "see the node's output"; describe node ;;
  esac
done <"$T/peer.out"
if grep -q "forged" "$T/node.out" && ! grep -q "traceback" "$T/node.err"; then
  ok "the node reported the forged message and raised nothing"
else
  fail "forged message reported, no error" "node output follows"; describe node
fi
finish
