---@meta
-- LuaLS definitions of crypto.toHex and crypto.toBase64 (the 1.5 and 2.2 profiles; 3.0 moved them to encoder).

---@param s string
---@return string
function crypto.toHex(s) end

---@param s string
---@return string
function crypto.toBase64(s) end
