---@meta
-- LuaLS definitions of netmcu's rtcmem module: 128 words of RTC memory.

---@class rtcmem
rtcmem = {}

---@param idx integer 0-127
---@param n? integer
---@return integer ...
function rtcmem.read32(idx, n) end

---@param idx integer
---@param ... integer
function rtcmem.write32(idx, ...) end
