---@meta
-- LuaLS definitions of netmcu's struct module: binary packing with the firmware's format language.

---@class struct
struct = {}

---@param fmt string
---@param ... any
---@return string
function struct.pack(fmt, ...) end

---The values, then the position after them.
---@param fmt string
---@param s string
---@param pos? integer
---@return any ...
function struct.unpack(fmt, s, pos) end

---@param fmt string
---@return integer
function struct.size(fmt) end
