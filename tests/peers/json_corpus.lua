-- json_corpus.lua — the same JSON inputs through whichever JSON module runs
-- it, one line per case: "KIND NAME RESULT". json_reference.sh runs it
-- under plain lua5.1 with Debian's lua-cjson (the reference), under netmcu's
-- 1.5 profile (cjson) and under its 3.0 profile (sjson), and compares.
-- Values are written in one canonical form (sorted keys, numbers as %.17g,
-- strings hex-escaped, JSON null as "null") so that the Lua versions agree.
local json = cjson or sjson or require("cjson")
local is_sjson = json == sjson
local mode = is_sjson and "sjson" or "cjson"

local function escape(s)
  return (s:gsub("[^%w _.-]", function(c) return string.format("%%%02x", c:byte()) end))
end

local function dump(v)
  local t = type(v)
  if t == "table" then
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = k end
    table.sort(keys, function(a, b)
      if type(a) == type(b) then return a < b end
      return type(a) < type(b)
    end)
    local parts = {}
    for _, k in ipairs(keys) do parts[#parts + 1] = dump(k) .. "=" .. dump(v[k]) end
    return "{" .. table.concat(parts, ",") .. "}"
  elseif t == "number" then
    return string.format("%.17g", v)
  elseif t == "string" then
    return '"' .. escape(v) .. '"'
  elseif t == "userdata" then
    return "null"
  end
  return tostring(v)
end

local function line(kind, name, text)
  print(kind .. " " .. name .. " " .. text)
end

local all_bytes = {}
for i = 0x20, 0xff do
  if i ~= 0x22 and i ~= 0x5c then all_bytes[#all_bytes + 1] = string.char(i) end
end
all_bytes = table.concat(all_bytes)

local function nest(n, inner)
  return string.rep("[", n) .. inner .. string.rep("]", n)
end

-- Valid documents: both must give the same value.
local valid = {
  {"empty_object", "{}"}, {"empty_array", "[]"},
  {"numbers", "[0, -0, 1, -1, 1.5, -1.5e-3, 1E3, 2e+2, 0.1, 123456789, 4294967296, 1e300, 5e-324]"},
  {"literals", "[true, false, null]"},
  {"object", '{"a": 1, "b": [true, false, null], "c": {"d": "e"}}'},
  {"escapes", '["\\n\\t\\r\\b\\f\\"\\\\\\/", "\\u0041\\u00e9\\u20ac", "\\ud83d\\ude00", "\\u0000x"]'},
  {"raw_utf8_and_high_bytes", '["' .. all_bytes .. '"]'},
  {"whitespace", ' \t\r\n[ 1 ,\n 2 ] \n'},
  {"duplicate_keys_last_wins", '{"k": 1, "k": 2}'},
  {"numeric_looking_keys", '{"1": "one", "2": "two"}'},
  {"nested_objects", '{"a":{"b":{"c":[1,{"d":null}]}}}'},
  {"null_in_arrays", "[null, 1, null]"},
  {"long_string", '["' .. string.rep("abcdefghij", 2000) .. '"]'},
  {"many_elements", "[" .. string.rep("1,", 5000) .. "1]"},
  {"nest_19", nest(19, "1")},
}
-- Scalars at the top: cjson takes them, sjson wants an object or array.
local top_scalars = {
  {"top_number", "42"}, {"top_string", '"s"'}, {"top_true", "true"}, {"top_null", "null"},
  {"top_float", " -2.5e1 "},
}
-- Text both refuse.
local invalid = {
  {"empty", ""}, {"open_array", "["}, {"trailing_comma_array", "[1,]"}, {"trailing_comma_object", '{"a":1,}'},
  {"key_without_value", '{"a"}'}, {"colon_without_value", '{"a":}'}, {"number_key", "{1:2}"},
  {"bare_word", "nul"}, {"short_true", "tru"}, {"missing_comma", "[1 2]"}, {"unterminated_string", '"abc'},
  {"bad_escape", '["\\x"]'}, {"short_unicode_escape", '["\\u12"]'},
  {"bare_fraction", "[.5]"}, {"single_quotes", "['a']"},
  {"unclosed_object", '{"a":1'}, {"mismatched_brackets", "[1}"},
}
-- Text after the document: cjson refuses it, sjson stops reading at the end
-- of the document as the firmware's does (checked here, not against lua-cjson).
local trailing = {{"trailing_text", "[1] x"}, {"comment", "[1] // c"}, {"second_document", "[1][2]"}}

-- Text lua-cjson (and the 1.5 firmware's copy of it) reads with strtod's
-- leniency or takes raw control characters in; netmcu reads strict JSON
-- (README, compatibility table): the reference must take it, netmcu refuse it.
local lenient = {
  {"leading_zero", "[01]"}, {"plus_sign", "[+1]"}, {"trailing_dot", "[1.]"}, {"nan", "[NaN]"},
  {"infinity", "[-Infinity]"}, {"hex", "[0x10]"}, {"raw_tab_in_string", '["a\tb"]'},
}

local function decode_line(name, text, kind)
  local ok, v = pcall(json.decode, text)
  line(kind or "decode", name, ok and dump(v) or "error")
end

for _, c in ipairs(valid) do decode_line(c[1], c[2]) end
if not is_sjson then
  for _, c in ipairs(top_scalars) do decode_line(c[1], c[2]) end
end
for _, c in ipairs(invalid) do decode_line(c[1], c[2]) end
-- cjson says where: the same character as lua-cjson, except inside a broken literal or
-- \u escape, where yajl points past the token (README, compatibility table).
if not is_sjson then
  local past_token = {bare_word = true, short_true = true, short_unicode_escape = true}
  for _, c in ipairs(invalid) do
    if not past_token[c[1]] then
      local _, err = pcall(json.decode, c[2])
      line("position", c[1], tostring(tostring(err):match("at character (%d+)$")))
    end
  end
end
for _, c in ipairs(lenient) do decode_line(c[1], c[2], "lenient") end
for _, c in ipairs(trailing) do
  if is_sjson then
    local ok, v = pcall(sjson.decode, c[2])
    line("self", "sjson_ignores_" .. c[1], (ok and v[1] == 1 and v[2] == nil) and "ok" or "not")
  else
    decode_line(c[1], c[2])
  end
end

-- The nesting limit: lua-cjson and the 1.5 firmware decode 1000 levels, not 1001.
if not is_sjson then
  decode_line("nest_1000", nest(1000, "1"))
  decode_line("nest_1001", nest(1001, "1"))
end

-- sjson's decoder fed one byte at a time gives the same value as decode.
if is_sjson then
  for _, c in ipairs(valid) do
    local d = sjson.decoder({depth = 30, null = sjson.NULL}) -- a table without null drops nulls
    local got
    for i = 1, #c[2] do
      got = d:write(c[2]:sub(i, i)) or got
    end
    line("decode", c[1], got and dump(got) or "incomplete")
  end
end

-- Values to encode: compared as the value decoded back (the text may differ
-- in escapes and key order, never in meaning).
local values = {
  {"array", {1, 2, 3}}, {"object", {a = 1, b = "two", c = true}},
  {"nested", {list = {1, {x = {y = {false}}}}, s = "q\"uo\\te/slash"}},
  {"holes_within_ratio", {1, nil, 3}}, {"strings", {"\n\t\r\b\f", all_bytes, "\0nul"}},
  {"numbers", {0, -1, 1.5, 0.1, 1e-7, 2 ^ 40, -123.456}},
  {"nulls", {json.null or json.NULL, 1}},
}
for _, c in ipairs(values) do
  local ok, text = pcall(json.encode, c[2])
  if ok then
    local ok2, back = pcall(json.decode, text)
    line("roundtrip", c[1], ok2 and dump(back) or "error decoding " .. text)
  else
    line("roundtrip", c[1], "error")
  end
end

-- The texts a script sees for values cjson cannot write (lua-cjson's; the
-- 1.5 firmware's own differs only for NaN, see below).
if not is_sjson then
  local refused = {
    {"sparse_array", {[1] = 1, [20] = 2}}, {"function_value", {f = print}},
    {"boolean_key", {[true] = 1}}, {"too_deep", (function()
      local t = {}
      for _ = 1, 1001 do t = {t} end
      return t
    end)()},
  }
  for _, c in ipairs(refused) do
    local ok, err = pcall(json.encode, c[2])
    line("refuse", c[1], ok and "no error" or escape(tostring(err)))
  end
end
