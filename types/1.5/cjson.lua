---@meta
-- LuaLS definitions of the 1.5 profile's cjson module (2.2 replaced it with sjson).

---@class cjson
cjson = {}

---@param value any
---@return string
function cjson.encode(value) end

---@param text string
---@return any
function cjson.decode(text) end
