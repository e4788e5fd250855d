-- profile: 1.5 2.2
-- node_chip.lua — node chip functions before 3.0 (cases in lib_node_chip.lua).
local T = require "testlib"
require("lib_node_chip").run(os.getenv("NETMCU_COMPAT") or "1.5")
T.run()
