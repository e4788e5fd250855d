-- json.lua — JSON benchmark: decode and encode of bench/peers/doc10k.json
-- (10 KB), time per operation in microseconds, measured inside the process
-- after a warm-up. Under netmcu --compat=3.0 it measures sjson; under a
-- plain interpreter of the same Lua, Debian's lua-cjson.
--
--   netmcu --compat=3.0 json.lua N    or    lua5.3 json.lua N
local json = rawget(_G, "sjson") or require("cjson")
local f = assert(io.open("bench/peers/doc10k.json", "rb"))
local text = f:read("*a")
f:close()
local n = tonumber(arg and arg[1]) or 1000
local value = json.decode(text)
for _ = 1, math.max(1, math.floor(n / 10)) do
  json.encode(json.decode(text))
end
local t0 = os.clock()
for _ = 1, n do json.decode(text) end
local t1 = os.clock()
for _ = 1, n do json.encode(value) end
local t2 = os.clock()
print(string.format("%.3f %.3f", (t1 - t0) / n * 1e6, (t2 - t1) / n * 1e6))
