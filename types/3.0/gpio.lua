---@meta
-- LuaLS definitions of gpio.pulse, in the 2.2 and 3.0 profiles.

---@class gpio.pulse
gpio.pulse = {}

---Builds a pulse program from a table of steps.
---@param steps table
---@return gpio.pulser
function gpio.pulse.build(steps) end

---@class gpio.pulser
local pulser = {}

---@param adjust? integer
---@param fn fun(pos: integer, steps: integer, offset: integer, now: integer)
function pulser:start(adjust, fn) end

---@return integer pos, integer steps, integer offset, integer now
function pulser:getstate() end

---@param pos? integer
---@param fn? function
---@return boolean
function pulser:stop(pos, fn) end

---@return boolean
function pulser:cancel() end

---@param offset_us integer
function pulser:adjust(offset_us) end

---@param entry integer
---@param step table
function pulser:update(entry, step) end
