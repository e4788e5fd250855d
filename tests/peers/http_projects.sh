#!/usr/bin/env bash
# http_projects.sh — the pattern of the published NodeMCU web servers
# (nodemcu-httpserver, nodemcu-espress) on a 3.0 board with the ESP8266's
# limits, driven by curl: the server is a module built into LFS with
# tools/luac.cross.lua (its file starts with a "#!" line), init.lua reloads
# the image once (the call never returns) and starts it from LFS after the
# reboot; pages are streamed from the flash in 512-byte pieces from 'sent'
# callbacks, script pages through a coroutine that yields after each piece,
# a per-method route table hands loadfile() what it found (nil: the
# firmware's "filename is NULL", answered with 500), basic auth, a gzip
# variant, 404, a POST form, and several clients at once. The board keeps
# 12 KB of its heap for itself, as these servers' state does: the garbage
# of the pieces must be collected before an allocation fails.
. "$(dirname "$0")/lib/common.sh"
need curl cmp gzip
TOOL="$(cd "$(dirname "$0")/../.." && pwd)/tools/luac.cross.lua"

mkdir -p "$T/src" "$T/flash/http" "$T/home"
export NETMCU_HOME="$T/home"
head -c 60000 /dev/urandom >"$T/flash/http/big.bin"
printf '<html><body>hello from the flash</body></html>\n' >"$T/flash/http/index.html"
printf '<html><body>packed</body></html>\n' | gzip -9 >"$T/flash/http/packed.html.gz"
printf 'return function(conn, req) conn:send("HTTP/1.0 200 OK\\r\\n\\r\\n") for i = 1, 40 do conn:send(("line %%d\\n"):format(i)) end end\n' \
  >"$T/flash/http/count.lua"
cat >"$T/flash/http/form.lua" <<'EOF'
return function(conn, req)
  conn:send("HTTP/1.0 200 OK\r\n\r\n")
  for k, v in req.body:gmatch("([^&=]+)=([^&]*)") do conn:send(k .. "=" .. v:gsub("+", " ") .. "\n") end
end
EOF

cat >"$T/src/webserver.lua" <<'EOF'
#!/usr/bin/env lua
-- a server in the style of the published ones, kept in LFS
local users = {ada = "lovelace"}
local routes = {["/form"] = {POST = "http/form.lua"}}

local function header(code, extra)
  return "HTTP/1.0 " .. code .. "\r\n" .. (extra or "") .. "Connection: close\r\n\r\n"
end

local function authorized(head)
  local b64 = head:match("\r\n[Aa]uthorization: Basic ([%w+/=]+)")
  local user, pwd = (b64 and encoder.fromBase64(b64) or ""):match("^(.-):(.*)$")
  return user and users[user] == pwd
end

-- a buffered connection: the script's sends go out one piece per 'sent'
local function buffered(conn)
  return {send = function(_, data) conn:send(data) coroutine.yield() end}
end

local function serve_script(conn, fn, req)
  local co = coroutine.create(function() fn(buffered(conn), req) end)
  local function step()
    local ok, err = coroutine.resume(co)
    if not ok then print("script error", err) conn:close() return end
    if coroutine.status(co) == "dead" then conn:close() end
  end
  conn:on("sent", step)
  step()
end

local function serve_file(conn, name, extra)
  local sent, size = 0, file.list()[name]
  conn:on("sent", function(c)
    if sent >= size then c:close() return end
    local f = file.open(name, "r")
    f:seek("set", sent)
    local piece = f:read(512)
    f:close()
    sent = sent + #piece
    c:send(piece)
  end)
  conn:send(header("200 OK", extra))
end

local function answer(conn, head, body)
  local method, path = head:match("^(%u+) (%S+) HTTP/1%.%d\r\n")
  if not method then conn:send(header("400 Bad Request"), conn.close) return end
  if not authorized(head) then
    conn:send(header("401 Unauthorized", 'WWW-Authenticate: Basic realm="board"\r\n'), conn.close)
    return
  end
  local route = routes[path]
  if route then
    local ok, fn = pcall(loadfile, route[method])
    if not ok then conn:send(header("500 Internal Server Error") .. fn, conn.close) return end
    serve_script(conn, fn(), {method = method, body = body})
    return
  end
  local name = "http" .. (path == "/" and "/index.html" or path)
  if name:match("%.lua$") and file.exists(name) then
    serve_script(conn, dofile(name), {method = method, body = body})
  elseif file.exists(name) then
    serve_file(conn, name)
  elseif file.exists(name .. ".gz") then
    serve_file(conn, name .. ".gz", "Content-Encoding: gzip\r\n")
  else
    conn:send(header("404 Not Found"), conn.close)
  end
end

return function(port)
  local srv = net.createServer(net.TCP, 10)
  srv:listen(port, function(conn)
    local buf = ""
    conn:on("receive", function(c, data)
      buf = buf .. data
      local head_end = buf:find("\r\n\r\n", 1, true)
      if not head_end then return end
      local length = tonumber(buf:match("\r\n[Cc]ontent%-[Ll]ength: (%d+)")) or 0
      if #buf < head_end + 3 + length then return end
      local head, body = buf:sub(1, head_end + 1), buf:sub(head_end + 4)
      buf = ""
      answer(c, head, body)
    end)
  end)
  return srv
