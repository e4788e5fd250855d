-- `require "net.tmr"`, "net.node", "net.file" and "net.uart" from a plain
-- Lua interpreter: the runner's modules, found in net.so, no globals made,
-- their events driven by net.run(). The modules of a later firmware
-- ("net.tls" since 2.2, "net.pipe" since 3.0) say which profile they need.
-- Run by tests/run-tests in the default profile with NETMCU_FLASH set to an
-- empty folder.
local net = require "net"
local tmr = require "net.tmr"
local node = require "net.node"
local file = require "net.file"
local uart = require "net.uart"
local passes, fails = 0, 0
local function check(cond, name, why)
  if cond then passes = passes + 1; print("ok " .. passes + fails .. " - " .. name)
  else fails = fails + 1; print("not ok " .. passes + fails .. " - " .. name .. ": " .. tostring(why or "failed")) end
end

check(rawget(_G, "tmr") == nil and rawget(_G, "node") == nil and rawget(_G, "file") == nil
      and rawget(_G, "uart") == nil, "require makes no globals")
check(require "net.tmr" == tmr, "a second require gives the same table")

local fired = 0
local t = tmr.create()
t:register(20, tmr.ALARM_SINGLE, function() fired = fired + 1 end)
t:start()
check(fired == 0, "no timer callback inside start()")
local t0 = tmr.now()
check(net.run() == false, "net.run() runs the timer to its end")
check(fired == 1 and tmr.now() - t0 >= 20000, "require 'net.tmr': the alarm fired once, after 20 ms",
      fired .. " after " .. (tmr.now() - t0) .. " us")

check(type(node.heap()) == "number" and node.heap() > 0, "require 'net.node': node.heap()")
local order = {}
node.task.post(function() order[#order + 1] = "task" end)
order[#order + 1] = "posted"
net.run()
check(table.concat(order, ",") == "posted,task", "node.task.post runs from net.run()", table.concat(order, ","))

local f = file.open("plain.txt", "w")
check(f ~= nil, "require 'net.file': file.open in the flash folder")
f:write("from plain Lua\n")
f:close()
local path = os.getenv("NETMCU_FLASH") .. "/plain.txt"
local h = io.open(path, "rb")
local body = h and h:read("*a")
if h then h:close() end
check(body == "from plain Lua\n", "the file is in $NETMCU_FLASH", body)
check(file.list()["plain.txt"] == 15, "file.list() sees it")
os.remove(path)

check(uart.STOPBITS_1 ~= nil and type(uart.write) == "function", "require 'net.uart'")
check(not pcall(uart.write, 1, "x"), "uart 1 does not exist in the 1.5 profile")

for name, era in pairs({["net.tls"] = "2.2", ["net.pipe"] = "3.0"}) do
  local ok, err = pcall(require, name)
  local want = "module '" .. name .. "' came with firmware " .. era .. ": set NETMCU_COMPAT=" .. era
  check(not ok and tostring(err):find(want, 1, true), "require '" .. name .. "' under 1.5 says what it needs", err)
end
local ok, err = pcall(require, "net.nosuch")
check(not ok, "an unknown module is not found", err)
print("1.." .. passes + fails)
os.exit(fails == 0 and 0 or 1)
