---@meta
-- LuaLS definitions of netmcu's sntp module.

---@class sntp
sntp = {}

---@param server_ip? string|string[]
---@param callback? fun(sec: integer, usec: integer, server: string, info: table)
---@param errcallback? fun(code: integer, text: string)
---@param autorepeat? integer|boolean
function sntp.sync(server_ip, callback, errcallback, autorepeat) end

---@param offset integer the leap-second offset
function sntp.setoffset(offset) end

---@return integer
function sntp.getoffset() end
