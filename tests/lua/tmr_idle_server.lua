-- tmr_idle_server.lua — a NodeMCU-style server that times out idle clients
-- with one tmr per connection, restarted by every receive.
local T = require "testlib"
local N = require "lib_net"

local IDLE_MS = 200

-- The script under test, as it would run on the device.
local function idle_server()
  return N.server(function(c)
    local idle = tmr.create()
    idle:register(IDLE_MS, tmr.ALARM_SINGLE, function()
      c:send("bye\n", function(s) s:close() end)
    end)
    idle:start()
    c:on("receive", function(s, data)
      idle:stop()
      idle:start()
      s:send("ok " .. data)
    end)
    c:on("disconnection", function() idle:unregister() end)
  end)
end

local function ms_since(t0)
  local d = tmr.now() - t0
  if d < 0 then d = d + 0x80000000 end
  return d / 1000
end

T.case("a_silent_client_is_closed_after_the_idle_time", function(done)
  local srv, port = idle_server()
  local t0, got = tmr.now(), ""
  N.client(port, {
    receive = function(_, d) got = got .. d end,
    disconnection = T.expect(function()
      local ms = ms_since(t0)
      T.eq(got, "bye\n", "farewell")
      T.check(ms >= IDLE_MS - 20 and ms < 3000, "closed after " .. ms .. " ms")
      srv:close()
      done()
    end),
  })
end)

T.case("an_active_client_is_kept_and_closed_once_it_goes_quiet", function(done)
  local srv, port = idle_server()
  local t0, pings, replies, got = tmr.now(), 0, 0, ""
  local sk
  local pinger = tmr.create()
  pinger:register(80, tmr.ALARM_AUTO, function(t)
    pings = pings + 1
    sk:send("p" .. pings)
    if pings == 8 then t:unregister() end -- 640 ms of activity, then silence
  end)
  sk = N.client(port, {
    connection = function() pinger:start() end,
    receive = function(_, d) got = got .. d; replies = replies + 1 end,
    disconnection = T.expect(function()
      local ms = ms_since(t0)
      T.eq(pings, 8, "pings sent")
      T.match(got, "ok p8", "every ping answered")
      T.match(got, "bye\n$", "closed by the idle timer")
      T.check(ms >= 640 + IDLE_MS - 50, "closed after " .. ms .. " ms, before the client went quiet")
      srv:close()
      done()
    end),
  })
end)

T.run()
