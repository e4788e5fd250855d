-- profile: 2.2 3.0
-- sjson_compat30.lua — the sjson module (2.2 and 3.0 firmware): whole texts,
-- the streaming decoder and encoder, options, errors, hostile input.
local T = require "testlib"

local doc = '{"name":"dev\\u00e9","list":[1,2.5,-3e2,"s",true,false,null,{"k":[]}],"obj":{"a":{"b":{}}}}'

local function deep_equal(a, b)
  if type(a) ~= "table" or type(b) ~= "table" then return a == b end
  for k, v in pairs(a) do if not deep_equal(v, b[k]) then return false end end
  for k in pairs(b) do if a[k] == nil then return false end end
  return true
end

T.case("sjson_is_the_later_module", function(done)
  T.eq(type(sjson), "table", "sjson global")
  T.eq(cjson, nil, "cjson left the firmware with 2.2")
  T.eq(type(sjson.NULL), "userdata", "sjson.NULL")
  T.eq(require("sjson"), sjson, "require gives the global")
  done()
end)

T.case("sjson_arguments_as_the_firmware", function(done)
  T.errors(function() sjson.encode("x") end, "bad argument #1 to 'encode' (table expected, got string)")
  T.errors(function() sjson.encoder(nil) end, "bad argument #1 to 'encoder' (table expected, got nil)")
  T.errors(function() sjson.decode() end, "bad argument #1 to 'decode' (string expected, got no value)")
  local d = sjson.decoder()
  T.errors(function() d.write(nil, "[]") end, "bad argument #1 to 'write' (sjson.decoder expected, got nil)")
  T.errors(function() d:write({}) end, "to 'write' (string expected, got table)")
  T.errors(function() d.result(sjson.encoder({})) end, "sjson.decoder expected")
  done()
end)

