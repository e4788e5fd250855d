---@meta
-- LuaLS definitions of the 3.0 profile's pipe module.

---@class pipe
pipe = {}

---A new pipe; `fn(p)` runs as a node task after a write.
---@param fn? fun(p: pipe.obj): boolean|nil
---@param priority? integer node.task.LOW_PRIORITY … HIGH_PRIORITY
---@return pipe.obj
function pipe.create(fn, priority) end

---@class pipe.obj
local p = {}

---@param n_or_delim? integer|string
---@return string|nil
function p:read(n_or_delim) end

---@param n_or_delim? integer|string
---@return fun(): string|nil
function p:reader(n_or_delim) end

---@param s string|number
function p:unread(s) end

---@param s string|number
function p:write(s) end

---@return integer
function p:nrec() end
