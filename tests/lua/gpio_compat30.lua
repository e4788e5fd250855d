-- profile: 3.0
-- gpio_compat30.lua — gpio under the 3.0 profile: the common cases
-- (lib_gpio.lua), the trig callback's time and count, and gpio.pulse.
local T = require "testlib"
local G = require "lib_gpio"
local after = G.after

T.case("trig_callback_gets_level_time_and_count", function(done)
  G.reset()
  gpio.mode(2, gpio.INT)
  local pressed
  gpio.trig(2, "up", T.expect(function(...)
    T.eq(select("#", ...), 3, "three arguments")
    local level, when, count = ...
    T.eq(level, 1, "level")
    T.check(when >= pressed and when <= tmr.now(), "when: the time of the change, on tmr.now()'s clock")
    T.eq(count, 1, "count")
    G.reset()
    done()
  end, 1, "trig callback"))
  pressed = tmr.now()
  control.send("gpio set 2 1")
end)

T.case("pulse_build_checks_entries_with_the_firmware_texts", function(done)
  local build = gpio.pulse.build
  T.errors(function() build() end, "bad argument #1", "no table")
  local big = {}
  for i = 1, 101 do big[i] = {delay = 1} end
  T.errors(function() build(big) end, "table is too large: 101 entries is more than 100", "101 entries")
  T.errors(function() build({5}) end, "All entries must be tables", "not a table")
  T.errors(function() build({{[13] = 1}}) end, "pin number 13 must be in range 0 .. 12", "pin 13")
  T.errors(function() build({{delay = -1}}) end, "delay of -1 must be in the range 0 .. 64000000 microseconds", "delay")
  T.errors(function() build({{delay = 5, min = 70000000}}) end, "delay minimum of 70000000 must be in the range", "min")
  T.errors(function() build({{delay = 5, max = -3}}) end, "delay maximum of -3 must be in the range", "max")
  T.errors(function() build({{delay = 5, speed = 1}}) end, "Unrecognized key found: speed", "key")
  T.errors(function() build({{delay = 50, min = 60, max = 70}}) end, "Delay of 50 must be between min and max", "range")
  T.errors(function() build({{delay = 50, min = 40}}) end, "Delay of 50 must be between min and max",
           "a min without a max fails, as on the firmware")
  local p = build({{[1] = 1, delay = 10}, {[1] = 0, delay = 10, min = 5, max = 15}})
  T.eq(type(p), "userdata", "a pulse object")
  T.errors(function() p:update(3, {delay = 1}) end, "entry number must be in range 1 .. 2", "update range")
  T.errors(function() p:start() end, "missing callback", "start without callback")
  T.eq(p:stop(function() end), nil, "stop on a pulser that is not running does nothing")
  T.eq(p:cancel(), nil, "cancel too")
  done()
end)

