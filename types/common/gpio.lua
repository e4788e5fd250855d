---@meta
-- LuaLS definitions of netmcu's gpio module (both profiles; gpio.pulse is in types/3.0).

---@class gpio
---@field OUTPUT integer
---@field INPUT integer
---@field INT integer
---@field OPENDRAIN integer
---@field HIGH integer
---@field LOW integer
---@field PULLUP integer
---@field FLOAT integer
gpio = {}

---@param pin integer
---@param mode integer
---@param pullup? integer
function gpio.mode(pin, mode, pullup) end

---@param pin integer
---@return integer
function gpio.read(pin) end

---@param pin integer
---@param level integer
function gpio.write(pin, level) end

---@param pin integer
---@param type? "up"|"down"|"both"|"low"|"high"|"none"
---@param fn? fun(level: integer, when: integer, eventcount: integer)
function gpio.trig(pin, type, fn) end

---@param pin integer
---@param start_level integer
---@param delays integer[]
---@param cycles? integer
---@param callback? function|integer
function gpio.serout(pin, start_level, delays, cycles, callback) end
