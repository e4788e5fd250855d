---@meta
-- LuaLS definitions of netmcu's control module (netmcu's own: the simulated board's control channel).

---@class control
control = {}

---Runs a control command ("gpio set 3 0", "wifi drop", …) and returns the reply's text.
---@param command string
---@return string
function control.send(command) end

---The control socket's path, or nil without --control.
---@return string|nil
function control.path() end
