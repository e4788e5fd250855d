---@meta
-- LuaLS definitions of m:connect in the 1.5 and 2.2 profiles (with autoreconnect).

---@class mqtt.client
local client = {}

---@param host string
---@param port? integer
---@param secure? integer|boolean
---@param autoreconnect? integer|boolean
---@param ok? fun(client: mqtt.client)
---@param fail? fun(client: mqtt.client, reason: integer)
---@return boolean
function client:connect(host, port, secure, autoreconnect, ok, fail) end
