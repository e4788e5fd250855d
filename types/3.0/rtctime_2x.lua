---@meta
-- LuaLS definitions of rtctime.adjust_delta (2.2 and 3.0 profiles).

---@param us integer
---@return integer
function rtctime.adjust_delta(us) end
