-- profile: 3.0
-- node_chip_compat30.lua — node chip functions, 3.0 profile (cases in lib_node_chip.lua).
local T = require "testlib"
require("lib_node_chip").run("3.0")
T.run()
