-- profile: 1.5 2.2 3.0
-- types_stubs.lua — the LuaLS stubs in types/ against the runtime of each profile (cases in lib_types.lua).
require("lib_types").run(os.getenv("NETMCU_COMPAT") or "1.5")
