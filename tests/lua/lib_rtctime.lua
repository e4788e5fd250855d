-- lib_rtctime.lua — the rtctime cases of both eras (rtctime_api.lua runs
-- them under 1.5, rtctime_compat30.lua under 3.0).
local T = require "testlib"
local era = os.getenv("NETMCU_COMPAT") or "1.5"
local since22, era30 = era ~= "1.5", era == "3.0"

T.case("rtctime_reads_zero_until_set", function(done)
  local sec, usec, rate = rtctime.get()
  T.eq(sec, 0, "sec") T.eq(usec, 0, "usec")
  T.eq(rate, since22 and 0 or nil, "the rate, from 2.2 on")
  T.errors(function() rtctime.dsleep_aligned(1000000, 0) end, "time not available, unable to align")
  done()
end)

T.case("rtctime_set_then_get_runs_on", function(done)
  rtctime.set(1700000000, 999000)
  local sec, usec = rtctime.get()
  T.check(sec == 1700000000 or sec == 1700000001, "sec " .. sec)
  T.check(usec >= 0 and usec < 1000000, "usec in range")
  tmr.create():alarm(1100, tmr.ALARM_SINGLE, function()
    local later = rtctime.get()
    T.check(later >= 1700000001 and later <= 1700000003, "a second later: " .. later)
    done()
  end)
end)

T.case("rtctime_set_arguments_per_era", function(done)
  if since22 then
    rtctime.set(1700000000, 0, 4295)
    T.eq(select(3, rtctime.get()), 4295, "2.2: set with a rate")
    T.eq(rtctime.adjust_delta(1000000), 1000001, "2.2: adjust_delta by 1 ppm")
    rtctime.set(1700000000, 0, 0)
    T.eq(select(3, rtctime.get()), 0, "rate back to nominal")
  else
    T.eq(rtctime.adjust_delta, nil, "no adjust_delta before 2.2")
  end
  if era30 then
    rtctime.set(nil, nil, 4295)
    local sec, _, rate = rtctime.get()
    T.eq(rate, 4295, "3.0: set without a time changes only the rate")
    T.check(sec >= 1700000000, "the time is kept")
    rtctime.set(nil, nil, 0)
    rtctime.set("not a time")
    T.check(rtctime.get() >= 1700000000, "3.0: a time that is not a number is left alone, as the firmware does")
  else
    T.errors(function() rtctime.set("x") end, "number expected")
    T.errors(function() rtctime.set() end, "number expected, got no value")
  end
  done()
end)

T.case("rtctime_epoch2cal_as_gmtime", function(done)
  for _, stamp in ipairs({0, 59, 951782400, 951868800, 1700000000, 2147483647}) do
    local t, want = rtctime.epoch2cal(stamp), os.date("!*t", stamp)
    T.eq(t.year, want.year, stamp .. " year") T.eq(t.mon, want.month, stamp .. " mon")
    T.eq(t.day, want.day, stamp .. " day") T.eq(t.hour, want.hour, stamp .. " hour")
    T.eq(t.min, want.min, stamp .. " min") T.eq(t.sec, want.sec, stamp .. " sec")
    T.eq(t.wday, want.wday, stamp .. " wday") T.eq(t.yday, want.yday, stamp .. " yday")
  end
  T.errors(function() rtctime.epoch2cal(-1) end, "wrong arg range")
  T.errors(function() rtctime.epoch2cal(2147483648) end, "wrong arg range")
  T.errors(function() rtctime.epoch2cal() end, "number expected, got no value")
  done()
end)

T.case("rtctime_dsleep_is_node_dsleep", function(done)
  local real = node.dsleep
  local calls = {}
  node.dsleep = function(us, option) calls[#calls + 1] = {us, option} end
  rtctime.dsleep(5000000)
  rtctime.dsleep(0, 4)
  T.errors(function() rtctime.dsleep(1, 5) end, "unknown sleep option")
  rtctime.set(1700000000, 250000)
  rtctime.dsleep_aligned(10000000, 2000000, 1)
  node.dsleep = nil
  T.errors(function() rtctime.dsleep(1) end, "needs node.dsleep")
  node.dsleep = real
  T.eq(#calls, 3, "three sleeps")
  T.eq(calls[1][1], 5000000, "us") T.eq(calls[1][2], nil, "no option")
  T.eq(calls[2][1], 1, "rtctime.dsleep(0) is a sleep of no length") T.eq(calls[2][2], 4, "option")
  -- from ...00.25 s, at least 2 s, to the next multiple of 10 s: ...10 s, so 9.75 s (give or take the run time)
  T.check(calls[3][1] > 9700000 and calls[3][1] <= 9750000, "aligned sleep " .. tostring(calls[3][1]))
  T.eq(calls[3][2], 1, "option")
  done()
end)

return T
