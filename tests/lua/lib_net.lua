-- lib_net.lua — small helpers shared by the net behaviour tests.
local M = {}

-- Starts a TCP server on a free port; on_conn(sock) is the listen callback.
-- Returns the server and its port.
function M.server(on_conn, timeout)
  local srv = net.createServer(net.TCP, timeout or 30)
  srv:listen(0, "127.0.0.1", on_conn)
  local port = srv:getaddr()
  return srv, port
end

-- A client socket with the given handlers, connected to port on 127.0.0.1.
function M.client(port, handlers)
  local sk = net.createConnection(net.TCP, 0)
  for ev, fn in pairs(handlers or {}) do sk:on(ev, fn) end
  sk:connect(port, "127.0.0.1")
  return sk
end

-- A loopback port that was free a moment ago: connecting to it is refused.
function M.closed_port()
  local probe = net.createServer(net.TCP, 30)
  probe:listen(0, "127.0.0.1")
  local port = probe:getaddr()
  probe:close()
  return port
end

return M
