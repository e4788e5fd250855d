-- lib_node_chip.lua — node's chip functions in every profile (node_chip.lua,
-- node_chip_compat30.lua): bootreason, the CPU clock, dsleep's checks,
-- random, osprint, stripdebug. dsleep itself ends a run: tests/peers/boot_reason.sh.
local T = require "testlib"
local M = {}

-- era: "1.5", "2.2" or "3.0".
function M.run(era)
  local era30, since22 = era == "3.0", era ~= "1.5"
  T.case("a_script_run_is_a_cold_start", function(done)
    local raw, reason, extra = node.bootreason()
    T.eq(raw, 1, "raw code")
    T.eq(reason, 0, "power-on")
    T.eq(extra, nil, "no exception registers")
    done()
  end)

  T.case("cpu_clock_80_or_160", function(done)
    T.eq(node.CPU80MHZ, 80)
    T.eq(node.CPU160MHZ, 160)
    T.eq(node.setcpufreq(node.CPU160MHZ), 160)
    T.eq(node.setcpufreq(100), 80, "anything but 160 is 80")
    T.errors(function() node.setcpufreq() end, "bad argument #1")
    T.errors(function() node.setcpufreq("fast") end, "bad argument #1")
    if since22 then
      node.setcpufreq(160)
      T.eq(node.getcpufreq(), 160)
    else
      T.eq(node.getcpufreq, nil, "getcpufreq came in 2.x")
    end
    node.setcpufreq(80)
    done()
  end)

  T.case("dsleep_checks_its_arguments_without_sleeping", function(done)
    node.dsleep()           -- no time: nothing happens
    node.dsleep(nil, 1)
    if era30 then
      T.errors(function() node.dsleep(1000, 5) end, "wrong option value")
      T.errors(function() node.dsleep(-1) end, "invalid time value")
      T.errors(function() node.dsleep(36e9) end, "invalid time value")
    else
      T.errors(function() node.dsleep(1000, 5) end, "wrong arg range")
      T.errors(function() node.dsleep(1000, -1) end, "wrong arg range")
      T.errors(function() node.dsleep(-1) end, "wrong arg range")
      if not since22 then T.errors(function() node.dsleep(2 ^ 32) end, "wrong arg range", "1.5 holds 32 bits") end
    end
    if since22 then
      T.check(node.dsleepMax() > 3.6e9 and node.dsleepMax() < 2e10, "dsleepMax about 4 hours: " .. node.dsleepMax())
    else
      T.eq(node.dsleepMax, nil, "dsleepMax came in 2.x")
    end
    done()
  end)

  T.case("random_where_the_era_has_it", function(done)
    if not since22 then
      T.eq(node.random, nil, "node.random came in 2.x")
      return done()
    end
    local seen = {}
    for _ = 1, 400 do
      local v = node.random(6)
      T.check(v >= 1 and v <= 6 and math.floor(v) == v, "in [1, 6]: " .. v)
      seen[v] = true
    end
    for i = 1, 6 do T.check(seen[i], "value " .. i .. " appears") end
    T.eq(node.random(-3, -3), -3, "a one-value interval")
    local f = node.random()
    T.check(f >= 0 and f < 1, "random() in [0, 1)")
    T.check(node.random(0, 2147483647) >= 0, "the whole positive range")
    T.errors(function() node.random(5, 1) end, "interval is empty")
    T.errors(function() node.random(0) end, "interval is empty")
    T.errors(function() node.random(1, 2, 3) end, "wrong number of arguments")
    T.errors(function() node.random("x") end, "bad argument #1")
    -- The chip casts a bound to its 32-bit int, saturating: scripts that
    -- ask for node.random(4294967295) (a random 32-bit IV) get [1, 2^31 - 1].
    local big = 0
    for _ = 1, 200 do
      local v = node.random(4294967295)
      T.check(v >= 1 and v <= 2147483647 and math.floor(v) == v, "in [1, 2^31 - 1]: " .. v)
      if v > 65535 then big = big + 1 end
    end
    T.check(big > 150, "drawn over the whole 31 bits: " .. big)
    T.eq(node.random(2 ^ 40, 2 ^ 40), 2147483647, "an upper bound past 32 bits saturates")
    T.eq(node.random(-2 ^ 40, -2 ^ 40), -2147483648, "a lower bound past 32 bits saturates")
    T.eq(node.random(2.9, 2.9), 2, "a fraction is truncated, as the C cast does")
    done()
  end)

  T.case("osprint_accepts_a_flag", function(done)
    node.osprint(true)
    node.osprint(false)
    node.osprint()
    done()
  end)

  T.case("stripdebug_levels_and_functions", function(done)
    local function f(a, b) local c = a + b; return c end
    if era30 then
      T.eq(node.stripdebug(), 2, "the default level")
      T.eq(node.stripdebug(3), 3, "setting returns the level")
      T.eq(node.stripdebug(), 3)
      T.check(node.stripdebug(3, f) >= 0, "bytes of a function's debug information")
      T.errors(function() node.stripdebug(4) end, "Invalid strip level")
      T.errors(function() node.stripdebug(2, "x") end, "not a valid function")
      node.stripdebug(2)
    else
      T.eq(node.stripdebug(), 2, "the default level")
      T.eq(node.stripdebug(3), nil, "setting returns nothing")
      T.eq(node.stripdebug(), 3)
      T.eq(node.stripdebug(1, f), 0, "level 1 strips nothing")
      local bytes = node.stripdebug(3, f)
      T.check(type(bytes) == "number" and bytes >= 0, "bytes of a function's debug information")
      if _VERSION ~= "Lua 5.1" then T.check(bytes > 0, "5.3+ can measure it: " .. bytes) end
      T.eq(type(node.stripdebug(2, 1)), "number", "a stack level names the running function")
      T.errors(function() node.stripdebug(0) end, "must in range 1-3")
      T.errors(function() node.stripdebug(2, print) end, "must be a Lua Function")
      T.errors(function() node.stripdebug(2, "x") end, "bad argument #2")
      node.stripdebug(2)
    end
    done()
  end)
end

return M
