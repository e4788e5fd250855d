-- profile: 1.5 2.2 3.0
-- plugin_modules.lua — crypto and encoder, whose code the runner loads from
-- its ssl plugin on the first call (src/runner/lazy_modules.c): the tables
-- the script sees before that call have exactly the real modules' names,
-- each a function, and the calls and their argument errors are the real ones.
local T = require "testlib"

local function names(t)
  local list = {}
  for k, v in pairs(t) do list[#list + 1] = k .. ":" .. type(v) end
  table.sort(list)
  return table.concat(list, " ")
end

local before = {crypto = names(crypto), encoder = encoder and names(encoder)}

T.case("the_tables_have_the_real_modules_names_before_the_plugin_loads", function(done)
  T.eq(crypto.toHex and crypto.toHex("\1") or encoder.toHex("\1"), "01", "a first call runs the real function")
  local real = debug.getregistry()["netmcu.plugin_modules"]
  T.check(real and real.crypto or real.encoder, "the real module is kept once opened")
  crypto.sha1("x") -- opens crypto, if the first call opened encoder
  if encoder then encoder.toHex("x") end
  T.eq(before.crypto, names(real.crypto), "crypto's names")
  if encoder then T.eq(before.encoder, names(real.encoder), "encoder's names") end
  T.eq(names(crypto), before.crypto, "the script's table is unchanged by the loading")
  done()
end)

T.case("argument_errors_name_the_function_as_before", function(done)
  T.errors(function() crypto.hash("nope", "x") end, "unknown hash mech", "the firmware's text")
  T.errors(function() crypto.sha1() end, "bad argument #1 to 'sha1'", "a missing argument names sha1")
  if encoder then
    T.errors(function() encoder.fromHex("zz") end, "plugin_modules.lua:33: Invalid hex string", "encoder's, where")
  end
  done()
end)

T.case("hash_objects_of_the_real_module_work", function(done)
  local h = crypto.new_hash("SHA1")
  h:update("a"); h:update("bc")
  T.eq(crypto.toHex and crypto.toHex(h:finalize()) or encoder.toHex(h:finalize()),
       "a9993e364706816aba3e25717850c26c9cd0d89d", "sha1 of abc")
  done()
end)

T.run()
