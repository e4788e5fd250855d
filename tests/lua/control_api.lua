-- control_api.lua — the control module from Lua: the same commands and
-- replies as the control socket, errors raised with the channel's text.
local T = require "testlib"

T.case("control_is_a_global_and_a_module", function(done)
  T.eq(type(control), "table")
  T.eq(type(control.send), "function")
  T.eq(type(control.path), "function")
  done()
end)

T.case("control_path_is_nil_without_the_option", function(done)
  T.eq(control.path(), nil)
  done()
end)

T.case("control_help_lists_nouns", function(done)
  local nouns = control.send("help")
  T.eq(type(nouns), "string")
  T.check(not nouns:find("help"), "help does not list itself")
  done()
end)

T.case("control_rejects_bad_commands", function(done)
  T.errors(function() control.send("nosuch verb") end,
    "control: unknown command 'nosuch' (help lists the commands)")
  T.errors(function() control.send("") end, "control: empty command")
  T.errors(function() control.send("help me") end, "control: help takes no arguments")
  T.errors(function() control.send("help\n") end, "control: control characters or non-ASCII bytes")
  T.errors(function() control.send(string.rep("a", 300)) end, "control: line too long (at most 255 bytes)")
  T.errors(function() control.send("help\0x") end, "control characters or non-ASCII bytes in the command")
  T.errors(function() control.send() end, "bad argument #1 to 'send'")
  T.errors(function() control.send({}) end, "bad argument #1 to 'send'")
  done()
end)

T.run()
