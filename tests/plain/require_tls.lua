-- `require "net.tls"` and `require "net.pipe"` from a plain Lua interpreter
-- in the 3.0 profile (NETMCU_COMPAT=3.0): the 3.0 firmware's modules, found
-- in net.so, their events driven by net.run(). A tls.socket to a port where
-- nothing listens reports reconnection with the firmware's reason text.
local net = require "net"
local tls = require "net.tls"
local pipe = require "net.pipe"
local passes, fails = 0, 0
local function check(cond, name, why)
  if cond then passes = passes + 1; print("ok " .. passes + fails .. " - " .. name)
  else fails = fails + 1; print("not ok " .. passes + fails .. " - " .. name .. ": " .. tostring(why or "failed")) end
end

check(rawget(_G, "tls") == nil and rawget(_G, "pipe") == nil, "require makes no globals")
check(type(tls.createConnection) == "function" and type(tls.cert.verify) == "function",
      "require 'net.tls': the tls module of the 3.0 firmware")

-- A port that was just free: bind it, note it, close it.
local probe = net.createUDPSocket()
probe:listen(0, "127.0.0.1")
local port = probe:getaddr()
probe:close()

local got = {}
local s = tls.createConnection()
s:on("connection", function() got[#got + 1] = "connection" end)
s:on("reconnection", function(sock, reason) got[#got + 1] = "reconnection " .. tostring(reason) end)
s:connect(port, "127.0.0.1")
check(#got == 0, "no event inside connect()")
net.run()
check(table.concat(got, ",") == "reconnection Connection reset",
      "a refused tls connection: reconnection(sock, 'Connection reset') from net.run()", table.concat(got, ","))

local p = pipe.create()
p:write("plain Lua\nrest")
local first, rest = p:read(), p:read()
check(first == "plain Lua" and rest == "rest", "require 'net.pipe': a record, then the rest",
      tostring(first) .. "|" .. tostring(rest))
print("1.." .. passes + fails)
os.exit(fails == 0 and 0 or 1)
