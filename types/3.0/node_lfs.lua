---@meta
-- LuaLS definitions of the 3.0 profile's node.LFS.

---@class node.LFS
---@field time integer|nil the image's build time
---@field config table|nil
node.LFS = {}

---@param name string
---@return function|nil
function node.LFS.get(name) end

---@return string[]|nil
function node.LFS.list() end

---@param imagename string
---@return string|nil
function node.LFS.reload(imagename) end
