-- profile: 3.0
-- The 3.0 profile (NETMCU_COMPAT=3.0): docs/firmware-behaviour.md §6 and §11.
local T = require "testlib"
local N = require "lib_net"

T.case("constructors take the later forms", function(done)
  T.eq(type(net.createConnection()), "userdata", "type is optional")
  T.errors(function() net.createConnection(3) end, "invalid type")
  local srv = net.createServer()
  T.eq(type(srv), "userdata")
  T.eq(type(net.createServer(60)), "userdata", "a single number is the timeout")
  T.errors(function() net.createServer(0) end, "wrong arg type")
  done()
end)

T.case("on() texts, nil unregisters", function(done)
  local sk = net.createConnection(net.TCP, 0)
  T.errors(function() sk:on("bogus", print) end, "invalid callback name")
  T.errors(function() sk:on("receive", 5) end, "invalid callback function")
  T.eq(sk:on("receive", nil), nil)
  done()
end)

T.case("receive set to nil stops its calls; set again, it fires", function(done)
  local srv, port = N.server(function(c)
    c:on("receive", function(s, d) s:send(d) end)
  end)
  local sk = net.createConnection()
  sk:on("receive", T.never("receive after on('receive', nil)"))
  sk:on("receive", nil)
  sk:on("connection", function(s)
    s:send("ignored", function(x)
      x:on("sent", nil)
      tmr.create():alarm(100, tmr.ALARM_SINGLE, function()
        x:on("receive", T.expect(function(y, d)
          T.eq(d, "heard")
          y:close()
          srv:close()
          done()
        end))
        x:send("heard")
      end)
    end)
  end)
  sk:connect(port, "127.0.0.1")
end)

T.case("send on an unconnected socket and empty send raise", function(done)
  local sk = net.createConnection(net.TCP, 0)
  T.errors(function() sk:send("x") end, "not connected")
  T.errors(function() sk:send("") end, "no data to send")
  T.eq(sk:close(), nil, "close never raises (Q31)")
  done()
end)

T.case("getpeer is port, ip; listen binds the given address", function(done)
  local srv, port = N.server(function(c)
    local p, ip = c:getpeer()
    T.eq(ip, "127.0.0.1")
    T.eq(type(p), "number")
  end)
  local _, ip = srv:getaddr()
  T.eq(ip, "127.0.0.1", "bound to the given address")
  local sk = N.client(port, {connection = function(s) s:close() end})
  local p, ip2 = sk:getpeer()
  T.eq(p, port)
  T.eq(ip2, "127.0.0.1")
  T.errors(function() sk:connect(port, "127.0.0.1") end, "already connected")
  sk:on("disconnection", T.never("disconnection after a local close"))
  local t = net.createServer(net.TCP, 30)
  T.errors(function() t:listen(0, "not an ip") end, "invalid IP address")
  -- the local close produces no event; finish once the server saw the end
  srv:close()
  net.createConnection():dns("127.0.0.1", function() done() end)
end)

T.case("accepted sockets get connection after the listen callback", function(done)
  local order = {}
  local srv, port
  srv, port = N.server(function(c)
    order[#order + 1] = "listen"
    c:on("connection", T.expect(function(s)
      order[#order + 1] = "connection"
      T.eq(table.concat(order, ","), "listen,connection")
      s:close()
      srv:close()
      done()
    end))
  end)
  N.client(port, {})
end)

T.case("errors go to reconnection when registered", function(done)
  local port = N.closed_port()
  N.client(port, {
    disconnection = T.never("disconnection when reconnection is registered"),
    reconnection = T.expect(function(s, err)
      T.eq(err, -9)
      done()
    end),
  })
end)

T.case("a closed socket connects again", function(done)
  local accepted = 0
  local srv, port
  srv, port = N.server(function(c)
    accepted = accepted + 1
    c:on("receive", function(s, d) s:send(d) end)
  end)
  local sk = net.createConnection()
  local rounds = 0
  sk:on("receive", function(s, d)
    rounds = rounds + 1
    T.eq(d, "round" .. rounds)
    s:close()
    if rounds < 3 then
      s:connect(port, "127.0.0.1")
    else
      T.eq(accepted, 3)
      srv:close()
      done()
    end
  end)
  sk:on("connection", function(s) s:send("round" .. (rounds + 1)) end)
  sk:connect(port, "127.0.0.1")
end)

T.case("server:close() leaves accepted sockets open", function(done)
  local srv, port
  srv, port = N.server(function(c)
    srv:close()
    c:on("receive", function(s, d) s:send("still " .. d) end)
  end)
  N.client(port, {
    connection = function(s) s:send("here") end,
    receive = T.expect(function(s, d)
      T.eq(d, "still here")
      s:close()
      done()
    end),
  })
end)

T.case("accepted sockets: rarely set callbacks are set, cleared and fired", function(done)
  local srv, port
  srv, port = N.server(function(c)
    T.eq(c:on("reconnection", nil), nil) -- clearing one never set
    c:on("dns", nil)
    c:on("sent", T.never("sent after on('sent', nil)"))
    c:on("sent", nil)
    c:on("disconnection", T.never("a cleared disconnection callback fired"))
    c:on("disconnection", nil)
    c:on("disconnection", T.expect(function(s)
      T.eq(s, c)
      srv:close()
      done()
    end))
    c:on("receive", function(s, d)
      local p, ip = s:getpeer() -- 2.2 on: port first
      T.eq(ip, "127.0.0.1", "getpeer once rare callbacks are set")
      T.check(p > 0, "a peer port")
      s:send("re:" .. d)
    end)
  end)
  local sk = net.createConnection(net.TCP, 0)
  sk:on("disconnection", function() end)
  T.eq(sk:getpeer(), nil, "no peer before connect")
  sk:on("connection", function(s) s:send("x") end)
  sk:on("receive", T.expect(function(s, d)
    T.eq(d, "re:x")
    T.eq((s:getpeer()), port, "the client's peer is the connect() target")
    s:close()
  end))
  sk:connect(port, "127.0.0.1")
end)

T.run()
