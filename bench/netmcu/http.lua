-- http.lua — the netmcu HTTP hello server, written as a NodeMCU script.
--
--   netmcu http.lua PORT [http|idle|churn]
--
-- Answers each complete request ("\r\n\r\n") in a received chunk with a fixed
-- response. idle is the same server, held open without traffic. churn adds
-- "Connection: close" and closes from the `sent` callback, the NodeMCU way.
local port, mode = tonumber(arg[1]), arg[2] or "http"
local RESP_KEEP = "HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\nHello, World!"
local RESP_CLOSE = "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 13\r\n\r\nHello, World!"
local close_after = mode == "churn"
local resp = close_after and RESP_CLOSE or RESP_KEEP

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

local function closer(sck) sck:close() end

local function receiver(sck, data)
  local n = count_requests(data)
  if n == 0 then return end
  local out = n == 1 and resp or resp:rep(n)
  if close_after then
    sck:send(out, closer)
  else
    sck:send(out)
  end
end

local srv = net.createServer(net.TCP, 30)
srv:listen(port, "127.0.0.1", function(conn)
  conn:on("receive", receiver)
end)
