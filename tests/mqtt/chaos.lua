-- chaos.lua — seeded random use of the mqtt module against a real mosquitto
-- (MQTT_PORT), a closed port and a broker that answers garbage: clients made,
-- connected, closed (also twice, also from their own callbacks), reconnected,
-- publishing and subscribing, dropped and collected. Nothing may crash or hang:
-- after RUN seconds every client is closed and the loop must end by itself.
-- Prints "CHAOS <actions> <events>" at the end.
--   netmcu chaos.lua SEED RUN_SECONDS
local seed, run = tonumber(arg[1]), tonumber(arg[2])
local ports = {tonumber(os.getenv("MQTT_PORT")), tonumber(os.getenv("MQTT_CLOSED_PORT")),
               tonumber(os.getenv("MQTT_GARBAGE_PORT"))}
local v30 = os.getenv("ERA") == "3.0"
math.randomseed(seed)
local R = math.random
local clients, actions, events, n = {}, 0, 0, 0
-- Every client made, weakly: those the script dropped stay here while they are
-- anchored (connected or connecting) and disappear once collected.
local all = setmetatable({}, {__mode = "k"})
local finishing = false

local function pick()
  if #clients == 0 then return nil end
  return clients[R(#clients)]
end

local function topic() return "chaos/" .. seed .. "/" .. R(3) end

local function connect(m, port, fail)
  if v30 then return pcall(m.connect, m, "127.0.0.1", port, false, nil, fail) end
  return pcall(m.connect, m, "127.0.0.1", port, 0, R(0, 1), nil, fail)
end

local function maybe_act(c)
  -- a callback sometimes closes, publishes or subscribes on its own client
  if finishing then return end
  local r = R(6)
  if r == 1 then c:close()
  elseif r == 2 then pcall(c.publish, c, topic(), string.rep("p", R(0, 3000)), R(0, 2), R(0, 1))
  elseif r == 3 then pcall(c.subscribe, c, {[topic()] = R(0, 2), [topic()] = R(0, 2)})
  end
end

local function hooks(m)
  local function ev() events = events + 1 end
  m:on("message", function(c) ev() maybe_act(c) end)
  m:on("offline", function(c) ev() if not finishing and R(3) == 1 then connect(c, ports[1]) end end)
  m:on("connect", function(c) ev() maybe_act(c) end)
  if v30 then
    m:on("connfail", function(c) ev() end)
    m:on("puback", function(c) ev() maybe_act(c) end)
    m:on("overflow", function(c) ev() end)
  end
end

local step = {
  function() -- a new client
    n = n + 1
    local m = mqtt.Client("chaos-" .. seed .. "-" .. n, 5 + R(0, 10), nil, nil, 1)
    if R(2) == 1 then m:lwt("chaos/will", "w" .. n, R(0, 2), R(0, 1)) end
    hooks(m)
    clients[#clients + 1] = m
    all[m] = true
  end,
  function() -- connect somewhere
    local m = pick()
    if m then connect(m, ports[R(#ports)], function() events = events + 1 end) end
  end,
  function() local m = pick() if m then m:close() if R(2) == 1 then m:close() end end end,
  function() local m = pick() if m then pcall(m.publish, m, topic(), tostring(R(1e6)), R(0, 2), 0) end end,
  function() local m = pick() if m then pcall(m.subscribe, m, topic(), R(0, 2)) end end,
  function() local m = pick() if m then pcall(m.unsubscribe, m, {[topic()] = 1}) end end,
  function() -- drop a client (it may still be connected) and collect
    if #clients > 0 then table.remove(clients, R(#clients)) end
    collectgarbage()
  end,
}

local t = tmr.create()
local ends = tmr.now() + run * 1e6
t:alarm(5, tmr.ALARM_AUTO, function()
  for _ = 1, R(1, 4) do
    actions = actions + 1
    step[R(#step)]()
  end
  if tmr.now() > ends then
    t:unregister()
    finishing = true
    clients = {}
    for m in pairs(all) do m:close() end
    -- close() leaves an attempt under way going (the firmware's rule): close again once
    -- every attempt has ended (10 s at most), then nothing may keep the loop running.
    tmr.create():alarm(11000, tmr.ALARM_SINGLE, function()
      for m in pairs(all) do m:close() end
      collectgarbage()
      print("CHAOS " .. actions .. " " .. events)
    end)
  end
end)