end
EOF

cat >"$T/flash/init.lua" <<'EOF'
local get = node.LFS.get
if not get("webserver") then
  node.LFS.reload("lfs.img")
  print("AFTER RELOAD") -- never printed: the reload does not return
  return
end
local keep = {} -- the board's own state: 12 KB the server cannot use
for i = 1, 12 do keep[i] = ("k"):rep(1000) .. i end
_G.kept = keep
local srv = get("webserver")()(0)
print("PORT " .. srv:getaddr())
EOF

if ! "$NETMCU" "$TOOL" -f -o "$T/flash/lfs.img" "$T/src/webserver.lua" 2>"$T/tool.err"; then
  bail "luac.cross.lua: $(cat "$T/tool.err")"
fi
timeout -k 2 "$(bound 60)" "$NETMCU" --boot --compat=3.0 --device=esp8266 --flash "$T/flash" \
  </dev/null >"$T/board.out" 2>"$T/board.err" &
track $!
if ! wait_line "$T/board.out" '^PORT [0-9]+' 10; then
  describe board
  bail "the board printed no port"
fi
PORT=$(port_from "$T/board.out" PORT)
U="http://127.0.0.1:$PORT"
A=(-u ada:lovelace)
if grep -q 'AFTER RELOAD' "$T/board.out"; then
  fail "the reload" "init.lua went on after node.LFS.reload"
else
  ok "init.lua reloads LFS once (nothing after the call runs) and starts the server from LFS"
fi

code=$(curl -sS -m "$(bound 10)" "${A[@]}" -o "$T/big.got" -w '%{http_code}' "$U/big.bin")
if [ "$code" = 200 ] && cmp -s "$T/big.got" "$T/flash/http/big.bin"; then
  ok "a 60 KB file streamed in pieces from 'sent' with 12 KB kept: the same bytes"
else
  fail "the big file" "status $code, $(wc -c <"$T/big.got" 2>/dev/null) bytes"; describe board
fi

got=$(curl -sS -m "$(bound 5)" "${A[@]}" "$U/")
[ "$got" = "<html><body>hello from the flash</body></html>" ] && ok "/ serves index.html" || fail "index" "got '$got'"

got=$(curl -sS -m "$(bound 5)" "${A[@]}" --compressed -D "$T/gz.h" "$U/packed.html")
if [ "$got" = "<html><body>packed</body></html>" ] && grep -qi '^Content-Encoding: gzip' "$T/gz.h"; then
  ok "the .gz variant goes out with Content-Encoding: gzip"
else
  fail "gzip variant" "got '$got'"
fi

lines=$(curl -sS -m "$(bound 5)" "${A[@]}" "$U/count.lua" | grep -c '^line ')
[ "$lines" = 40 ] && ok "a script page sends 40 pieces through its coroutine" || fail "script page" "$lines lines"

got=$(curl -sS -m "$(bound 5)" "${A[@]}" -d 'first=Ada&last=King+Lovelace' "$U/form")
[ "$got" = $'first=Ada\nlast=King Lovelace' ] && ok "a POST form reaches the route's script" || fail "POST form" "got '$got'"

got=$(curl -sS -m "$(bound 5)" "${A[@]}" -X DELETE -w ' %{http_code}' "$U/form")
[ "$got" = "filename is NULL 500" ] && ok "a method the route lacks: loadfile(nil) raises 'filename is NULL' (500)" ||
  fail "loadfile(nil) route" "got '$got'"

codes=$(curl -sS -m "$(bound 5)" -o /dev/null -w '%{http_code} ' "$U/";
        curl -sS -m "$(bound 5)" -u ada:wrong -o /dev/null -w '%{http_code} ' "$U/";
        curl -sS -m "$(bound 5)" "${A[@]}" -o /dev/null -w '%{http_code}' "$U/none.html")
[ "$codes" = "401 401 404" ] && ok "basic auth refuses no and wrong credentials; a missing file is 404" || fail "auth, 404" "got '$codes'"

pids=()
for i in 1 2 3 4; do
  curl -sS -m "$(bound 20)" "${A[@]}" -o "$T/p$i.got" "$U/big.bin" &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
same=0
for i in 1 2 3 4; do cmp -s "$T/p$i.got" "$T/flash/http/big.bin" && same=$((same + 1)); done
[ "$same" = 4 ] && ok "four clients at once each get the 60 KB file whole" || { fail "clients at once" "$same of 4 whole"; describe board; }

if grep -q 'not enough memory\|script error' "$T/board.out" "$T/board.err"; then
  fail "the board's errors" "$(grep -h 'not enough memory\|script error' "$T/board.out" "$T/board.err" | head -3)"
else
  ok "no error on the board"
fi
finish
