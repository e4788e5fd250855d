-- testlib.lua — asynchronous test cases for netmcu scripts.
--
-- A file registers cases with T.case(name, fn); fn(done) starts its work and
-- calls done() when every expected event has happened. T.run() starts the cases
-- one after another from the event loop, runs the loop, and prints one line per
-- case ("ok - name" / "not ok - name: reason"). A case fails when a check
-- fails, when a callback wrapped by T.expect fires a wrong number of times or
-- raises, when it exceeds its time bound (needs tmr), or when the loop ends
-- before it called done().
local T = {}

local cases, current = {}, nil
local failures = 0

local function fail(case, reason)
  if not case.failed then case.failed = reason end
end

function T.case(name, fn, opts)
  cases[#cases + 1] = {name = name, fn = fn, timeout = (opts and opts.timeout) or 10, expects = {},
                       skip = opts and opts.skip}
end

function T.fail(reason)
  fail(current, reason)
end

function T.check(cond, msg)
  if not cond then fail(current, msg or "check failed") end
  return cond
end

local function show(v)
  if type(v) == "string" then return string.format("%q", v) end
  return tostring(v)
end

function T.eq(got, want, msg)
  if got ~= want then
    fail(current, (msg and msg .. ": " or "") .. "got " .. show(got) .. ", want " .. show(want))
    return false
  end
  return true
end

-- T.match(s, pattern): s is a string that contains the Lua pattern.
function T.match(s, pattern, msg)
  if type(s) ~= "string" or not s:find(pattern) then
    fail(current, (msg and msg .. ": " or "") .. show(s) .. " does not match " .. show(pattern))
    return false
  end
  return true
end

-- T.errors(fn, pattern): calling fn raises an error whose message matches (plain text).
function T.errors(fn, text, msg)
  local ok, err = pcall(fn)
  if ok then
    fail(current, (msg and msg .. ": " or "") .. "no error, want " .. show(text))
    return false
  end
  if not tostring(err):find(text, 1, true) then
    fail(current, (msg and msg .. ": " or "") .. "error " .. show(tostring(err)) .. ", want " .. show(text))
    return false
  end
  return true
end

-- T.expect(fn, n): a wrapper that must be called exactly n times (default 1)
-- before the case ends; an error inside fn fails the case instead of the run.
function T.expect(fn, n, label)
  local case = current
  local e = {want = n or 1, calls = 0, label = label or ("callback #" .. (#case.expects + 1))}
  case.expects[#case.expects + 1] = e
  return function(...)
    e.calls = e.calls + 1
    if fn then
      local ok, err = pcall(fn, ...)
      if not ok then fail(case, e.label .. " raised: " .. tostring(err)) end
    end
  end
end

-- A callback that must never fire.
function T.never(label)
  return T.expect(nil, 0, label)
end

local start_next

local function finish(case)
  if case.finished then return end
  case.finished = true
  if case.timer then case.timer:unregister() end
  for _, e in ipairs(case.expects) do
    if e.calls ~= e.want then
      fail(case, string.format("%s fired %d times, want %d", e.label, e.calls, e.want))
    end
  end
  if case.failed then
    failures = failures + 1
    print("not ok - " .. case.name .. ": " .. case.failed)
  else
    print("ok - " .. case.name)
  end
  io.stdout:flush()
  current = nil
  start_next()
end

local index = 0
start_next = function()
  index = index + 1
  local case = cases[index]
  if not case then return end
  if case.skip then -- T.case(name, fn, {skip = reason}): not run here, and says why
    case.finished = true
    print("skip - " .. case.name .. ": " .. case.skip)
    return start_next()
  end
  current = case
  local function done() finish(case) end
  if tmr and tmr.create then
    case.timer = tmr.create()
    case.timer:register(case.timeout * 1000, tmr.ALARM_SINGLE, function()
      fail(case, "timed out after " .. case.timeout .. " s")
      finish(case)
    end)
    case.timer:start()
  end
  local ok, err = pcall(case.fn, done)
  if not ok then
    fail(case, "raised: " .. tostring(err))
    finish(case)
  end
end

-- Runs a shell command and returns its output (for starting peers).
function T.sh(cmd)
  local p = io.popen(cmd)
  local out = p:read("*a")
  p:close()
  return out
end

function T.run()
  start_next()
  net.run()
  for i = index, #cases do
    local case = cases[i]
    if case and not case.finished then
      failures = failures + 1
      print("not ok - " .. case.name .. ": the loop ended before the case finished" ..
            (case.failed and (" (" .. case.failed .. ")") or ""))
    end
  end
  io.stdout:flush()
  os.exit(failures == 0 and 0 or 1)
end

return T
