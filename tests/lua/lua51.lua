-- The device's Lua under the default runner: the firmware runs scripts on
-- Lua 5.1 (5.1.4 with the eLua patch, float build), so the 5.1 functions and
-- the 5.1 lexer that published scripts rely on work as they do on the board.
local T = require "testlib"

local on_51 = _VERSION == "Lua 5.1" and not jit
local skip = not on_51 and {skip = "this build runs " .. _VERSION .. (jit and " (LuaJIT)" or "")} or nil

T.case("the_default_runner_is_lua_5_1", function(done)
  T.eq(_VERSION, "Lua 5.1")
  done()
end, skip)

T.case("lua_5_1_functions", function(done)
  T.eq(table.getn({1, 2, 3}), 3, "table.getn")
  T.eq(unpack({4, 5}), 4, "unpack")
  T.eq(select(2, unpack({4, 5})), 5)
  T.eq(loadstring("return 6")(), 6, "loadstring")
  T.eq(math.mod(7, 3), 1, "math.mod")
  local words = {}
  for w in string.gfind("one two", "%a+") do words[#words + 1] = w end
  T.eq(table.concat(words, ","), "one,two", "string.gfind")
  local env = {answer = 42}
  local f = setfenv(function() return answer end, env)
  T.eq(f(), 42, "setfenv")
  T.eq(getfenv(f), env, "getfenv")
  T.eq(math.pow(2, 10), 1024, "math.pow")
  T.eq(type(math.ldexp), "function")
  T.eq(type(table.maxn), "function")
  done()
end, skip)

T.case("the_5_1_lexer_takes_backslash_question_mark", function(done)
  -- "\?" is an unknown escape the 5.1 lexer keeps as "?"; 5.2 on refuse to load it.
  local chunk, err = loadstring('return "why\\?"')
  T.check(chunk ~= nil, tostring(err))
  T.eq(chunk and chunk(), "why?")
  done()
end, skip)

T.case("numbers_print_as_on_the_float_build", function(done)
  T.eq(tostring(10 / 2), "5", "a whole number prints without a point")
  T.eq(tostring(7 / 2), "3.5")
  T.eq(tostring(2 ^ 53), "9.007199254741e+15", "%.14g, as LUA_NUMBER_FMT")
  T.eq(string.format("%d", 3.7), "3", "%d truncates a float")
  T.eq(string.format("%d", -3.7), "-3")
  T.eq(math.floor(-0.5), -1)
  done()
end, skip)

T.case("collectgarbage_and_node_egc", function(done)
  T.eq(type(collectgarbage("count")), "number")
  T.eq(collectgarbage("collect"), 0)
  T.eq(type(node.egc.setmode), "function")
  node.egc.setmode(node.egc.ALWAYS)
  node.egc.setmode(node.egc.ON_ALLOC_FAILURE)
  done()
end, skip)

T.case("collectgarbage_has_the_firmware_memlimit_options", function(done)
  -- Every runner: the firmware's Lua (5.1 and 5.3 builds) has both.
  T.eq(collectgarbage("getmemlimit"), 0, "no limit after power-on")
  local kb = collectgarbage("count")
  local set = collectgarbage("setmemlimit", 1)
  T.check(set >= math.floor(kb * 0.5) and set <= math.ceil(kb) + 1,
    "a limit below the use is raised to the use after a collection: " .. set .. " for " .. kb)
  T.eq(collectgarbage("getmemlimit"), set)
  T.eq(collectgarbage("setmemlimit", 100000), 100000)
  T.eq(collectgarbage("setmemlimit", 0), 0, "0 removes the limit")
  T.errors(function() collectgarbage("bogus") end, "bad argument #1 to 'collectgarbage' (invalid option 'bogus')")
  T.eq(type(collectgarbage("count")), "number", "the other options are the host Lua's")
  done()
end)

T.case("the_5_1_names_the_lua_5_3_firmware_keeps", function(done)
  -- Every runner: the LUA=53 firmware keeps package.loaders (its own LFS
  -- _init.lua adds a loader there), unpack and loadstring.
  T.eq(type(package.loaders), "table", "package.loaders")
  if package.searchers then T.eq(package.loaders, package.searchers, "the searchers' table") end
  T.eq(select(2, unpack({4, 5})), 5, "unpack")
  T.eq(loadstring("return 6")(), 6, "loadstring")
  done()
end)

T.case("the_lua_5_3_runner_is_there", function(done)
  local out = T.sh(string.format("%s --lua=5.3 -e 'print(_VERSION, 7 // 2)' 2>&1", os.getenv("NETMCU")))
  T.eq(out, "Lua 5.3\t3\n", "netmcu --lua=5.3 runs the 5.3 build")
  out = T.sh(string.format("%s --lua=5.3 -v 2>&1", os.getenv("NETMCU")))
  T.match(out, "^netmcu %S+ %(Lua 5%.3%.%d+,")
  out = T.sh(string.format("%s --lua=5.2 -v 2>&1; echo status $?", os.getenv("NETMCU")))
  T.eq(out, "netmcu: --lua=5.2: not a Lua (5.1, 5.3, 5.4 or luajit)\nstatus 2\n")
  done()
end, (not on_51 or not os.getenv("NETMCU"):find("/build/netmcu$")) and
  {skip = "only the default build has the 5.3 runner beside it"} or nil)

T.run()
