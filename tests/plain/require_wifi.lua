-- `require "net.wifi"` and `require "net.control"` from a plain Lua
-- interpreter: the same modules as the runner's globals, found in net.so,
-- driven by net.run(). Run by tests/run-tests with a fresh NETMCU_HOME.
local net = require "net"
local wifi = require "net.wifi"
local control = require "net.control"
local ok, fails = 0, 0
local function check(cond, name, why)
  if cond then ok = ok + 1; print("ok " .. ok + fails .. " - " .. name)
  else fails = fails + 1; print("not ok " .. ok + fails .. " - " .. name .. ": " .. (why or "failed")) end
end

check(type(wifi.sta.config) == "function" and wifi.STATION == 1, "require 'net.wifi'")
check(rawget(_G, "wifi") == nil and rawget(_G, "control") == nil, "require makes no globals")
check(control.send("help"):find("wifi", 1, true) ~= nil, "require 'net.control'; wifi registered its noun")

local events = {}
wifi.eventmon.register(wifi.eventmon.STA_CONNECTED, function() events[#events + 1] = "connected" end)
wifi.eventmon.register(wifi.eventmon.STA_GOT_IP, function(t)
  events[#events + 1] = "got_ip " .. t.IP
  wifi.sta.disconnect()
end)
wifi.setmode(wifi.STATION, false)
wifi.sta.config({ssid = "plain", pwd = "password"})
check(net.run() == false, "net.run() runs the station's connection to its end")
check(events[1] == "connected" and (events[2] or ""):find("^got_ip %d+%.%d+%.%d+%.%d+$"),
      "events in order under plain Lua", table.concat(events, ","))
print("1.." .. ok + fails)
os.exit(fails == 0 and 0 or 1)
