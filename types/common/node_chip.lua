---@meta
-- LuaLS definitions of node's chip functions in every profile: boot reason, deep sleep, CPU clock, debug info.

---@return integer raw, integer reason 0 cold start, 4 restart, 5 deep sleep wake-up, …
function node.bootreason() end

---Ends this power-on after the running callback; the board wakes after `us` µs.
---@param us integer
---@param option? integer 0-4
---@param instant? integer
function node.dsleep(us, option, instant) end

---@param mhz integer node.CPU80MHZ or node.CPU160MHZ
---@return integer
function node.setcpufreq(mhz) end

---@param on boolean
function node.osprint(on) end

---@param level? integer 1-3
---@param fn? function|integer
---@return integer
function node.stripdebug(level, fn) end
