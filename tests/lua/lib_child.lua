-- lib_child.lua — runs a Lua script in a second netmcu process, for behaviour
-- that ends or outlives a run (exit status, the loop staying alive).
local M = {}

local function binary()
  return os.getenv("NETMCU") or arg[-1]
end

-- Runs code as a script file; returns its output (stdout and stderr), its exit
-- status and the milliseconds it took. opts.env: "NAME=value ..." prefix;
-- opts.args: extra runner options placed before the script.
function M.run(code, opts)
  opts = opts or {}
  local path = os.tmpname()
  local f = assert(io.open(path, "w"))
  f:write(code)
  f:close()
  local clock0 = tmr.now()
  local p = io.popen(string.format("env %s timeout 15 %s %s %s 2>&1; echo \"status=$?\"",
    opts.env or "", binary(), opts.args or "", path))
  local out = p:read("*a")
  p:close()
  os.remove(path)
  local us = tmr.now() - clock0
  if us < 0 then us = us + 0x80000000 end -- tmr.now() wraps at 31 bits
  local ms = us / 1000
  local status = tonumber(out:match("status=(%d+)%s*$"))
  return out:gsub("status=%d+%s*$", ""), status, ms
end

return M
