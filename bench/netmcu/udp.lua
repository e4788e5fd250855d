-- udp.lua — the netmcu UDP echo, written as a NodeMCU script (the seed server form).
--
--   netmcu udp.lua PORT
--
-- Sends every datagram back to its sender: send(data) on a UDP server replies
-- to the sender of the last datagram received.
local srv = net.createServer(net.UDP)
srv:on("receive", function(s, data) s:send(data) end)
srv:listen(tonumber(arg[1]), "127.0.0.1")