T.case("sjson_decode_values", function(done)
  local t = sjson.decode(doc)
  T.eq(t.name, "dev\195\169") T.eq(t.list[1], 1) T.eq(t.list[2], 2.5) T.eq(t.list[3], -300)
  T.eq(t.list[7], sjson.NULL, "null is sjson.NULL") T.eq(#t.list, 8)
  T.eq(type(t.obj.a.b), "table")
  T.errors(function() sjson.decode("[1,2") end, "Incomplete JSON object passed to sjson.decode")
  T.errors(function() sjson.decode("[1,]") end, "JSON parse error: ")
  T.errors(function() sjson.decode('"top"') end, "Incomplete JSON object passed to sjson.decode", "a scalar at the top")
  local d = sjson.decoder()
  T.eq(d:write("true"), nil, "a scalar never completes a decoder")
  T.errors(function() d:result() end, "decode not complete")
  T.eq(sjson.decode("[1] trailing")[1], 1, "text after the document is not read")
  done()
end)

T.case("sjson_encode_values", function(done)
  T.eq(sjson.encode({}), "[]", "an empty table is an array")
  T.eq(sjson.encode({[3] = "c"}), '[null,null,"c"]', "holes are null, no sparse limit")
  T.eq(sjson.encode({a = {}}), '{"a":[]}')
  T.eq(sjson.encode({"a/b", "q\"\\"}), '["a/b","q\\"\\\\"]', "'/' is not escaped")
  T.eq(sjson.encode({0 / 0, 1 / 0, -1 / 0}), "[null,null,null]", "NaN and infinities are null")
  if os.getenv("NETMCU_COMPAT") == "2.2" then
    T.eq(sjson.encode({0.1, 1 / 3, 2 ^ 53, -0.5, 1e300}), "[0.1,0.33333333333333,9.007199254741e+15,-0.5,1e+300]",
      "2.2 writes Lua's %.14g")
  else
    T.eq(sjson.encode({0.1, 1 / 3, 2 ^ 53, -0.5, 1e300}),
      "[0.1000000000000000056,0.3333333333333333148,9007199254740992,-0.5,1.000000000000000053e+300]",
      "3.0 writes %.19g, every digit of the double")
  end
  T.eq(sjson.encode({[1.5] = 1}), '{"1.5":1}', "a fractional key makes an object")
  T.eq(sjson.encode({sjson.NULL, io.stdout}), "[null,null]", "userdata are null")
  T.eq(sjson.encode({f = function() return function() return {1} end end}), '{"f":[1]}', "functions are called")
  T.errors(function() sjson.encode({coroutine.create(function() end)}) end, "Cannot encode type 8")
  T.errors(function() sjson.encode({[true] = 1}) end, "Cannot encode type 1")
  done()
end)

-- Whole numbers are written without printf (json/encode.c): every one, near
-- the bounds of that path too, must read as the firmware's format writes it.
T.case("sjson_whole_numbers_as_the_format_writes_them", function(done)
  local fmt = os.getenv("NETMCU_COMPAT") == "2.2" and "%.14g" or "%.19g"
  local values = {0, -1 / math.huge, 1, -1, 7, 10, 99999999999999, -99999999999999, 1e14, -1e14,
                  123456789012, 2 ^ 31, -2 ^ 31, 2 ^ 32 + 1, 1e15, 2 ^ 53, 3.0, 1e14 - 0.5, 0.5}
  local want = {}
  for i, v in ipairs(values) do want[i] = string.format(fmt, v) end
  T.eq(sjson.encode(values), "[" .. table.concat(want, ",") .. "]")
  T.eq(sjson.encode({-1 / math.huge}), "[-0]", "minus zero keeps its sign")
  done()
end)

T.case("sjson_depth_default_and_option", function(done)
  local function nested(n)
    local t = {1}
    for _ = 2, n do t = {t} end
    return t
  end
  T.check(pcall(sjson.encode, nested(20)), "20 levels by default")
  T.errors(function() sjson.encode(nested(21)) end, "encoder stack overflow")
  T.check(pcall(sjson.encode, nested(300), {depth = 300}), "depth option honoured")
  T.errors(function() sjson.encode(nested(5), {depth = 1}) end, "encoder stack overflow", "depth below 4 is 4")
  local self = {}
  self[1] = self
  T.errors(function() sjson.encode(self) end, "encoder stack overflow", "a table that holds itself")
  local text20 = string.rep("[", 20) .. string.rep("]", 20)
  T.check(pcall(sjson.decode, text20), "20 levels read")
  T.errors(function() sjson.decode("[" .. text20 .. "]") end, "JSON parse error: too deeply nested")
  T.check(pcall(sjson.decode, string.rep("[", 999) .. string.rep("]", 999), {depth = 5000}), "depth 1000 at most")
  T.errors(function() sjson.decode(string.rep("[", 1001) .. string.rep("]", 1001), {depth = 5000}) end,
    "too deeply nested")
  done()
end)

T.case("sjson_decoder_one_byte_at_a_time", function(done)
  local big = {}
  for i = 1, 500 do big[i] = {i, "s" .. i, {x = i / 4}} end
  local text = sjson.encode({doc = sjson.decode(doc), big = big})
  local d = sjson.decoder({null = sjson.NULL})
  local got
  for i = 1, #text do
    local r = d:write(text:sub(i, i))
    if r then
      T.eq(i, #text, "complete at the last byte")
      got = r
    end
    if i == 1 then T.errors(function() d:result() end, "decode not complete") end
  end
  T.check(deep_equal(got, sjson.decode(text)), "same value as decode")
  T.eq(d:result(), got, "result() gives the same table")
  T.eq(d:result(), got, "and again")
  T.eq(d:write("[9]"), got, "writing after the end gives the result, reading nothing")
  done()
end)

T.case("sjson_decoder_chunks_of_every_size", function(done)
  local want = sjson.decode(doc)
  for size = 1, #doc do
    local d, got = sjson.decoder()
    for i = 1, #doc, size do got = d:write(doc:sub(i, i + size - 1)) or got end
    if not T.check(deep_equal(got, want), "chunks of " .. size) then break end
  end
  done()
end)

T.case("sjson_decoder_after_an_error", function(done)
  local d = sjson.decoder()
  d:write('{"a":')
  T.errors(function() d:write("}") end, "JSON parse error: ")
  T.errors(function() d:write("1}") end, "JSON parse error: previous call")
  T.errors(function() d:result() end, "decode not complete")
  done()
end)

T.case("sjson_metatable_and_checkpath_as_documented", function(done)
  local sets, paths = {}, {}
  local mt = {
    __newindex = function(t, k, v) sets[#sets + 1] = tostring(k) .. "=" .. type(v); rawset(t, k, v) end,
    checkpath = function(t, path)
      local copy = {}
      for i, k in ipairs(path) do copy[i] = k end
      paths[#paths + 1] = table.concat(copy, "/")
      return true
    end,
  }
  local r = sjson.decode('{ "foo": [1, 2, []] }', {metatable = mt})
  T.eq(table.concat(paths, "|"), "|foo|foo/3", "checkpath({}, {}), ({}, {foo}), ({}, {foo, 3})")
  T.eq(table.concat(sets, ","), "foo=table,1=number,2=number,3=table", "parents before their children")
  T.eq(getmetatable(r.foo), mt, "every new table has the metatable")
  mt.checkpath = function(t, path) return path[1] ~= "skip" end
  r = sjson.decode('{"keep":[1],"skip":{"x":[1,2]},"also":2}', {metatable = mt})
  T.eq(r.skip, nil, "a table checkpath refuses is left out")
  T.eq(r.keep[1], 1) T.eq(r.also, 2)
  local ok, err = pcall(sjson.decode, "[1,2]", {metatable = {__newindex = function() error("no thanks") end}})
  T.check(not ok and tostring(err):find("no thanks", 1, true), "an error in __newindex reaches the caller")
  done()
end)

T.case("sjson_null_option_both_ways", function(done)
  T.eq(sjson.decode("[null]", {null = "\0"})[1], "\0", "decoded as the string")
  T.eq(sjson.encode({"\0", "x"}, {null = "\0"}), '[null,"x"]', "the string encodes as null")
  local r = sjson.decode('{"a":null,"b":1}', {})
  T.eq(r.a, nil, "an options table without null: JSON null is nil")
  T.eq(r.b, 1)
  done()
end)

T.case("sjson_encoder_read_in_pieces", function(done)
  local value = sjson.decode(doc)
  local whole = sjson.encode(value)
  for _, n in ipairs({1, 2, 7, 64, 100000}) do
    local e, parts = sjson.encoder(value), {}
    while true do
      local piece = e:read(n)
      if not piece then break end
      if #piece > n then T.fail("piece of " .. #piece .. " > " .. n) break end
      parts[#parts + 1] = piece
    end
    T.eq(table.concat(parts), whole, "pieces of " .. n)
    T.eq(e:read(n), nil, "nil again at the end")
  end
  local e = sjson.encoder({1})
  T.eq(e:read(0), "[", "read(0) gives one byte")
  T.eq(e:read(), "1]", "read() up to 1024")
  done()
end)

T.case("sjson_encoder_calls_functions_when_reached", function(done)
  local calls = 0
  local value = {string.rep("x", 100), function() calls = calls + 1; return "late" end}
  local e = sjson.encoder(value)
  e:read(10)
  T.eq(calls, 0, "not yet reached")
  local rest = e:read(1000)
  T.eq(calls, 1, "called once when reached")
  T.match(rest, '"late"%]$')
  local bad = sjson.encoder({function() error("inside") end})
  T.errors(function() bad:read() end, "inside")
  T.errors(function() bad:read() end, "encoder failed in a previous call")
  done()
end)

T.case("sjson_objects_used_from_their_own_callbacks", function(done)
  local e
  e = sjson.encoder({function() return e:read() end})
  T.errors(function() e:read() end, "encoder failed in a previous call", "read from inside its own read")
  local d
  d = sjson.decoder({metatable = {__newindex = function(t, k, v) d:write("]") end}})
  T.errors(function() d:write("[1,2") end, "JSON parse error: previous call", "write from inside its own write")
  local co = coroutine.wrap(function(text) -- the same decoder fed from a coroutine and the main code
    local d2 = sjson.decoder()
    d2:write(text)
    coroutine.yield(d2)
  end)
  local d2 = co('{"a":[1,')
  T.eq(d2:write('2]}').a[2], 2, "fed across threads")
  done()
end)

T.case("sjson_dropped_objects_mid_way_are_collected", function(done)
  for _ = 1, 200 do
    local d = sjson.decoder()
    d:write('{"a":[1,2,{"b":"' .. string.rep("y", 100))
    local e = sjson.encoder({string.rep("z", 5000), {1, 2, {3}}})
    e:read(10)
  end
  collectgarbage()
  collectgarbage()
  T.eq(sjson.decode("[1]")[1], 1, "still works")
  done()
end)

T.case("sjson_bad_input_never_crashes", function(done)
  math.randomseed(22)
  for n = 0, #doc - 1 do
    local ok, err = pcall(sjson.decode, doc:sub(1, n))
    if not T.check(not ok and err:find("Incomplete JSON object", 1, true), "truncated at " .. n) then break end
  end
  local alphabet = '{}[]:,"\\ntrufalse0123456789.-eE \0\255u'
  for _ = 1, 2000 do
    local len, t = math.random(0, 40), {}
    for i = 1, len do
      local k = math.random(1, #alphabet)
      t[i] = alphabet:sub(k, k)
    end
    local text = table.concat(t)
    pcall(sjson.decode, text)
    local d = sjson.decoder()
    pcall(function() for i = 1, #text do d:write(text:sub(i, i)) end end)
  end
  T.eq(sjson.decode(doc).name, "dev\195\169", "still works")
  done()
end)

T.run()
