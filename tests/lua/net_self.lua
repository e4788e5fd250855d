-- profile: 1.5 2.2 3.0
-- net_self.lua — a net method called on something else than its object (a
-- method called with a dot): 1.5 names the type it expected, as
-- luaL_checkudata does; from 2.2 on the lwIP-based module raises
-- "invalid user data" (net_get_udata_s). docs/firmware-behaviour.md §3.
local T = require "testlib"
local N = require "lib_net"

local era = node.info() -- the major version: 1, 2 or 3
local function bad_self(expected)
  if era == 1 then return "bad argument #1 to '%a+' %(" .. expected .. " expected" end
  return ": invalid user data$"
end

local function errors_with(fn, pattern, what)
  local ok, err = pcall(fn)
  T.check(not ok, what .. " raises")
  T.match(tostring(err), pattern, what)
end

T.case("socket_methods_called_with_a_dot", function(done)
  local sk = net.createConnection(net.TCP, 0)
  errors_with(function() sk.on("receive", print) end, bad_self("net.socket"), "on")
  errors_with(function() sk.send("x") end, bad_self("net.socket"), "send")
  errors_with(function() sk.connect(80, "127.0.0.1") end, bad_self("net.socket"), "connect")
  errors_with(function() sk.close() end, bad_self("net.socket"), "close")
  errors_with(function() sk.getpeer() end, bad_self("net.socket"), "getpeer")
  done()
end)

T.case("server_and_udp_methods_called_with_a_dot", function(done)
  local srv = net.createServer(net.TCP, 30)
  errors_with(function() srv.listen(0) end, bad_self("net.server"), "server listen")
  errors_with(function() srv.close() end, bad_self("net.server"), "server close")
  local u = net.createConnection(net.UDP, 0)
  errors_with(function() u.send("x") end, bad_self("net.[a-z]+"), "udp send")
  errors_with(function() u.close() end, bad_self("net.[a-z]+"), "udp close")
  done()
end)

T.case("a_socket_method_on_a_server_or_a_timer", function(done)
  local sk = net.createConnection(net.TCP, 0)
  local srv = net.createServer(net.TCP, 30)
  errors_with(function() sk.close(srv) end, bad_self("net.socket"), "socket close on a server")
  errors_with(function() sk.send(tmr.create(), "x") end, bad_self("net.socket"), "socket send on a timer")
  done()
end)

-- The 2.2 HTTP server module's disconnection callback calls conn.on("sent",
-- nil): the error the script's handler gets.
T.case("a_dot_call_in_a_disconnection_callback", function(done)
  local srv
  srv = N.server(function(conn)
    conn:on("disconnection", T.expect(function(c)
      local ok, err = pcall(function() c.on("sent", nil) end)
      T.check(not ok, "the dot call raises")
      T.match(tostring(err), bad_self("net.socket"), "its message")
      srv:close()
      done()
    end, 1, "disconnection"))
  end)
  local port = select(1, srv:getaddr())
  local sk
  sk = N.client(port, {connection = function() sk:close() end})
end)

T.run()
