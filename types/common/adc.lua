---@meta
-- LuaLS definitions of netmcu's adc module (the value comes from the control channel).

---@class adc
---@field INIT_ADC integer
---@field INIT_VDD33 integer
adc = {}

---@param channel integer 0
---@return integer 0-1024
function adc.read(channel) end

---@return integer millivolts
function adc.readvdd33() end

---Stores the ADC's mode for the next power-on; true when it changed.
---@param mode integer adc.INIT_ADC or adc.INIT_VDD33
---@return boolean
function adc.force_init_mode(mode) end
