---@meta
-- LuaLS definitions of netmcu's tmr module (both profiles; the 1.5 module forms are in types/1.5).

---@class tmr
---@field ALARM_SINGLE integer 0
---@field ALARM_AUTO integer 1
---@field ALARM_SEMI integer 2
tmr = {}

---A new, unregistered timer object.
---@return tmr.timer
function tmr.create() end

---Busy-waits `us` microseconds.
---@param us integer
function tmr.delay(us) end

---The microsecond counter (31 bits, wraps).
---@return integer
function tmr.now() end

---The seconds since the run started.
---@return integer
function tmr.time() end

---Arms the soft watchdog for `s` seconds (-1 disarms); expiry ends the run with status 4.
---@param s integer
function tmr.softwd(s) end

---Feeds the system watchdog (nothing to feed on a PC).
function tmr.wdclr() end

---@class tmr.timer
local timer = {}

---@param interval_ms integer
---@param mode integer tmr.ALARM_SINGLE, tmr.ALARM_AUTO or tmr.ALARM_SEMI
---@param fn fun(t: tmr.timer)
---@return boolean
function timer:alarm(interval_ms, mode, fn) end

---@param interval_ms integer
---@param mode integer
---@param fn fun(t: tmr.timer)
function timer:register(interval_ms, mode, fn) end

---@param interval_ms integer
function timer:interval(interval_ms) end

---@return boolean
function timer:start() end

---@return boolean
function timer:stop() end

---@return boolean|nil running, integer|nil mode
function timer:state() end

function timer:unregister() end
