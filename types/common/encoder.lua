---@meta
-- LuaLS definitions of netmcu's encoder module (both profiles).

---@class encoder
encoder = {}

---@param s string
---@return string
function encoder.toBase64(s) end

---@param b64 string
---@return string
function encoder.fromBase64(b64) end

---@param s string
---@return string
function encoder.toHex(s) end

---@param hex string
---@return string
function encoder.fromHex(hex) end
