---@meta
-- LuaLS definitions of the node functions that came with the 2.x firmware (2.2 and 3.0 profiles).

---@return integer us the longest deep sleep
function node.dsleepMax() end

---@return integer
function node.getcpufreq() end

---`random()` in [0, 1), `random(n)` in [1, n], `random(l, u)` in [l, u].
---@param l? integer
---@param u? integer
---@return number
function node.random(l, u) end

---Loads an LFS image from the flash and reboots (an error is returned as a string).
---@param imagename string
---@return string|nil
function node.flashreload(imagename) end

---@param name string
---@return any ...
function node.flashindex(name) end
