-- rtctime_compat30.lua — rtctime under 3.0 (cases in lib_rtctime.lua).
require("lib_rtctime").run()
