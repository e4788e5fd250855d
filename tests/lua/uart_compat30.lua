-- profile: 3.0
-- uart_compat30.lua — the uart module in the 3.0 profile: UART 1, fifodepth,
-- 31250 baud and uart.on's argument checks of the later firmware.
local T = require "testlib"
local child = require "lib_child"

T.case("constants_and_fifodepth", function(done)
  T.eq(uart.DIR_RX, 0); T.eq(uart.DIR_TX, 1)
  T.eq(uart.fifodepth(0, uart.DIR_TX), 0); T.eq(uart.fifodepth(), 0)
  T.errors(function() uart.fifodepth(2) end, "bad argument #1 to")
  T.errors(function() uart.fifodepth(2) end, "(Bad UART id; must be 0 or 1)")
  T.errors(function() uart.fifodepth(0, 5) end, "(Bad direction; must be DIR_RX or DIR_TX)")
  done()
end)

T.case("uart_1_exists_and_has_its_own_config", function(done)
  T.eq(uart.setup(1, 31250, 8, uart.PARITY_ODD, uart.STOPBITS_1_5), 31250)
  local b, d, p, s = uart.getconfig(1)
  T.eq(b, 31250); T.eq(d, 8); T.eq(p, 2); T.eq(s, 3)
  T.eq((uart.getconfig(0)), 115200, "uart 0 unchanged")
  T.errors(function() uart.getconfig(2) end, "uart 2 does not exist")
  uart.setup(1, 115200, 8, 0, 1)
  done()
end)

T.case("on_errors", function(done)
  T.errors(function() uart.on("receive", print) end, "bad argument #1 to")
  T.errors(function() uart.on("receive", print) end, "(method not supported)")
  T.errors(function() uart.on(nil, print) end, "(method not supported)")
  T.errors(function() uart.on("data", 256, print, 0) end, "bad argument #2 to")
  T.errors(function() uart.on("data", -1, print, 0) end, "(wrong arg range)")
  T.errors(function() uart.on("data", "ab", print, 0) end, "wrong arg range")
  T.eq(uart.on("data"), nil, "unregister")
  done()
end)

T.case("uart_1_writes_to_stderr", function(done)
  local out, status = child.run('uart.write(1, "dbg", 10) uart.write(0, "out")',
    {env = "NETMCU_COMPAT=3.0"})
  T.eq(status, 0)
  T.check(out == "dbg\nout" or out == "outdbg\n", "got " .. string.format("%q", out))
  done()
end)

T.run()
