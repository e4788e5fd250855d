---@meta
-- LuaLS definitions of netmcu's file module, the flash file system (both profiles; 3.0 additions in types/3.0).

---@class file
file = {}

---Opens `name` (mode "r" by default) as the current file and returns its object.
---@param name string
---@param mode? "r"|"w"|"a"|"r+"|"w+"|"a+"
---@return file.obj|nil
function file.open(name, mode) end

function file.close() end

---@param n_or_char? integer|string
---@return string|nil
function file.read(n_or_char) end

---@return string|nil
function file.readline() end

---@param s string
---@return boolean|nil
function file.write(s) end

---@param s string
---@return boolean|nil
function file.writeline(s) end

---@param whence? "set"|"cur"|"end"
---@param offset? integer
---@return integer|nil
function file.seek(whence, offset) end

---@return boolean
function file.flush() end

---`{name = size}` of every file (3.0: only names matching `pattern`).
---@param pattern? string
---@return table<string, integer>
function file.list(pattern) end

---@param name string
---@return boolean
function file.exists(name) end

---@param name string
function file.remove(name) end

---@param old string
---@param new string
---@return boolean
function file.rename(old, new) end

---@return integer remaining, integer used, integer total
function file.fsinfo() end

---@return integer address, integer size
function file.fscfg() end

function file.format() end

---@param event "rtc"
---@param fn? function
function file.on(event, fn) end

---A file object (file.open's result).
---@class file.obj
local f = {}

function f:close() end

---@param n_or_char? integer|string
---@return string|nil
function f:read(n_or_char) end

---@return string|nil
function f:readline() end

---@param s string
---@return boolean|nil
function f:write(s) end

---@param s string
---@return boolean|nil
function f:writeline(s) end

---@param whence? "set"|"cur"|"end"
---@param offset? integer
---@return integer|nil
function f:seek(whence, offset) end

---@return boolean
function f:flush() end
