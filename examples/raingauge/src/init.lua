-- init.lua: the board runs this at power-on.
dofile("raingauge.lua")
