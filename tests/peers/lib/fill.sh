# tests/peers/lib/fill.sh — the out-of-memory tests' shared parts (sourced,
# not a test): $FILL is Lua that defines fill(), which takes every byte the
# heap budget has left, and hog(), which needs more; a script puts it first
# and calls them right before the event whose allocations must fail.
# oom_verdict judges such a run.

# oom_verdict TAG LABEL — after wait_exit on the run of $T/TAG.lua: the case
# passes when the script filled the heap (printed FILLED) and then ended with
# status 1 and Lua's memory error, not an unprotected-call abort; a script
# that printed SKIP (a LuaJIT that allocates outside the budget) skips it.
oom_verdict() {
  local tag=$1 label=$2
  if grep -q '^SKIP' "$T/$tag.out"; then
    skip "$label" "$(grep '^SKIP' "$T/$tag.out")"
  elif [ "$EXIT_STATUS" = 1 ] && grep -q 'not enough memory' "$T/$tag.err" &&
       ! grep -q 'unprotected' "$T/$tag.err" && grep -q '^FILLED' "$T/$tag.out"; then
    ok "$label"
  else
    fail "$label" "status $EXIT_STATUS"; describe "$tag"
  fi
}
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
