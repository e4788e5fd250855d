-- lib_gpio.lua — gpio cases of both eras (gpio_api.lua runs them under 1.5,
-- gpio_compat30.lua under 3.0 with its own cases added). Inputs are driven
-- through the control channel, as a test or a user outside the script would.
local T = require "testlib"
local G = {}
G.modern = (node.info()) == 3

local function after(ms, fn) tmr.create():alarm(ms, tmr.ALARM_SINGLE, fn) end
G.after = after

-- Every pin back to a plain input, nothing driven from outside.
function G.reset()
  for pin = 0, 12 do
    if pin > 0 then gpio.trig(pin, "none") end
    gpio.mode(pin, gpio.INPUT)
    control.send("gpio release " .. pin)
  end
end

T.case("constants_of_the_firmware", function(done)
  T.eq(gpio.OUTPUT, 1, "OUTPUT"); T.eq(gpio.OPENDRAIN, 3, "OPENDRAIN")
  T.eq(gpio.INPUT, 0, "INPUT"); T.eq(gpio.INT, 2, "INT")
  T.eq(gpio.HIGH, 1, "HIGH"); T.eq(gpio.LOW, 0, "LOW")
  T.eq(gpio.FLOAT, 0, "FLOAT"); T.eq(gpio.PULLUP, 1, "PULLUP")
  done()
end)

T.case("outputs_inputs_pullups_and_open_drain", function(done)
  G.reset()
  gpio.mode(4, gpio.OUTPUT)
  T.eq(gpio.read(4), 0, "an output starts low")
  gpio.write(4, gpio.HIGH)
  T.eq(gpio.read(4), 1, "reads what it drives")
  T.eq(control.send("gpio get 4"), "1 output", "visible outside")
  gpio.mode(2, gpio.INPUT)
  T.eq(gpio.read(2), 0, "a floating input nothing drives reads 0")
  gpio.mode(2, gpio.INPUT, gpio.PULLUP)
  T.eq(gpio.read(2), 1, "with the pull-up 1")
  gpio.mode(2, gpio.INPUT, 7)
  T.eq(gpio.read(2), 1, "any pull value but FLOAT is PULLUP")
  control.send("gpio set 2 0")
  T.eq(gpio.read(2), 0, "driven low from outside")
  T.eq(control.send("gpio get 2"), "0 input pullup driven", "get")
  control.send("gpio release 2")
  T.eq(gpio.read(2), 1, "released: the pull-up again")
  gpio.mode(0, gpio.INPUT, gpio.PULLUP)
  T.eq(gpio.read(0), 1, "pin 0 (GPIO16) has no pull-up of its own; the dev kit's LED pulls D0 up")
  gpio.mode(7, gpio.INPUT)
  gpio.write(7, 1)
  T.eq(gpio.read(7), 1, "a write turns an input's driver on, as on the ESP8266")
  T.eq(control.send("gpio get 7"), "1 output", "and it shows as an output")
  gpio.mode(7, gpio.INPUT)
  T.eq(gpio.read(7), 0, "mode INPUT turns it off again")
  gpio.mode(8, gpio.OPENDRAIN, gpio.PULLUP)
  gpio.write(8, 0)
  T.eq(gpio.read(8), 0, "open drain pulls low")
  gpio.write(8, 1)
  T.eq(gpio.read(8), 1, "and lets go to the pull-up")
  control.send("gpio set 8 0")
  T.eq(gpio.read(8), 0, "another device pulls the line low")
  control.send("gpio release 8")
  gpio.mode(4, gpio.INPUT)
  done()
end)

