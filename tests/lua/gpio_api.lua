-- gpio_api.lua — gpio under the 1.5 profile: the common cases (lib_gpio.lua)
-- and what the seed firmware lacks.
local T = require "testlib"
local G = require "lib_gpio"

T.case("no_pulse_in_the_1_5_profile", function(done)
  T.eq(gpio.pulse, nil, "gpio.pulse")
  done()
end)

T.case("trig_callback_gets_only_the_level", function(done)
  G.reset()
  gpio.mode(2, gpio.INT)
  gpio.trig(2, "up", T.expect(function(...)
    T.eq(select("#", ...), 1, "one argument")
    T.eq((...), 1, "the level")
    G.reset()
    done()
  end, 1, "trig callback"))
  control.send("gpio set 2 1")
end)

T.run()
