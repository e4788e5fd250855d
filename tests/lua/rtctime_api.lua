-- profile: 1.5 2.2
-- rtctime_api.lua — rtctime under 1.5 and 2.2 (cases in lib_rtctime.lua).
require("lib_rtctime").run()
