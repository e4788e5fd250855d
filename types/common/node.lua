---@meta
-- LuaLS definitions of netmcu's node module (both profiles; 3.0 additions in types/3.0).

---@class node
node = {}

---@return integer
function node.chipid() end

---@return integer
function node.flashid() end

---@return integer
function node.flashsize() end

---Bytes the Lua state may still allocate under its heap budget.
---@return integer
function node.heap() end

---@param group? string "hw", "sw_version", "build_config" (3.0); none: the 1.5 list
---@return any ...
function node.info(group) end

---Compiles the flash file `name` (.lua) to `name` with .lc.
---@param name string
function node.compile(name) end

---Feeds `text` to the console's interpreter, as typed.
---@param text string
function node.input(text) end

---Redirects the console's output to `fn(str)` (nil: back to the console).
---@param fn fun(str: string)|nil
---@param serial? integer 1: also to the console
function node.output(fn, serial) end

---Ends the run with status 3 (with --boot: reboots the board).
function node.restart() end

---Handles errors of callbacks instead of ending the run.
---@param fn? fun(message: string)
function node.setonerror(fn) end

---@class node.egc
---@field NOT_ACTIVE integer
---@field ALWAYS integer
---@field ON_ALLOC_FAILURE integer
---@field ON_MEM_LIMIT integer
node.egc = {}

---@param mode integer
---@param limit? integer
function node.egc.setmode(mode, limit) end

---@return integer total_allocated, integer estimated_used
function node.egc.meminfo() end

---@class node.task
---@field LOW_PRIORITY integer 0
---@field MEDIUM_PRIORITY integer 1
---@field HIGH_PRIORITY integer 2
node.task = {}

---Runs `fn` from the loop after the current code, at `priority` (default medium).
---@param priority integer|function
---@param fn? function
function node.task.post(priority, fn) end
