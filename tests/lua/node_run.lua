-- node_run.lua — node calls that shape a whole run: restart, the heap budget,
-- the default error policy, output to the terminal.
local T = require "testlib"
local child = require "lib_child"

T.case("restart_in_the_script_ends_the_run_with_status_3", function(done)
  local out, status = child.run([[
    print("before")
    tmr.create():alarm(10, tmr.ALARM_SINGLE, function() print("timer") end)
    node.restart()
    print("after")
  ]])
  T.eq(status, 3, "exit status")
  T.match(out, "^before\n.*after\n", "the chunk finishes, as on the device")
  T.check(not out:find("timer"), "no callback runs after the restart")
  T.match(out, "node.restart%(%)", "message")
  done()
end)

T.case("restart_in_a_callback_ends_the_run_with_status_3", function(done)
  local out, status = child.run([[
    tmr.create():alarm(10, tmr.ALARM_SINGLE, function() node.restart() end)
    tmr.create():alarm(3000, tmr.ALARM_SINGLE, function() print("late") end)
  ]])
  T.eq(status, 3, "exit status")
  T.check(not out:find("late"), "the run ended at once")
  done()
end)

T.case("heap_budget_comes_from_the_flag_and_the_environment", function(done)
  local script = [[
    local h = node.heap()
    print(h <= 2 * 1024 * 1024 and h > 1024 * 1024)
    print(pcall(string.rep, "x", 3 * 1024 * 1024))
  ]]
  local out, status = child.run(script, {args = "--heap=2m"})
  T.eq(status, 0, "exit status with --heap")
  T.match(out, "^true\nfalse\tnot enough memory", "--heap=2m")
  out, status = child.run(script, {env = "NETMCU_HEAP=2048k"})
  T.eq(status, 0, "exit status with NETMCU_HEAP")
  T.match(out, "^true\nfalse\tnot enough memory", "NETMCU_HEAP=2048k")
  done()
end)

T.case("default_error_policy_is_back_after_setonerror_nil", function(done)
  local out, status = child.run([[
    node.setonerror(function(msg) print("handled: " .. msg) end)
    node.setonerror(nil)
    node.task.post(function() error("unhandled now") end)
  ]])
  T.eq(status, 1, "exit status")
  T.match(out, "unhandled now", "message")
  T.check(not out:find("handled: "), "the old handler is gone")
  done()
end)

T.case("setonerror_handler_keeps_the_run_going", function(done)
  local out, status = child.run([[
    node.setonerror(function(msg) print("handled: " .. msg:match("[^\n]*")) end)
    node.task.post(function() error("first") end)
    tmr.create():alarm(30, tmr.ALARM_SINGLE, function() print("still running") end)
  ]])
  T.eq(status, 0, "exit status")
  T.match(out, "handled: [^\n]*first\nstill running\n", "output")
  done()
end)

T.case("output_serial_flag_chooses_the_terminal_too", function(done)
  local out, status = child.run([[
    node.output(function(s) end, 0)
    print("hidden")
    node.output(function(s) end, 1)
    print("shown")
    node.output(nil)
    print("back")
  ]])
  T.eq(status, 0, "exit status")
  T.eq(out, "shown\nback\n", "terminal output")
  done()
end)

T.run()
