-- luv_server.lua — the Lua-on-luv peer (lua-luv), the closest Lua relative of netmcu.
--
--   lua5.3 luv_server.lua MODE PORT   MODE: http | idle | churn | bulk-nodemcu | bulk-natural | startup
--
-- The same workloads as c_server.c in plain luv. Listens on 127.0.0.1:PORT;
-- prints nothing while serving.
local uv = require("luv")

local BACKLOG = 511
local CHUNK = string.rep("x", 16 * 1024)
local BULK_CHUNKS = 65536 -- 1 GiB / 16 KiB
local RESP_KEEP = "HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\nHello, World!"
local RESP_CLOSE = "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 13\r\n\r\nHello, World!"

local function close(c)
  if not c:is_closing() then c:close() end
end

local find = string.find

-- Requests ending in the chunk; the search stops at the chunk's end, so the
-- usual chunk of exactly one request takes a single find.
local function count_requests(data)
  local n, e, len = 0, 0, #data
  while e < len do
    local _, last = find(data, "\r\n\r\n", e + 1, true)
    if not last then break end
    n, e = n + 1, last
  end
  return n
end

-- Answers each complete request in a chunk; churn closes once the response is written.
local function http(close_after)
  local resp = close_after and RESP_CLOSE or RESP_KEEP
  return function(c)
    c:read_start(function(err, data)
      if err or not data then return close(c) end
      local n = count_requests(data)
      if n == 0 then return end
      local out = n == 1 and resp or resp:rep(n)
      if close_after then
        c:write(out, function() close(c) end)
      else
        c:write(out)
      end
    end)
  end
end

-- Bulk clients send nothing; reading only notices that they left.
local function watch_eof(c)
  c:read_start(function(err, data)
    if err or not data then close(c) end
  end)
end

-- One write in flight: the next chunk goes out from the previous write's callback.
local function bulk_nodemcu(c)
  local left = BULK_CHUNKS
  local function next_chunk(err)
    if err then return close(c) end
    if left == 0 then return close(c) end
    left = left - 1
    c:write(CHUNK, next_chunk)
  end
  watch_eof(c)
  next_chunk()
end

-- The libuv idiom: try_write until the kernel pushes back, then one write for the rest.
local function bulk_natural(c)
  local left = BULK_CHUNKS
  local function pump(err)
    if err then return close(c) end
    while left > 0 do
      left = left - 1
      local n = c:try_write(CHUNK)
      if n ~= #CHUNK then
        return c:write(n and CHUNK:sub(n + 1) or CHUNK, pump)
      end
    end
    close(c)
  end
  watch_eof(c)
  pump()
end

local handlers = {
  http = http(false),
  idle = http(false),
  churn = http(true),
  ["bulk-nodemcu"] = bulk_nodemcu,
  ["bulk-natural"] = bulk_natural,
  startup = function() end,
}

local mode, port = arg[1], tonumber(arg[2])
if not handlers[mode] or not port then
  io.stderr:write("usage: lua luv_server.lua http|idle|churn|bulk-nodemcu|bulk-natural|startup PORT\n")
  os.exit(2)
end

-- A client that leaves mid-write must be an error code, not a SIGPIPE kill.
local sigpipe = uv.new_signal()
sigpipe:start("sigpipe", function() end)
sigpipe:unref()

local server = uv.new_tcp()
assert(server:bind("127.0.0.1", port))
assert(server:listen(BACKLOG, function(err)
  if err then return end
  local c = uv.new_tcp()
  if server:accept(c) then handlers[mode](c) else close(c) end
end))
if mode == "startup" then server:close() end
uv.run()
