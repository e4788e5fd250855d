-- require_json_time.lua — cjson, sjson, rtctime and sntp from plain Lua
-- through net.so (run by tests/run-tests with the interpreter of the build).
local fails = 0
local function check(cond, name, why)
  if cond then
    print("ok - " .. name)
  else
    print("not ok - " .. name .. ": " .. tostring(why))
    fails = fails + 1
  end
end

local sjson, cjson = require "net.sjson", require "net.cjson"
check(type(sjson.decoder) == "function" and type(cjson.decode) == "function", "require net.sjson and net.cjson")
local d = sjson.decoder()
local text, got = '{"a":[1,2,{"b":null}]}', nil
for i = 1, #text do got = d:write(text:sub(i, i)) or got end
check(got and got.a[3].b == sjson.NULL, "sjson decodes one byte at a time", text)
check(cjson.encode(cjson.decode(text)) == text, "cjson round trip", cjson.encode(cjson.decode(text)))
local rtctime, sntp = require "net.rtctime", require "net.sntp"
check(rtctime.get() == 0, "rtctime reads 0 until set")
rtctime.set(1700000000)
check(rtctime.get() >= 1700000000, "rtctime.set then get")
check(type(sntp.sync) == "function" and sntp.getoffset() == 0, "require net.sntp")
os.exit(fails == 0 and 0 or 1)
