---@meta
-- LuaLS definitions of the 3.0 profile's additions to uart.

---@param id integer
---@param dir integer uart.DIR_RX or uart.DIR_TX
---@return integer
function uart.fifodepth(id, dir) end
