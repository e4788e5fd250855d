-- dns.lua — DNS benchmark client: COUNT lookups of distinct names through
-- net.dns.resolve, WINDOW in flight at a time; prints "<seconds> <CPU seconds>
-- <failures>", both measured from the first lookup (start-up left out).
--
--   netmcu dns.lua SERVER COUNT WINDOW
local server, count, window = arg[1], tonumber(arg[2]), tonumber(arg[3])
net.dns.setdnsserver(server, 0)
net.dns.setdnsserver(server, 1)
local started, answered, failed = 0, 0, 0
local t0, cpu0 = tmr.now(), os.clock()
local function next_lookup()
  started = started + 1
  net.dns.resolve("n" .. started .. ".bench.test", function(_, ip)
    answered = answered + 1
    if ip == nil then failed = failed + 1 end
    if started < count then
      next_lookup()
    elseif answered == count then
      print(string.format("%.6f %.6f %d", (tmr.now() - t0) / 1e6, os.clock() - cpu0, failed))
    end
  end)
end
for _ = 1, math.min(window, count) do next_lookup() end
