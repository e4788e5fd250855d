# tests/peers/lib/fill.sh — Lua for the out-of-memory tests (sourced, not a
# test): $FILL defines fill(), which takes every byte the heap budget has left,
# and hog(), which needs more; a script puts it first and calls them right
# before the event whose allocations must fail.
FILL='
if jit and node.heap() > 64 * 1024 * 1024 then print("SKIP this LuaJIT allocates outside the budget"); os.exit(0) end
-- LuaJIT itself may crash when memory runs out inside a compiled trace (the
-- fill loops below get compiled); the interpreter handles it as an error.
if jit then jit.off() end
filler = {}
local sizes = {65536, 4096, 256, 16}
local function step(size) while true do filler[#filler + 1] = string.rep("f", size - 8) .. #filler end end
local function fill() -- makes no closure: 5.1 has no emergency collection
  for pass = 1, 3 do
    collectgarbage()
    for i = 1, #sizes do pcall(step, sizes[i]) end
  end
end
local function hog() local t = {}; for i = 1, 1e7 do t[i] = tostring(i) end end'
