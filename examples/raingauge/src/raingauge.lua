-- raingauge.lua: counts the tips of a rain gauge's bucket (a reed switch that
-- pulls a pin low), reports the count every period to a Graphite receiver
-- ("raingauge.tips COUNT UPTIME\n" over TCP), reconnects after the wifi or the
-- receiver drops, and serves a status page. Reports made while offline wait
-- (at most 10) and go out on the next connection.
local cfg = dofile("config.lua")
tips, connected = 0, false
local pending, conn = {}, nil

gpio.mode(cfg.led, gpio.OUTPUT)
gpio.mode(cfg.pin, gpio.INT, gpio.PULLUP)
gpio.trig(cfg.pin, "down", function()
  tips = tips + 1
  gpio.write(cfg.led, tips % 2)
end)

local function flush()
  if connected and #pending > 0 then
    conn:send(table.concat(pending))
    pending = {}
  end
end

local retry = tmr.create()
local function connect()
  if conn then return end
  conn = net.createConnection(net.TCP, 0)
  conn:on("connection", function()
    connected = true
    print("collector connected")
    flush()
  end)
  conn:on("disconnection", function()
    print("collector lost")
    connected, conn = false, nil
    if wifi.sta.getip() then retry:alarm(5000, tmr.ALARM_SINGLE, connect) end
  end)
  conn:connect(cfg.collector.port, cfg.collector.host)
end

local function report()
  pending[#pending + 1] = string.format("raingauge.tips %d %d\n", tips, tmr.time())
  if #pending > 10 then table.remove(pending, 1) end
  print("report " .. tips)
  flush()
end
tmr.create():alarm(cfg.period, tmr.ALARM_AUTO, report)

local ev = wifi.eventmon
ev.register(ev.STA_GOT_IP, function(t)
  print("wifi up " .. t.IP)
  connect()
end)
ev.register(ev.STA_DISCONNECTED, function()
  if conn then print("wifi down"); conn:close(); conn, connected = nil, false end
end)
wifi.setmode(wifi.STATION)
wifi.sta.config({ssid = cfg.ssid, pwd = cfg.pwd})

local page = net.createServer(net.TCP, 10)
page:listen(cfg.status_port, function(c)
  c:on("receive", function(s)
    s:send(string.format("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\ntips=%d connected=%s\n",
                         tips, tostring(connected)), function(s2) s2:close() end)
  end)
end)
print("status page on port " .. page:getaddr())
