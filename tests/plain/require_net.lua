-- `require "net"` from a plain Lua interpreter: the same module, and net.run()
-- runs the loop. Run by tests/run-tests with the build folder on package.cpath.
local net = require "net"
local ok, fails = 0, 0
local function check(cond, name, why)
  if cond then ok = ok + 1; print("ok " .. ok + fails .. " - " .. name)
  else fails = fails + 1; print("not ok " .. ok + fails .. " - " .. name .. ": " .. (why or "failed")) end
end

check(net.TCP == 16 and net.UDP == 32, "constants")
check(rawget(_G, "net") == nil, "require does not make a global")

local got
local srv = net.createServer(net.TCP, 30)
srv:listen(0, "127.0.0.1", function(c)
  c:on("receive", function(s, d) s:send("echo " .. d, function(x) x:close() end) end)
end)
local port = srv:getaddr()
local sk = net.createConnection(net.TCP, 0)
sk:on("connection", function(s) s:send("hi") end)
sk:on("receive", function(s, d) got = d end)
sk:on("disconnection", function() srv:close() end)
sk:connect(port, "127.0.0.1")
local alive = net.run()
check(got == "echo hi", "net.run() runs the loop until idle", tostring(got))
check(alive == false, "net.run() returns false when nothing is left")

-- An error in a callback makes net.run() raise it, with a traceback.
local s2 = net.createConnection(net.TCP, 0)
s2:dns("127.0.0.1", function() error("boom in callback") end)
local rok, err = pcall(net.run)
check(not rok and tostring(err):find("boom in callback", 1, true) and tostring(err):find("traceback", 1, true),
      "a callback error is raised by net.run()", tostring(err))
check(net.run() == false, "the loop runs again after an error")
local nested
local s3 = net.createConnection(net.TCP, 0)
s3:dns("127.0.0.1", function() nested = {pcall(net.run)} end)
net.run()
check(nested and nested[1] == false and tostring(nested[2]):find("already running", 1, true),
      "net.run() inside a callback raises", nested and tostring(nested[2]))
print("1.." .. ok + fails)
os.exit(fails == 0 and 0 or 1)
