-- types_stubs_compat30.lua — the LuaLS stubs against the 3.0 runtime (cases in lib_types.lua).
require("lib_types").run("3.0")
