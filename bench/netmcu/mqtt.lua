-- mqtt.lua — MQTT benchmark client, the mqtt module doing what
-- bench/tools/mqtt_client.c does with libmosquitto's own loop.
--
--   netmcu mqtt.lua pub PORT QOS COUNT   COUNT 32-byte messages published from the
--                                        connect callback; waits for every puback
--   netmcu mqtt.lua sub PORT QOS COUNT   subscribes, prints READY, counts messages
--   netmcu mqtt.lua idle PORT COUNT      holds COUNT connected clients
-- pub and sub print "<seconds> <CPU seconds> <messages>" from the first publish
-- (pub) or the first message (sub); sub stops after COUNT or 3 s without one.
-- idle prints the resident bytes per connected client.
local mode, port = arg[1], tonumber(arg[2])
local TOPIC, PAYLOAD = "bench/mqtt", "0123456789abcdef0123456789abcdef"
local t0, cpu0, done = 0, 0, 0

local function report()
  print(string.format("%.6f %.6f %d", (tmr.now() - t0) / 1e6, os.clock() - cpu0, done))
end

local function rss()
  local f = io.open("/proc/self/status")
  local kb = f:read("*a"):match("VmRSS:%s*(%d+)")
  f:close()
  return tonumber(kb) * 1024
end

if mode == "idle" then
  local count, up, clients = tonumber(arg[3]), 0, {}
  local before, warm
  local function open(i)
    local m = mqtt.Client("idle-netmcu-" .. i, 60)
    clients[i] = m
    m:connect("127.0.0.1", port, 0, 0, function()
      up = up + 1
      if up == count then
        print(string.format("%.0f", (rss() - before) / count))
        for _, c in ipairs(clients) do c:close() end
        warm:close()
      end
    end, function(_, r) print("FAIL " .. r) os.exit(1) end)
  end
  warm = mqtt.Client("idle-netmcu-warm", 60)
  warm:connect("127.0.0.1", port, 0, 0, function()
    collectgarbage()
    before = rss()
    for i = 1, count do open(i) end
  end, function(_, r) print("FAIL " .. r) os.exit(1) end)
  return
end

local qos, count = tonumber(arg[3]), tonumber(arg[4])
local m = mqtt.Client("bench-netmcu-" .. mode, 60)
if mode == "pub" then
  m:connect("127.0.0.1", port, 0, 0, function(c)
    t0, cpu0 = tmr.now(), os.clock()
    local function acked(c2)
      done = done + 1
      if done == count then report() c2:close() end
    end
    for _ = 1, count do c:publish(TOPIC, PAYLOAD, qos, 0, acked) end
  end)
else
  local last, watch = 0, tmr.create()
  m:on("message", function(c)
    if done == 0 then t0, cpu0 = tmr.now(), os.clock() end
    done = done + 1
    last = tmr.now()
    if done == count then report() watch:unregister() c:close() end
  end)
  m:connect("127.0.0.1", port, 0, 0, function(c)
    c:subscribe(TOPIC, qos, function() print("READY") end)
  end)
  watch:alarm(500, tmr.ALARM_AUTO, function(t)
    if done > 0 and done < count and tmr.now() - last > 3e6 then report() t:unregister() m:close() end
  end)
end