T.case("pulse_runs_steps_with_loops_and_calls_back", function(done)
  G.reset()
  gpio.mode(1, gpio.OUTPUT)
  gpio.mode(2, gpio.OUTPUT)
  local seen = {}
  gpio.mode(5, gpio.INT)
  local p = gpio.pulse.build({
    {[1] = gpio.HIGH, [2] = gpio.LOW, delay = 80000},
    {[1] = gpio.LOW, [2] = gpio.HIGH, delay = 80000, loop = 1, count = 2},
  })
  local t0 = tmr.now()
  p:start(T.expect(function(pos, steps, offset, now)
    local spent = tmr.now() - t0
    T.eq(pos, nil, "finished")
    T.eq(steps, 7, "3 passes of 2 steps, then the end")
    T.check(offset <= 0, "offset negative once complete: " .. offset)
    T.check(type(now) == "number", "now")
    T.check(spent >= 480000, "six 80 ms steps: " .. spent)
    T.eq(gpio.read(1), 0, "pin 1 ends low")
    T.eq(gpio.read(2), 1, "pin 2 ends high")
    T.eq(table.concat(seen, ","), "1,0,1,0,1,0", "pin 1's levels over time")
    local again = gpio.pulse.build({{[1] = 1, delay = 1}})
    again:start(function() done() end) -- the next may start from the callback
  end, 1, "pulse callback"))
  T.eq(gpio.read(1), 1, "the first step is set in start")
  T.errors(function() p:start(function() end) end, "pulse operation already in progress", "one at a time")
  local pos, steps, offset = p:getstate()
  T.eq(pos, 1, "position 1"); T.eq(steps, 1, "one step")
  T.check(offset > 0 and offset <= 80000, "offset to the next step: " .. offset)
  local function sample() seen[#seen + 1] = gpio.read(1) end
  sample()
  for i = 1, 5 do after(80 * i + 40, sample) end -- mid-step, 40 ms from either edge
end)

T.case("pulse_latches_need_output_mode", function(done)
  G.reset()
  local p = gpio.pulse.build({{[5] = 1, delay = 1000}}) -- pin 5: no pull-up on the dev kit
  p:start(T.expect(function()
    T.eq(gpio.read(5), 0, "an input does not follow the latch")
    gpio.mode(5, gpio.OUTPUT)
    T.eq(gpio.read(5), 1, "until its driver is on")
    G.reset()
    done()
  end, 1, "callback"))
end)

T.case("pulse_stop_cancel_adjust_update", function(done)
  G.reset()
  gpio.mode(4, gpio.OUTPUT)
  local p = gpio.pulse.build({
    {[4] = 1, delay = 10000},
    {[4] = 0, delay = 10000},
    {delay = 10000, loop = 1, count = 1000},
  })
  p:start(function() T.fail("the start callback is replaced by stop's") end)
  T.errors(function() p:stop(9, function() end) end, "bad stop position: 9 (valid range 1 - 3)", "stop range")
  T.errors(function() p:stop(2) end, "missing callback", "stop without callback")
  T.eq(p:stop(2, T.expect(function(pos, steps)
    T.eq(pos, 2, "stopped on entering step 2")
    T.eq(steps, 2, "two steps")
    T.eq(gpio.read(4), 0, "step 2's pins were set")
    -- adjust and cancel on a running program
    local q = gpio.pulse.build({{[4] = 1, delay = 10000, min = 5000, max = 15000}, {delay = 10000, loop = 1, count = 100}})
    q:start(function() T.fail("a cancelled program never calls back") end)
    local apos, asteps, aoffset = q:adjust(3000)
    T.eq(apos, 1, "adjust returns the state")
    T.check(aoffset > 0, "adjust offset")
    q:update(1, {[4] = 0})
    after(35, function()
      local cpos, csteps = q:cancel()
      T.check(cpos == 1 or cpos == 2, "cancel returns the position")
      T.check(csteps >= 3, "and the steps so far: " .. csteps)
      T.eq(gpio.read(4), 0, "the updated entry clears pin 4")
      T.eq(q:cancel(), nil, "a second cancel does nothing")
      after(30, function() G.reset(); done() end)
    end)
  end, 1, "stop callback")), true, "stop returns true")
end)

T.case("a_running_pulse_without_references_lives_until_it_ends", function(done)
  G.reset()
  gpio.mode(10, gpio.OUTPUT)
  local weak = setmetatable({}, {__mode = "k"})
  do
    local p = gpio.pulse.build({{[10] = 1, delay = 30000}, {[10] = 0, delay = 1}})
    weak[p] = true
    p:start(T.expect(function(pos, steps)
      T.eq(steps, 3, "it ran to its end")
      T.eq(gpio.read(10), 0, "its last step")
    end, 1, "callback"))
  end
  collectgarbage(); collectgarbage()
  T.check(next(weak) ~= nil, "anchored while running")
  after(100, function()
    collectgarbage(); collectgarbage()
    T.eq(next(weak), nil, "collected after its callback")
    done()
  end)
end)

T.run()
