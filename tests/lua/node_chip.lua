-- node_chip.lua — node chip functions, 1.5 profile (cases in lib_node_chip.lua).
local T = require "testlib"
require("lib_node_chip").run(false)
T.run()
