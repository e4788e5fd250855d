---@meta
-- LuaLS definitions of the 3.0 profile's file.getcontents and file.putcontents.

---@param name string
---@return string|nil
function file.getcontents(name) end

---@param name string
---@param data string
---@return boolean|nil
function file.putcontents(name, data) end
