---@meta
-- LuaLS definitions of m:connect in the 3.0 profile (no autoreconnect).

---@class mqtt.client
local client = {}

---@param host string
---@param port? integer
---@param secure? boolean
---@param ok? fun(client: mqtt.client)
---@param fail? fun(client: mqtt.client, reason: integer)
---@return boolean
function client:connect(host, port, secure, ok, fail) end
