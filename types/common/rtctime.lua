---@meta
-- LuaLS definitions of netmcu's rtctime module (the 2.x rtctime.adjust_delta is in types/3.0/rtctime_2x.lua).

---@class rtctime
rtctime = {}

---@param sec integer
---@param usec? integer
function rtctime.set(sec, usec) end

---@return integer sec, integer usec, integer rate
function rtctime.get() end

---@param us integer
---@param option? integer
function rtctime.dsleep(us, option) end

---@param align_us integer
---@param min_us integer
---@param option? integer
function rtctime.dsleep_aligned(align_us, min_us, option) end

---@param stamp integer
---@return {year: integer, mon: integer, day: integer, hour: integer, min: integer, sec: integer, yday: integer, wday: integer}
function rtctime.epoch2cal(stamp) end
