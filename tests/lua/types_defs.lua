-- profile: 1.5 2.2 3.0
-- types_defs.lua — the LuaLS type definitions in types/ against the runtime of each profile (cases in lib_types.lua).
require("lib_types").run(os.getenv("NETMCU_COMPAT") or "1.5")
