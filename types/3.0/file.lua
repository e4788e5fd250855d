---@meta
-- LuaLS definitions of the 3.0 profile's additions to file.

---@param name string
---@return {size: integer, name: string, is_dir: boolean, is_rdonly: boolean, is_hidden: boolean, is_sys: boolean, is_arch: boolean, time: table}|nil
function file.stat(name) end

---@param name string
---@return string|nil
function file.getcontents(name) end

---@param name string
---@param data string
---@return boolean|nil
function file.putcontents(name, data) end
