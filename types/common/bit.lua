---@meta
-- LuaLS definitions of netmcu's bit module: the firmware's bit operations on signed 32-bit integers.

---@class bit
bit = {}

---@param value integer
---@return integer
function bit.bnot(value) end

---@param v1 integer
---@param ... integer
---@return integer
function bit.band(v1, ...) end

---@param v1 integer
---@param ... integer
---@return integer
function bit.bor(v1, ...) end

---@param v1 integer
---@param ... integer
---@return integer
function bit.bxor(v1, ...) end

---@param value integer
---@param shift integer
---@return integer
function bit.lshift(value, shift) end

---Logical right shift.
---@param value integer
---@param shift integer
---@return integer
function bit.rshift(value, shift) end

---Arithmetic right shift.
---@param value integer
---@param shift integer
---@return integer
function bit.arshift(value, shift) end

---`1 << position`.
---@param position integer
---@return integer
function bit.bit(position) end

---@param value integer
---@param ... integer positions
---@return integer
function bit.set(value, ...) end

---@param value integer
---@param ... integer positions
---@return integer
function bit.clear(value, ...) end

---@param value integer
---@param position integer
---@return boolean
function bit.isset(value, position) end

---@param value integer
---@param position integer
---@return boolean
function bit.isclear(value, position) end
