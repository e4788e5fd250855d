---@meta
-- LuaLS definitions of netmcu's pwm module (the SDK driver's model, shown by --gpio-trace).

---@class pwm
pwm = {}

---@param pin integer 1-12
---@param clock integer 1-1000 Hz
---@param duty integer 0-1023
---@return integer clock
function pwm.setup(pin, clock, duty) end

---@param pin integer
function pwm.close(pin) end

---@param pin integer
function pwm.start(pin) end

---@param pin integer
function pwm.stop(pin) end

---@param pin integer
---@param clock integer
function pwm.setclock(pin, clock) end

---@param pin integer
---@return integer
function pwm.getclock(pin) end

---@param pin integer
---@param duty integer
function pwm.setduty(pin, duty) end

---@param pin integer
---@return integer
function pwm.getduty(pin) end
