-- cjson_api.lua — the 1.5 firmware's cjson (lua-cjson's rules, the
-- firmware's fixed configuration). The comparison with lua-cjson itself on a
-- corpus is tests/peers/json_reference.sh.
local T = require "testlib"

T.case("cjson_is_a_1_5_module", function(done)
  T.eq(type(cjson), "table", "cjson global")
  T.eq(sjson, nil, "no sjson before 2.2")
  T.eq(require("cjson"), cjson, "require gives the global")
  T.eq(type(cjson.null), "userdata", "cjson.null")
  done()
end)

T.case("cjson_arguments_as_the_firmware", function(done)
  T.errors(function() cjson.encode() end, "bad argument #1 to 'encode' (expected 1 argument)")
  T.errors(function() cjson.encode({}, {}) end, "bad argument #1 to 'encode' (expected 1 argument)")
  T.errors(function() cjson.decode() end, "bad argument #1 to 'decode' (expected 1 argument)")
  T.errors(function() cjson.decode({}) end, "bad argument #1 to 'decode' (string expected, got table)")
  T.eq(cjson.decode(12), 12, "a number is read as its text")
  done()
end)

T.case("cjson_values_both_ways", function(done)
  local t = cjson.decode('{"a":[1,2.5,"x",null,true,false],"b":{},"c":[]}')
  T.eq(t.a[1], 1) T.eq(t.a[2], 2.5) T.eq(t.a[3], "x")
  T.eq(t.a[4], cjson.null, "null is cjson.null") T.eq(t.a[5], true) T.eq(t.a[6], false)
  T.eq(next(t.b), nil, "empty object") T.eq(next(t.c), nil, "empty array")
  T.eq(cjson.encode({}), "{}", "an empty table is an object")
  T.eq(cjson.encode({1, "a", true}), '[1,"a",true]')
  T.eq(cjson.encode({a = cjson.null}), '{"a":null}')
  T.eq(cjson.encode("a/b\n\"\\"), '"a\\/b\\n\\"\\\\"', "escapes, '/' included")
  T.eq(cjson.encode(0.1), "0.1") T.eq(cjson.encode(1 / 3), "0.33333333333333", "%.14g")
  T.eq(cjson.encode({[1] = 1, [2] = 2, [4] = 4}), "[1,2,null,4]", "a hole within the sparse ratio")
  T.eq(cjson.encode({[1.5] = 1}), '{"1.5":1}', "a fractional key makes an object")
  T.eq(cjson.decode('"\\u20ac"'), "\226\130\172", "\\u escapes become UTF-8")
  T.eq(cjson.decode('"\\ud83d\\ude00"'), "\240\159\152\128", "surrogate pairs")
  T.eq(cjson.decode("  true  "), true, "a scalar at the top")
  done()
end)

-- Whole numbers are written without printf (json/encode.c): each must read
-- as %.14g writes it, at the bounds of that path too.
T.case("cjson_whole_numbers_as_14g_writes_them", function(done)
  local values = {0, -1 / math.huge, 1, -1, 99999999999999, -99999999999999, 1e14, -1e14,
                  2 ^ 31, -2 ^ 31, 1e15, 2 ^ 53, 1e14 - 0.5}
  local want = {}
  for i, v in ipairs(values) do want[i] = string.format("%.14g", v) end
  T.eq(cjson.encode(values), "[" .. table.concat(want, ",") .. "]")
  done()
end)

T.case("cjson_refuses_what_lua_cjson_refuses", function(done)
  T.errors(function() cjson.encode({[1] = 1, [20] = 2}) end, "Cannot serialise table: excessively sparse array")
  T.errors(function() cjson.encode({f = print}) end, "Cannot serialise function: type not supported")
  T.errors(function() cjson.encode(0 / 0) end, "Cannot serialise number: must not be NaN or Infinity")
  T.errors(function() cjson.encode({x = 1 / 0}) end, "Cannot serialise number: must not be NaN or Infinity")
  T.errors(function() cjson.encode({[true] = 1}) end, "Cannot serialise boolean: table key must be a number or string")
  T.errors(function() cjson.encode(coroutine.create(function() end)) end, "Cannot serialise thread: type not supported")
  local deep = 1
  for _ = 1, 1000 do deep = {deep} end
  T.check(pcall(cjson.encode, deep), "1000 levels are written")
  T.errors(function() cjson.encode({deep}) end, "Cannot serialise, excessive nesting (1001)")
  local self = {}
  self[1] = self
  T.errors(function() cjson.encode(self) end, "excessive nesting", "a table that holds itself")
  T.errors(function() cjson.decode(string.rep("[", 1001) .. string.rep("]", 1001)) end,
    "Found too many nested data structures (1001)")
  T.eq(#cjson.decode(string.rep("[", 1000) .. string.rep("]", 1000)), 1, "1000 levels are read")
  T.errors(function() cjson.decode("[\0001\000]") end, "JSON parser does not support UTF-16 or UTF-32")
  T.errors(function() cjson.decode("[1,2") end, "at character")
  T.errors(function() cjson.decode("") end, "at character")
  done()
end)

T.case("cjson_large_document_round_trip", function(done)
  local big = {}
  for i = 1, 20000 do big[i] = {id = i, name = "item " .. i, tags = {"a", "b"}, ratio = i / 7} end
  local text = cjson.encode(big)
  T.check(#text > 1000000, "over 1 MB of text")
  local back = cjson.decode(text)
  T.eq(#back, 20000, "elements")
  T.eq(back[12345].name, "item 12345") T.eq(back[20000].tags[2], "b")
  T.check(math.abs(back[7].ratio - 1) < 1e-12, "numbers at %.14g")
  done()
end)

T.case("cjson_bad_input_never_crashes", function(done)
  math.randomseed(19)
  local good = '{"a":[1,2,{"b":"c\\u00e9"}],"d":-1.5e3,"e":[true,false,null]}'
  for n = 0, #good - 1 do -- every truncation
    T.eq(pcall(cjson.decode, good:sub(1, n)), false, "truncated at " .. n)
  end
  local alphabet = '{}[]:,"\\ntrufalse0123456789.-eE \0\255u'
  for _ = 1, 3000 do
    local len, t = math.random(0, 40), {}
    for i = 1, len do
      local k = math.random(1, #alphabet)
      t[i] = alphabet:sub(k, k)
    end
    pcall(cjson.decode, table.concat(t))
  end
  T.eq(cjson.decode(good).d, -1500, "still works")
  done()
end)

T.run()
