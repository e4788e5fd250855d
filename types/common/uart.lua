---@meta
-- LuaLS definitions of netmcu's uart module (both profiles; 3.0 additions in types/3.0).

---@class uart
---@field STOPBITS_1 integer
---@field STOPBITS_2 integer
---@field STOPBITS_1_5 integer
---@field PARITY_NONE integer
---@field PARITY_EVEN integer
---@field PARITY_ODD integer
uart = {}

---@param id integer
---@param baud integer
---@param databits integer
---@param parity integer
---@param stopbits integer
---@param echo? integer
---@return integer baud
function uart.setup(id, baud, databits, parity, stopbits, echo) end

---@param id integer
---@return integer baud, integer databits, integer parity, integer stopbits
function uart.getconfig(id) end

---Writes strings as they are and numbers as one byte each.
---@param id integer
---@param ... string|integer
function uart.write(id, ...) end

---Takes console input: `uart.on("data", [n | end_char,] [fn,] [run_input])`.
---@param method "data"
---@param n_or_char? integer|string|function
---@param fn? function|integer
---@param run_input? integer
function uart.on(method, n_or_char, fn, run_input) end

---@param on integer
function uart.alt(on) end
