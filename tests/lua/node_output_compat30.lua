-- profile: 3.0
-- node_output_compat30.lua — node.output(fn) in the 3.0 profile hands fn a
-- pipe (the stdout pipe, read at medium priority), as the 3.0 firmware does;
-- seed-era callbacks that expect a string fail as on a 3.0 device.
local T = require "testlib"

T.case("output_goes_into_a_pipe_read_by_a_medium_priority_task", function(done)
  local order = {}
  node.output(T.expect(function(p, ...)
    order[#order + 1] = "reader"
    T.eq(select("#", ...), 0, "only the pipe")
    T.eq(type(p), "table", "a pipe")
    T.match(tostring(p), "^Pipe: ", "tostring")
    T.eq(p:read(1400), "one\n2\tthree\n", "both prints, in one read")
    T.eq(p:read(1400), nil, "nothing more")
  end, 1, "output callback"), 0)
  print("one")
  print(2, "three")
  node.task.post(node.task.HIGH_PRIORITY, function() order[#order + 1] = "high" end)
  node.task.post(node.task.LOW_PRIORITY, function()
    node.output()
    T.eq(table.concat(order, ","), "high,reader", "the reader is a medium task")
    done()
  end)
end)

T.case("the_telnet_modules_chain_returning_false", function(done)
  -- as the 3.0 telnet module: the callback keeps the pipe, sends one record
  -- and returns false; later records are read from elsewhere.
  local stdout, calls, seen = nil, 0, {}
  node.output(function(opipe)
    calls = calls + 1
    stdout = opipe
    seen[#seen + 1] = opipe:read(6)
    return false
  end, 0)
  print("first line")
  tmr.create():alarm(20, tmr.ALARM_SINGLE, function()
    T.eq(calls, 1, "one call for the burst")
    T.eq(seen[1], "first ", "it read its record")
    T.eq(stdout:read(1400), "line\n", "the rest stays for the sent callback")
    print("second")
    tmr.create():alarm(20, tmr.ALARM_SINGLE, function()
      T.eq(calls, 2, "a later print wakes it again")
      T.eq(seen[2], "second", "second record")
      node.output()
      done()
    end)
  end)
end)

T.case("prints_from_inside_the_reader_go_into_the_pipe", function(done)
  local calls, got = 0, {}
  node.output(function(p)
    calls = calls + 1
    got[#got + 1] = p:read()
    if calls == 1 then print("echo") end -- the device feeds itself too
    if calls == 2 then
      node.output()
      T.eq(table.concat(got, ","), "hello,echo", "its own print came back")
      done()
    end
  end, 0)
  print("hello")
end)

T.case("node_output_without_a_function_restores_the_terminal", function(done)
  local stdout
  node.output(T.expect(function(p) stdout = p; p:read(100); return false end, 1, "reader"), 0)
  print("to the pipe")
  node.task.post(node.task.LOW_PRIORITY, function()
    node.output()
    print("# back on the terminal")
    T.eq(stdout:read(100), nil, "nothing more reached the old pipe")
    tmr.create():alarm(20, tmr.ALARM_SINGLE, done)
  end)
end)

-- A seed-era callback that expects a string gets a pipe and fails as on a 3.0 device.
local function seed_style_fails(name, fn, want)
  T.case(name, function(done)
    node.setonerror(T.expect(function(msg)
      node.output()
      node.setonerror()
      T.match(msg, want, "error text")
      done()
    end, 1, "onerror"))
    node.output(fn, 0)
    print("hello")
  end)
end

local buf = ""
seed_style_fails("seed_style_concatenation_fails", function(str) buf = buf .. str end,
  "attempt to concatenate.*table value")
seed_style_fails("seed_style_string_method_fails", function(str) return str:sub(1, 3) end,
  "attempt to call.*method 'sub'")
seed_style_fails("seed_style_socket_send_fails", function(str) local s = net.createConnection(net.TCP, 0); s:send(str) end,
  "bad argument #1 to 'send'")

T.run()
