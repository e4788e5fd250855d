-- pipe_absent.lua — the 1.5 firmware has no pipe module, and its node.output
-- hands the callback the text itself (the 3.0 side: pipe_compat30.lua and
-- node_output_compat30.lua).
local T = require "testlib"

T.case("no_pipe_module_in_the_1_5_profile", function(done)
  T.eq(pipe, nil, "no global")
  T.eq(package.loaded.pipe, nil, "not loaded")
  T.eq(pcall(require, "pipe"), false, "require fails")
  done()
end)

T.case("node_output_hands_a_string", function(done)
  node.output(T.expect(function(s)
    node.output()
    T.eq(type(s), "string", "type")
    T.eq(s, "text\n", "the printed line")
    done()
  end, 1, "output callback"), 0)
  print("text")
end)

T.run()