T.case("bad_arguments_raise_the_firmware_texts", function(done)
  local f = function() end
  T.errors(function() gpio.read(13) end, "gpio 13 does not exist", "read(13)")
  T.errors(function() gpio.read(-1) end, "gpio -1 does not exist", "read(-1)")
  T.errors(function() gpio.write(13, 1) end, "gpio 13 does not exist", "write(13)")
  T.errors(function() gpio.write(1, 2) end, "(wrong level type)", "write level 2")
  T.errors(function() gpio.write(1) end, "bad argument #2", "write without level")
  T.errors(function() gpio.read() end, "bad argument #1", "read()")
  T.errors(function() gpio.mode(13, gpio.OUTPUT) end, "(Invalid pin)", "mode(13)")
  T.errors(function() gpio.mode(0, gpio.INT) end, "(Invalid pin)", "pin 0 has no interrupt")
  T.errors(function() gpio.mode(1, 7) end, "bad argument #2", "mode 7")
  T.errors(function() gpio.mode(1, 7) end, "(wrong arg type)", "mode 7 text")
  T.errors(function() gpio.mode(1) end, "bad argument #2", "mode without mode")
  T.errors(function() gpio.trig(0, "up", f) end, "(Invalid interrupt pin)", "trig pin 0")
  T.errors(function() gpio.trig(13, "up", f) end, "(Invalid interrupt pin)", "trig pin 13")
  T.errors(function() gpio.trig(1, "sideways", f) end, "(invalid option 'sideways')", "trig type")
  T.errors(function() gpio.trig(1, "up") end, "(invalid callback type)", "trig without a callback")
  T.errors(function() gpio.trig(1, "up", 5) end, "bad argument #3", "trig with a number")
  T.errors(function() gpio.serout(13, 1, {1}) end, "(Invalid pin)", "serout pin")
  T.errors(function() gpio.serout(1, 2, {1}) end, "(Wrong level type)", "serout level")
  T.errors(function() gpio.serout(1, 1, "x") end, "(Invalid delay_times)", "serout table")
  local long = {}
  for i = 1, 256 do long[i] = 1 end
  T.errors(function() gpio.serout(1, 1, long) end, "(Invalid delay_times)", "256 delays")
  T.errors(function() gpio.serout(1, 1, {"a"}) end, "number expected", "a delay that is no number")
  T.errors(function() gpio.serout(1, 1, {-5}) end, "(Invalid delay_times)", "a negative delay")
  T.errors(function() gpio.serout(1, 1, {1}, 0) end, "(invalid cycle_num)", "zero cycles")
  T.errors(function() gpio.serout(1, 1, {1}, 1, "x") end, "bad argument #5", "a string callback")
  done()
end)

T.case("control_commands_are_checked", function(done)
  G.reset()
  gpio.mode(4, gpio.OUTPUT)
  gpio.write(4, gpio.LOW) -- (the latch keeps its level across mode changes)
  T.errors(function() control.send("gpio set 13 1") end, "control: no pin 13 (pins are 0-12)", "pin 13")
  T.errors(function() control.send("gpio set x 1") end, "control: not a pin number: 'x'", "pin x")
  T.errors(function() control.send("gpio set -1 1") end, "not a pin number", "pin -1")
  T.errors(function() control.send("gpio set 3 2") end, "control: not a level: '2' (0, 1, low or high)", "level")
  T.errors(function() control.send("gpio flip 3") end, "control: usage: gpio set PIN 0|1", "verb")
  T.errors(function() control.send("gpio set 3") end, "usage", "missing level")
  T.errors(function() control.send("gpio set 4 0") end, "control: pin 4 is an output the script drives", "an output")
  T.eq(control.send("gpio set 3 high"), "", "high is a level")
  T.eq(gpio.read(3), 1, "driven high")
  local all = control.send("gpio get")
  T.match(all, "^0:1:input 1:0:input 2:0:input 3:1:input 4:0:output ", "every pin")
  T.match(control.send("help"), "gpio", "help lists gpio")
  G.reset()
  done()
end)

T.case("a_button_press_from_outside_fires_trig_later", function(done)
  G.reset()
  gpio.mode(3, gpio.INT, gpio.PULLUP)
  local inside = true
  gpio.trig(3, "down", T.expect(function(level, when, count)
    T.eq(inside, false, "not inside the control command")
    T.eq(level, gpio.LOW, "the level")
    if G.modern then
      T.eq(count, 1, "one event")
      T.check(type(when) == "number" and when <= tmr.now(), "the time of the event")
    else
      T.eq(when, nil, "1.5 passes only the level")
    end
    control.send("gpio release 3")
    after(30, function() gpio.trig(3, "none"); done() end)
  end, 1, "trig callback"))
  control.send("gpio set 3 0")
  inside = false
end)

