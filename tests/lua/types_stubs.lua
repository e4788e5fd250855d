-- types_stubs.lua — the LuaLS stubs against the 1.5 runtime (cases in lib_types.lua).
require("lib_types").run("1.5")
