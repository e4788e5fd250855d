-- tls.lua — TLS benchmark client, the netmcu side of bench/tools/tls_client.c
-- (same modes, same output): handshakes, bulk download, idle connections.
--
--   netmcu tls.lua hs   PORT CAFILE COUNT WINDOW
--   netmcu tls.lua bulk PORT CAFILE BYTES
--   netmcu tls.lua idle PORT CAFILE COUNT
local mode, port, cafile, n, window = arg[1], tonumber(arg[2]), arg[3], tonumber(arg[4]), tonumber(arg[5] or 1)
local f = assert(io.open(cafile))
net.cert.verify(f:read("*a"))
f:close()

local function rss()
  local statm = io.open("/proc/self/statm")
  local _, resident = statm:read("*n", "*n")
  statm:close()
  return resident * 4096
end

local t0, cpu0, rss0 = tmr.now(), os.clock(), rss()
local function report(failures)
  print(string.format("%.6f %.6f %d", (tmr.now() - t0) / 1e6, os.clock() - cpu0, failures))
end

if mode == "hs" then
  local started, finished, failures = 0, 0, 0
  local function one()
    started = started + 1
    local s = net.createConnection(net.TCP, 1)
    local ok = false
    s:on("connection", function(c) ok = true; c:close() end)
    s:on("disconnection", function(c, code)
      if not ok or code ~= 0 then failures = failures + 1 end
      finished = finished + 1
      if started < n then one() elseif finished == n then report(failures) end
    end)
    s:connect(port, "localhost")
  end
  for _ = 1, math.min(window, n) do one() end
elseif mode == "bulk" then
  local got = 0
  local s = net.createConnection(net.TCP, 1)
  s:on("connection", function(c) c:send("GET /big HTTP/1.1\r\nHost: localhost\r\n\r\n") end)
  s:on("receive", function(c, d)
    got = got + #d
    if got >= n then report(0); c:close() end
  end)
  s:connect(port, "localhost")
else -- idle
  local conns, established = {}, 0
  for i = 1, n do
    local s = net.createConnection(net.TCP, 1)
    conns[i] = s
    s:on("connection", function()
      established = established + 1
      if established == n then
        tmr.create():alarm(1000, tmr.ALARM_SINGLE, function()
          collectgarbage()
          print(string.format("%.0f", (rss() - rss0) / n))
          for _, c in ipairs(conns) do c:close() end
        end)
      end
    end)
    s:connect(port, "localhost")
  end
end