T.case("changes_before_the_callback_are_merged", function(done)
  G.reset()
  gpio.mode(5, gpio.INT)
  local calls = 0
  gpio.trig(5, "both", function(level, when, count)
    calls = calls + 1
    T.eq(level, 1, "the level of the first change")
    if G.modern then T.eq(count, 3, "three changes counted") end
  end)
  control.send("gpio set 5 1"); control.send("gpio set 5 0"); control.send("gpio set 5 1")
  after(30, function()
    T.eq(calls, 1, "one callback")
    G.reset()
    done()
  end)
end)

T.case("trig_keeps_its_callback_when_none_is_given_and_mode_clears_it", function(done)
  G.reset()
  gpio.mode(6, gpio.INT)
  local levels = {}
  gpio.trig(6, "up", function(level) levels[#levels + 1] = level end)
  gpio.trig(6, "down") -- the callback stays
  control.send("gpio set 6 1")
  after(20, function()
    control.send("gpio set 6 0")
    after(20, function()
      T.eq(table.concat(levels, ","), "0", "only the falling edge, with the old callback")
      gpio.mode(6, gpio.INPUT) -- clears the callback
      T.errors(function() gpio.trig(6, "up") end, "invalid callback type", "no callback left")
      control.send("gpio set 6 1")
      after(20, function()
        T.eq(#levels, 1, "nothing after mode(INPUT)")
        G.reset()
        done()
      end)
    end)
  end)
end)

T.case("a_level_trigger_repeats_while_the_level_holds", function(done)
  G.reset()
  control.send("gpio set 9 0")
  gpio.mode(9, gpio.INT)
  local lows, highs = 0, 0
  gpio.trig(9, "low", function(level)
    lows = lows + 1
    T.eq(level, 0, "low")
    if lows == 3 then
      gpio.trig(9, "high", function(l)
        highs = highs + 1
        T.eq(l, 1, "high")
        gpio.trig(9, "none")
        T.eq(lows, 3, "three low callbacks, the first as soon as it was set")
        G.reset()
        done()
      end)
      after(20, function() T.eq(highs, 0, "not high yet"); control.send("gpio set 9 1") end)
    end
  end)
end)

T.case("serout_sync_blocks_and_toggles", function(done)
  G.reset()
  gpio.mode(1, gpio.OUTPUT)
  local t0 = tmr.now()
  gpio.serout(1, gpio.HIGH, {2000, 3000, 4000})
  local spent = tmr.now() - t0
  T.check(spent >= 9000, "blocked for the delays: " .. spent .. " us")
  T.eq(gpio.read(1), 1, "1,0,1: ends high")
  t0 = tmr.now()
  gpio.serout(1, gpio.HIGH, {1000, 1000}, 3)
  T.check(tmr.now() - t0 >= 6000, "three cycles")
  T.eq(gpio.read(1), 0, "ends on the last level")
  gpio.serout(1, gpio.LOW, {})
  T.eq(gpio.read(1), 0, "an empty table does nothing")
  done()
end)

T.case("serout_async_returns_at_once_and_calls_back_when_done", function(done)
  G.reset()
  gpio.mode(1, gpio.OUTPUT)
  local t0 = tmr.now()
  local replaced = T.never("the replaced sequence's callback")
  gpio.serout(1, gpio.HIGH, {50000, 50000}, 1, replaced)
  gpio.serout(1, gpio.HIGH, {100000, 100000, 100000}, 2, T.expect(function()
    local spent = tmr.now() - t0
    T.check(spent >= 600000, "after all delays: " .. spent .. " us")
    T.eq(gpio.read(1), 0, "1,0,1,0,1,0: ends low")
    -- a number instead of a callback: asynchronous without one
    gpio.serout(1, gpio.HIGH, {10000, 10000}, 1, 1)
    T.eq(gpio.read(1), 1, "the first level at once")
    after(60, function()
      T.eq(gpio.read(1), 0, "the second level later")
      done()
    end)
  end, 1, "serout callback"))
  T.check(tmr.now() - t0 < 100000, "returned at once")
  T.eq(gpio.read(1), 1, "the first level is set in the call")
  after(150, function() T.eq(gpio.read(1), 0, "the second level between 100 and 200 ms") end)
end)

return G
