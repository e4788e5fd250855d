-- startup.lua — start-up benchmark: create a server, listen, close it, exit.
--
--   netmcu startup.lua PORT
local srv = net.createServer(net.TCP, 30)
srv:listen(tonumber(arg[1]), "127.0.0.1", function() end)
srv:close()
