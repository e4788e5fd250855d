---@meta
-- LuaLS definitions of the tmr module forms of the 1.5 and 2.2 profiles: each timer
-- method as a module function taking the timer object or a static timer number (0-6) first.

---@param id integer|tmr.timer
---@param interval_ms integer
---@param mode integer
---@param fn function
---@return boolean
function tmr.alarm(id, interval_ms, mode, fn) end

---@param id integer|tmr.timer
---@param interval_ms integer
---@param mode integer
---@param fn function
function tmr.register(id, interval_ms, mode, fn) end

---@param id integer|tmr.timer
---@param interval_ms integer
function tmr.interval(id, interval_ms) end

---@param id integer|tmr.timer
---@return boolean
function tmr.start(id) end

---@param id integer|tmr.timer
---@return boolean
function tmr.stop(id) end

---@param id integer|tmr.timer
---@return boolean|nil running, integer|nil mode
function tmr.state(id) end

---@param id integer|tmr.timer
function tmr.unregister(id) end
