---@meta
-- LuaLS definitions of the 3.0 profile's additions to node.

---@return {lfs_addr: integer, lfs_size: integer, spiffs_addr: integer, spiffs_size: integer}
function node.getpartitiontable() end
