-- netmcu.test itself, against real boards: life cycle, bad input, failures
-- that say what was seen. Run by tests/peers/testlib.sh under busted.
local T = require "netmcu.test"

describe("netmcu.test", function()
  it("waits for a script that ends and gives its exit status", function()
    local b = T.board{code = "print('hello', 1 + 1)"}
    assert.are.equal(2, tonumber(b:expect_output("^hello\t(%d)$")))
    assert.are.equal(0, b:wait())
    assert.are.equal(0, b:close())
  end)

  it("reports an error in a callback with its traceback and status 1", function()
    local b = T.board{code = "tmr.create():alarm(10, tmr.ALARM_SINGLE, function() error('boom') end)"}
    assert.are.equal(1, b:wait())
    b:expect_stderr("boom")
    b:expect_stderr("traceback")
    b:close()
  end)

  it("gives node.restart's status 3", function()
    local b = T.board{code = "node.restart()"}
    assert.are.equal(3, b:wait())
    b:close()
  end)

  it("stops a running board: twice is safe, the control channel is closed after", function()
    local b = T.board{code = "srv = net.createServer(net.TCP) srv:listen(0, function() end) print('up')"}
    b:expect_output("^up$")
    assert.are.equal(0, b:stop())
    assert.are.equal(0, b:stop())
    local ok, err = pcall(b.control, b, "help")
    assert.is_false(ok)
    assert.truthy(err:find("control channel is closed", 1, true), err)
    b:close()
  end)

  it("raises the control channel's error replies with the command", function()
    local b = T.board{code = "tmr.create():alarm(60000, tmr.ALARM_SINGLE, function() end)"}
    local ok, err = pcall(b.gpio, b, 13, 0)
    assert.is_false(ok)
    assert.truthy(err:find('board:control("gpio set 13 0"): error no pin 13', 1, true), err)
    ok, err = pcall(b.wifi, b, "fly")
    assert.truthy(not ok and err:find("unknown wifi command", 1, true), err)
    b:close()
  end)

  it("refuses a flash name SPIFFS cannot hold", function()
    local b = T.board{code = "print(file.list()['http/index.html'])", files = {["http/index.html"] = "<p>"}}
    assert.are.equal("3", b:expect_output("^(%d+)$"))
    for _, bad in ipairs{"../escape", "a//b", "", string.rep("x", 32), "./x"} do
      local ok, err = pcall(b.upload, b, bad, "x")
      assert.is_false(ok)
      assert.truthy(err:find("is not a flash name", 1, true), err)
    end
    assert.are.same({["http/index.html"] = 3}, b:files())
    b:close()
  end)

  it("says what the board printed when output does not come", function()
    local b = T.board{code = "print('something else')"}
    local ok, err = pcall(b.expect_output, b, "^wanted$", 1)
    assert.is_false(ok)
    assert.truthy(err:find("something else", 1, true), err)
    assert.truthy(err:find("exited with status 0", 1, true), err)
    b:close()
  end)

  it("says what a pin reads when it never reaches the level", function()
    local b = T.board{code = "gpio.mode(4, gpio.OUTPUT) gpio.write(4, 0) print('set')" ..
                             " tmr.create():alarm(60000, tmr.ALARM_SINGLE, function() end)"}
    b:expect_output("^set$")
    local ok, err = pcall(b.expect_gpio, b, 4, 1, 0.3)
    assert.is_false(ok)
    assert.truthy(err:find("still reads 0", 1, true), err)
    b:close()
  end)

  it("names a board that cannot start", function()
    local ok, err = pcall(T.board, {clock = "fast"})
    assert.is_false(ok)
    assert.truthy(err:find("exited with status 2", 1, true), err)
    assert.truthy(err:find("a factor from 0.01 to 10000", 1, true), err)
  end)

  it("has no console unless asked", function()
    local b = T.board{code = "tmr.create():alarm(60000, tmr.ALARM_SINGLE, function() end)"}
    local ok, err = pcall(b.console, b, "print(1)")
    assert.truthy(not ok and err:find("has no console", 1, true), err)
    b:close()
  end)

  it("runs the board's clock faster: an hour of timers in a moment", function()
    local b = T.board{clock = 3600, code = "tmr.create():alarm(3600000, tmr.ALARM_SINGLE," ..
                                           " function() print('hour', tmr.time()) end)"}
    local secs = tonumber(b:expect_output("^hour\t(%d+)$", 5))
    assert.is_true(secs >= 3600 and secs < 3700, "tmr.time() read " .. secs)
    b:close()
  end)

  it("drives adc and reads pwm", function()
    local b = T.board{code = "pwm.setup(2, 1000, 512) pwm.start(2)" ..
                             " tmr.create():alarm(50, tmr.ALARM_AUTO, function()" ..
                             " print('adc', adc.read(0)) end)"}
    b:adc(700)
    b:expect_output("^adc\t700$")
    local clock, duty, running = b:pwm(2)
    assert.are.same({1000, 512, true}, {clock, duty, running})
    assert.is_nil(b:pwm(5))
    b:close()
  end)
end)
