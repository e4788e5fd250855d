-- profile: 1.5 2.2
-- tmr_run.lua — what timers do to a whole run: which keep the loop alive,
-- the soft watchdog ending it, an unhandled callback error ending it.
local T = require "testlib"
local child = require "lib_child"

T.case("a_fired_semi_alarm_does_not_keep_the_run_alive", function(done)
  local out, status, ms = child.run([[
    keep = tmr.create()
    keep:alarm(20, tmr.ALARM_SEMI, function() print("fired") end)
  ]])
  T.eq(status, 0, "exit status")
  T.eq(out, "fired\n", "output")
  T.check(ms < 3000, "took " .. ms .. " ms")
  done()
end)

T.case("a_registered_timer_not_started_does_not_keep_the_run_alive", function(done)
  local out, status, ms = child.run([[
    keep = tmr.create()
    keep:register(5000, tmr.ALARM_AUTO, function() print("fired") end)
  ]])
  T.eq(status, 0, "exit status")
  T.eq(out, "", "output")
  T.check(ms < 3000, "took " .. ms .. " ms")
  done()
end)

T.case("an_auto_alarm_keeps_the_run_alive_until_unregistered", function(done)
  local out, status = child.run([[
    local n = 0
    tmr.create():alarm(10, tmr.ALARM_AUTO, function(t)
      n = n + 1
      print("tick " .. n)
      if n == 3 then t:unregister() end
    end)
  ]])
  T.eq(status, 0, "exit status")
  T.eq(out, "tick 1\ntick 2\ntick 3\n", "output")
  done()
end)

T.case("static_timers_keep_the_run_alive_while_started", function(done)
  local out, status = child.run([[
    tmr.alarm(0, 10, tmr.ALARM_AUTO, function(id)
      print("static " .. id)
      tmr.unregister(id)
    end)
  ]])
  T.eq(status, 0, "exit status")
  T.eq(out, "static 0\n", "output")
  done()
end)

T.case("an_expired_soft_watchdog_ends_the_run_with_status_4", function(done)
  local out, status, ms = child.run([[
    tmr.softwd(1)
    tmr.create():alarm(100, tmr.ALARM_AUTO, function() end)
  ]])
  T.eq(status, 4, "exit status")
  T.match(out, "soft watchdog expired", "message")
  T.check(ms >= 900 and ms < 8000, "took " .. ms .. " ms")
  done()
end)

T.case("a_disabled_soft_watchdog_does_not_fire", function(done)
  local out, status = child.run([[
    tmr.softwd(1)
    tmr.softwd(-1)
    tmr.create():alarm(1500, tmr.ALARM_SINGLE, function() print("done") end)
  ]])
  T.eq(status, 0, "exit status")
  T.eq(out, "done\n", "output")
  done()
end)

T.case("an_unhandled_callback_error_ends_the_run_with_status_1", function(done)
  local out, status = child.run([[
    tmr.create():alarm(10, tmr.ALARM_AUTO, function() error("tick failed") end)
  ]])
  T.eq(status, 1, "exit status")
  T.match(out, "tick failed", "message")
  T.match(out, "stack traceback", "traceback")
  done()
end)

T.run()
