-- uart_api.lua — the uart module in the 1.5 profile: setup, getconfig, write,
-- on, alt, with the firmware's errors (the console side is in peers/serial_console.sh).
local T = require "testlib"
local child = require "lib_child"

T.case("constants", function(done)
  T.eq(uart.STOPBITS_1, 1); T.eq(uart.STOPBITS_2, 2); T.eq(uart.STOPBITS_1_5, 3)
  T.eq(uart.PARITY_NONE, 0); T.eq(uart.PARITY_EVEN, 1); T.eq(uart.PARITY_ODD, 2)
  T.eq(uart.fifodepth, nil, "1.5 has no fifodepth")
  done()
end)

T.case("getconfig_starts_at_115200_8n1", function(done)
  local b, d, p, s = uart.getconfig(0)
  T.eq(b, 115200); T.eq(d, 8); T.eq(p, 0); T.eq(s, 1)
  done()
end)

T.case("setup_returns_the_baud_and_getconfig_reports_it", function(done)
  T.eq(uart.setup(0, 9600, 7, uart.PARITY_EVEN, uart.STOPBITS_2, 1), 9600)
  local b, d, p, s = uart.getconfig(0)
  T.eq(b, 9600); T.eq(d, 7); T.eq(p, 1); T.eq(s, 2)
  -- an unknown rate is returned as asked but configured as 9600; odd values fall back
  T.eq(uart.setup(0, 12345, 9, 7, 9), 12345)
  b, d, p, s = uart.getconfig(0)
  T.eq(b, 9600); T.eq(d, 8); T.eq(p, 0); T.eq(s, 1)
  T.eq(uart.setup(0, 31250, 8, 0, 1), 31250, "31250 is 3.0's")
  T.eq((uart.getconfig(0)), 9600)
  uart.setup(0, 115200, 8, 0, 1, 1)
  done()
end)

T.case("only_uart_0_exists", function(done)
  T.errors(function() uart.setup(1, 9600, 8, 0, 1) end, "uart 1 does not exist")
  T.errors(function() uart.getconfig(2) end, "uart 2 does not exist")
  T.errors(function() uart.write(1, "x") end, "uart 1 does not exist")
  -- the id as given, never cut to 32 bits (2^32 is not uart 0)
  T.errors(function() uart.write(2^32, "x") end, "uart 4294967296 does not exist")
  T.errors(function() uart.getconfig(-1) end, "uart -1 does not exist")
  done()
end)

T.case("argument_errors", function(done)
  T.errors(function() uart.setup(0, 9600) end, "bad argument #3 to")
  T.errors(function() uart.setup("x") end, "bad argument #1 to")
  T.errors(function() uart.getconfig() end, "bad argument #1 to")
  T.errors(function() uart.write(0, 256) end, "invalid number")
  T.errors(function() uart.write(0, {}) end, "bad argument #2 to")
  T.errors(function() uart.alt() end, "bad argument #1 to")
  T.eq(uart.alt(1), nil); T.eq(uart.alt(0), nil)
  done()
end)

T.case("on_errors", function(done)
  T.errors(function() uart.on("data", 256, print, 0) end, "wrong arg range")
  T.errors(function() uart.on("data", "ab", print, 0) end, "wrong arg range")
  T.errors(function() uart.on("receive", print) end, "method not supported")
  T.errors(function() uart.on() end, "bad argument #1 to")
  T.eq(uart.on("data"), nil, "unregister")
  done()
end)

T.case("write_sends_bytes_as_they_are", function(done)
  local out, status = child.run('uart.write(0, "a\\n", 66, "c", 0, "\\r\\n") io.write("|")')
  T.eq(status, 0)
  T.eq(out, "a\nBc\0\r\n|")
  done()
end)

T.case("write_does_not_follow_node_output", function(done)
  local out = child.run([[
    local got = ""
    node.output(function(s) got = got .. s end, 0)
    uart.write(0, "raw")
    print("printed")
    tmr.create():alarm(20, tmr.ALARM_SINGLE, function() node.output(nil); print("|" .. got) end)]])
  T.eq(out, "raw|printed\n\n")
  done()
end)

T.run()
