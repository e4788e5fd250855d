---@meta
-- LuaLS definitions of file.stat, in the 2.2 and 3.0 profiles.

---@param name string
---@return {size: integer, name: string, is_dir: boolean, is_rdonly: boolean, is_hidden: boolean, is_sys: boolean, is_arch: boolean, time: table}|nil
function file.stat(name) end
