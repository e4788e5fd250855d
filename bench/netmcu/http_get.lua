-- http_get.lua — HTTP client benchmark, the netmcu side of bench/peers/c_http_get.c
-- (same arguments, same output): COUNT http.get of http://127.0.0.1:PORT/PATH,
-- WINDOW in flight; prints "<s> <CPU s> <failures>".
--
--   netmcu http_get.lua PORT PATH COUNT WINDOW
--
-- The module has one callback slot (the firmware's rule): each answer empties
-- it, and the callback sets it again by starting the next request, so every
-- answer is delivered while requests are still being started. Once all are
-- started, the last WINDOW-1 answers find the slot empty: the run ends when
-- the loop has nothing left to do, and a missing answer counts as a failure.
local port, path, n, window = arg[1], arg[2], tonumber(arg[3]), tonumber(arg[4])
local url = "http://127.0.0.1:" .. port .. path
local started, answered, failures = 0, 0, 0
local t0, cpu0 = tmr.now(), os.clock()

local function answer(code)
  answered = answered + 1
  if code ~= 200 then failures = failures + 1 end
  if started < n then
    started = started + 1
    http.get(url, nil, answer)
  end
end

for _ = 1, math.min(window, n) do
  started = started + 1
  http.get(url, nil, answer)
end
net.run()
local expected = n - math.min(window, n) + 1
if answered < expected then failures = failures + expected - answered end
print(string.format("%.6f %.6f %d", (tmr.now() - t0) / 1e6, os.clock() - cpu0, failures))
