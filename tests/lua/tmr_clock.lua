-- profile: 1.5 2.2
-- tmr_clock.lua — timer accuracy, tmr.now/time/delay, wdclr and softwd arguments.
local T = require "testlib"

local function ms_since(t0)
  local d = tmr.now() - t0
  if d < 0 then d = d + 0x80000000 end -- tmr.now() wraps at 31 bits
  return d / 1000
end

T.case("auto_at_50ms_fires_20_times_in_about_a_second", function(done)
  local t0, n = tmr.now(), 0
  tmr.create():alarm(50, tmr.ALARM_AUTO, function(t)
    n = n + 1
    if n == 20 then
      t:unregister()
      local ms = ms_since(t0)
      T.check(ms >= 900 and ms <= 2500, "20 ticks took " .. ms .. " ms")
      done()
    end
  end)
end, {timeout = 10})

T.case("single_fires_after_its_interval", function(done)
  local t0 = tmr.now()
  tmr.create():alarm(200, tmr.ALARM_SINGLE, function()
    local ms = ms_since(t0)
    T.check(ms >= 195 and ms <= 1500, "fired after " .. ms .. " ms")
    done()
  end)
end)

T.case("now_counts_microseconds_in_31_bits", function(done)
  local a = tmr.now()
  T.eq(math.type and math.type(a) or "integer", "integer", "an integer")
  T.check(a >= 0 and a <= 0x7FFFFFFF, "within 31 bits: " .. a)
  local b = tmr.now()
  T.check(b >= a, "monotonic")
  done()
end)

T.case("time_counts_seconds_of_uptime", function(done)
  local s = tmr.time()
  T.check(s >= 0 and s < 60, "uptime " .. s .. " s")
  T.eq(math.floor(s), s, "whole seconds")
  done()
end)

T.case("delay_blocks_for_the_given_microseconds", function(done)
  local t0 = tmr.now()
  T.eq(tmr.delay(30000), nil)
  local ms = ms_since(t0)
  T.check(ms >= 29 and ms < 1000, "blocked " .. ms .. " ms")
  done()
end)

T.case("delay_checks_its_argument", function(done)
  T.errors(function() tmr.delay(0) end, "wrong arg range")
  T.errors(function() tmr.delay(-1) end, "wrong arg range")
  T.errors(function() tmr.delay() end, "number expected")
  T.errors(function() tmr.delay("soon") end, "number expected")
  done()
end)

T.case("wdclr_and_softwd_accept_the_firmware_arguments", function(done)
  T.eq(tmr.wdclr(), nil)
  T.eq(tmr.softwd(-1), nil)
  T.errors(function() tmr.softwd() end, "number expected")
  T.errors(function() tmr.softwd("x") end, "number expected")
  done()
end)

T.case("a_fed_watchdog_does_not_end_the_run", function(done)
  local n = 0
  tmr.softwd(1)
  tmr.create():alarm(300, tmr.ALARM_AUTO, function(t)
    n = n + 1
    tmr.softwd(1)
    if n == 5 then
      t:unregister()
      tmr.softwd(-1)
      done()
    end
  end)
end)

T.run()
