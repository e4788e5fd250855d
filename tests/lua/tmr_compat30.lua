-- profile: 3.0
-- tmr_compat30.lua — the 3.0 profile: no static timers, objects only (run with NETMCU_COMPAT=3.0).
local T = require "testlib"

T.case("static_timer_functions_are_absent", function(done)
  for _, name in ipairs({"alarm", "register", "start", "stop", "unregister", "interval", "state"}) do
    T.eq(tmr[name], nil, "tmr." .. name)
  end
  T.check(type(tmr.create) == "function" and type(tmr.now) == "function", "the rest is there")
  done()
end)

T.case("methods_want_a_timer_object", function(done)
  local t = tmr.create()
  T.errors(function() t.start(1) end, "tmr.timer expected")
  T.errors(function() t.register(nil, 10, 0, print) end, "tmr.timer expected")
  done()
end)

T.case("object_timers_work", function(done)
  tmr.create():alarm(10, tmr.ALARM_SINGLE, T.expect(function(t)
    T.eq(t:state(), nil)
    done()
  end))
end)

T.case("node_info_takes_a_group", function(done)
  local hw = node.info("hw")
  T.eq(hw.chip_id, node.chipid(), "hw.chip_id")
  T.eq(hw.flash_id, node.flashid(), "hw.flash_id")
  local sw = node.info("sw_version")
  T.eq(sw.node_version_major, 3, "major")
  T.eq(type(node.info("build_config").modules), "string", "build_config.modules")
  T.eq(select("#", node.info()), 8, "no group: the legacy eight values")
  T.errors(function() node.info("nope") end, "invalid option 'nope'")
  done()
end)

T.run()
