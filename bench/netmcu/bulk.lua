-- bulk.lua — streams 1 GiB in 16 KiB chunks to each client, then closes.
--
--   netmcu bulk.lua PORT [nodemcu|natural]
--
-- nodemcu: the firmware idiom, one send in flight, the next one from `sent`.
-- natural: WINDOW sends queued at once and topped up from `sent`; this works on
-- netmcu because it never drops consecutive sends (the firmware would).
local port, mode = tonumber(arg[1]), arg[2] or "nodemcu"
local CHUNK = string.rep("x", 16 * 1024)
local CHUNKS = 65536 -- 1 GiB / 16 KiB
local WINDOW = mode == "natural" and 8 or 1

local srv = net.createServer(net.TCP, 30)
srv:listen(port, "127.0.0.1", function(conn)
  local queued, done = 0, 0
  local function top_up(sck)
    while queued < CHUNKS and queued - done < WINDOW do
      queued = queued + 1
      sck:send(CHUNK)
    end
  end
  conn:on("sent", function(sck)
    done = done + 1
    if done == CHUNKS then sck:close() else top_up(sck) end
  end)
  top_up(conn)
end)
