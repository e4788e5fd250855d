-- rtctime_api.lua — rtctime under 1.5 (cases in lib_rtctime.lua).
require("lib_rtctime").run()
