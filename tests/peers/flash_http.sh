#!/usr/bin/env bash
# A web server script of the kind published for NodeMCU serves text and binary
# files from the flash (a folder given with NETMCU_FLASH) to curl, byte for
# byte (sha256), in both profiles: 1.5 with the one open file and a chain of
# sends, 3.0 with a file object per connection. Names with '/' are served from
# subfolders; a path escaping the flash is a 404.
. "$(dirname "$0")/lib/common.sh"
need curl sha256sum python3

FLASH="$T/flash"
mkdir -p "$FLASH/http"
printf '<html><body><h1>netmcu</h1>%s</body></html>\n' "$(seq 1 500 | tr '\n' ' ')" >"$FLASH/index.html"
printf 'body { color: #333; }\n' >"$FLASH/http/style.css"
python3 -c 'import os,sys; sys.stdout.buffer.write(os.urandom(150000) + bytes(range(256)) + b"\r\n\0")' >"$FLASH/img.bin"
: >"$FLASH/empty.txt"
echo "outside the flash" >"$T/secret.txt"

# 1.5: one file at a time; the sent callback sends the next 1024 bytes.
cat >"$T/web15.lua" <<EOF
$PRELUDE
local sv = net.createServer(net.TCP, 30)
sv:listen(0, "127.0.0.1", function(c)
  c:on("receive", function(c, req)
    local path = req:match("^GET /(%S*)") or ""
    if path == "" then path = "index.html" end
    local size = file.list()[path]
    if not size or not file.open(path, "r") then
      c:send("HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n", function(c) c:close() end)
      return
    end
    local pos = 0
    local function more(c)
      file.open(path, "r")
      file.seek("set", pos)
      local chunk = file.read(1024)
      file.close()
      if chunk then
        pos = pos + #chunk
        c:send(chunk)
      else
        c:close()
      end
    end
    file.close()
    c:on("sent", more)
    c:send("HTTP/1.0 200 OK\r\nContent-Length: " .. size .. "\r\n\r\n")
  end)
end)
print("PORT " .. sv:getaddr())
EOF

# 3.0: a file object per connection, several open at once.
cat >"$T/web30.lua" <<EOF
$PRELUDE
local sv = net.createServer(net.TCP, 30)
sv:listen(0, "127.0.0.1", function(c)
  c:on("receive", function(c, req)
    local path = req:match("^GET /(%S*)") or ""
    if path == "" then path = "index.html" end
    local st = file.stat(path)
    local f = st and file.open(path, "r")
    if not f then
      c:send("HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n", function(c) c:close() end)
      return
    end
    c:on("sent", function(c)
      local chunk = f:read(1460)
      if chunk then c:send(chunk) else f:close() c:close() end
    end)
    c:send("HTTP/1.0 200 OK\r\nContent-Length: " .. st.size .. "\r\n\r\n")
  end)
end)
print("PORT " .. sv:getaddr())
EOF

check_profile() { # name, env...
  local name=$1; shift
  if ! nm_server "$name" NETMCU_FLASH="$FLASH" "$@"; then
    fail "$name: server starts" "no port"; describe "$name"; return
  fi
  local base="http://127.0.0.1:$PORT" f bad=""
  for f in index.html http/style.css img.bin empty.txt; do
    rm -f "$T/got"
    code=$(timeout 10 curl -sS -o "$T/got" -w '%{http_code}' "$base/$f" 2>>"$T/$name.curl")
    want=$(sha256sum <"$FLASH/$f" | cut -d' ' -f1)
    got=$(sha256sum <"$T/got" 2>/dev/null | cut -d' ' -f1)
    [ "$code" = 200 ] && [ "$got" = "$want" ] || bad="$bad $f($code)"
  done
  if [ -z "$bad" ]; then
    ok "$name: text, binary, empty and a name with / served byte for byte (sha256)"
  else
    fail "$name: files served byte for byte" "wrong:$bad"; describe "$name"
  fi
  # Four downloads of the binary file at once.
  local pids=() i
  for i in 1 2 3 4; do
    timeout 10 curl -sS -o "$T/par$i" "$base/img.bin" 2>>"$T/$name.curl" &
    pids+=($!)
  done
  wait "${pids[@]}"
  bad=""
  want=$(sha256sum <"$FLASH/img.bin" | cut -d' ' -f1)
  for i in 1 2 3 4; do
    [ "$(sha256sum <"$T/par$i" | cut -d' ' -f1)" = "$want" ] || bad="$bad $i"
  done
  if [ -z "$bad" ]; then ok "$name: four parallel downloads intact"
  else fail "$name: four parallel downloads intact" "corrupt:$bad"; fi
  code1=$(timeout 10 curl -sS -o /dev/null -w '%{http_code}' "$base/missing.html")
  code2=$(timeout 10 curl -sS --path-as-is -o "$T/esc" -w '%{http_code}' "$base/../secret.txt")
  code3=$(timeout 10 curl -sS -o /dev/null -w '%{http_code}' "$base/$T/secret.txt")
  if [ "$code1" = 404 ] && [ "$code2" = 404 ] && [ "$code3" = 404 ]; then
    ok "$name: a missing file and paths escaping the flash are 404"
  else
    fail "$name: missing and escaping paths are 404" "got $code1 $code2 $code3"
  fi
  kill "$NM_PID" 2>/dev/null
}

check_profile web15
check_profile web30 NETMCU_COMPAT=3.0
finish
