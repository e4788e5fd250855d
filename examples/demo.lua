-- demo.lua — a small HTTP server and a client that fetches from it, the
-- NodeMCU way. Run it with `make run` or `build/netmcu examples/demo.lua`.
local srv = net.createServer(net.TCP, 30)

srv:listen(0, function(conn)
  conn:on("receive", function(sck, request)
    local path = request:match("^GET (%S+)") or "?"
    local body = "Hello from netmcu! You asked for " .. path .. "\n"
    -- Two sends in a row: the firmware could drop the second; netmcu queues both.
    sck:send("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " .. #body .. "\r\n\r\n")
    sck:send(body, function(s) s:close() end)
  end)
end)

local port = srv:getaddr()
print("server listening on port " .. port)

local response = {}
local client = net.createConnection(net.TCP, 0)
client:on("connection", function(sck)
  print("client connected to " .. table.concat({sck:getpeer()}, ":"))
  sck:send("GET /demo HTTP/1.0\r\nHost: localhost\r\n\r\n")
end)
client:on("receive", function(sck, data) response[#response + 1] = data end)
client:on("disconnection", function(sck, err)
  print("client got:\n" .. table.concat(response))
  print("disconnected (" .. err .. "); closing the server, the run ends by itself")
  srv:close()
end)
client:connect(port, "127.0.0.1")
