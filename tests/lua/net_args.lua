-- Argument checks and error texts of the net module (1.5 profile), and the
-- values functions return. docs/firmware-behaviour.md §3–§10.
local T = require "testlib"

T.case("constants are the seed firmware's", function(done)
  T.eq(net.TCP, 16)
  T.eq(net.UDP, 32)
  done()
end)

T.case("createConnection checks its type", function(done)
  T.errors(function() net.createConnection() end,
    "bad argument #1 to 'createConnection' (number expected, got no value)")
  T.errors(function() net.createConnection("x") end, "bad argument #1 to 'createConnection'")
  T.errors(function() net.createConnection(3) end, "wrong arg type")
  T.errors(function() net.createConnection(net.TCP, 2) end, "wrong arg type")
  T.eq(type(net.createConnection(net.TCP, 1)), "userdata")
  T.eq(type(net.createConnection(net.TCP, "1")), "userdata")
  T.eq(type(net.createConnection(net.TCP, true)), "userdata")
  T.eq(type(net.createConnection(net.TCP, 0)), "userdata")
  T.eq(type(net.createConnection(net.TCP)), "userdata")
  T.eq(type(net.createConnection(net.TCP, false)), "userdata")
  done()
end)

T.case("createServer checks type and timeout", function(done)
  T.errors(function() net.createServer() end,
    "bad argument #1 to 'createServer' (number expected, got no value)")
  T.errors(function() net.createServer(1) end, "wrong arg type")
  T.errors(function() net.createServer(net.TCP, 0) end, "wrong arg type")
  T.errors(function() net.createServer(net.TCP, 28801) end, "wrong arg type")
  T.errors(function() net.createServer(net.TCP, -5) end, "wrong arg type")
  T.eq(type(net.createServer(net.TCP, 1)), "userdata")
  T.eq(type(net.createServer(net.TCP, 28800)), "userdata")
  T.eq(type(net.createServer(net.TCP, "30")), "userdata", "numeric string timeout")
  T.eq(type(net.createServer(net.TCP)), "userdata")
  done()
end)

T.case("the function after the arguments runs later with the object", function(done)
  local inside = true
  local created
  created = net.createConnection(net.TCP, 0, T.expect(function(sk)
    T.check(not inside, "initializer ran inside createConnection")
    T.check(sk == created, "initializer got another object")
    local srv
    srv = net.createServer(net.TCP, 5, T.expect(function(s)
      T.check(s == srv, "server initializer got another object")
      done()
    end))
  end))
  inside = false
end)

T.case("methods called with a dot name the bad self", function(done)
  local sk = net.createConnection(net.TCP, 0)
  local srv = net.createServer(net.TCP, 30)
  T.errors(function() sk.connect(80, "127.0.0.1") end, "bad argument #1 to 'connect' (net.socket expected")
  T.errors(function() sk.send("x") end, "bad argument #1 to 'send' (net.socket expected")
  T.errors(function() sk.on("receive", print) end, "net.socket expected")
  T.errors(function() sk.close() end, "net.socket expected")
  T.errors(function() sk.getpeer() end, "net.socket expected")
  T.errors(function() srv.listen(80) end, "bad argument #1 to 'listen' (net.server expected")
  T.errors(function() srv.close() end, "net.server expected")
  done()
end)

T.case("socket:on checks event and function", function(done)
  local sk = net.createConnection(net.TCP, 0)
  T.errors(function() sk:on() end, "bad argument #1 to 'on' (string expected, got no value)")
  T.errors(function() sk:on("receive") end,
    "bad argument #2 to 'on' (function or lightfunction expected, got no value)")
  T.errors(function() sk:on("receive", nil) end,
    "bad argument #2 to 'on' (function or lightfunction expected, got nil)")
  T.errors(function() sk:on("receive", 5) end,
    "bad argument #2 to 'on' (function or lightfunction expected, got number)")
  T.errors(function() sk:on("Receive", print) end, "method not supported")
  T.errors(function() sk:on("bogus", print) end, "method not supported")
  for _, ev in ipairs {"connection", "reconnection", "disconnection", "receive", "sent", "dns"} do
    T.eq(sk:on(ev, print), nil, "on(" .. ev .. ") returns nothing")
  end
  done()
end)

T.case("socket:connect checks port", function(done)
  local sk = net.createConnection(net.TCP, 0)
  T.errors(function() sk:connect() end, "bad argument #1 to 'connect' (number expected, got no value)")
  T.errors(function() sk:connect("http") end, "bad argument #1 to 'connect'")
  T.errors(function() sk:connect(70000, "127.0.0.1") end, "bad argument #1 to 'connect' (port out of range)")
  T.eq(select("#", sk:connect(80, "example.invalid")), 0, "a name never raises")
  sk:close() -- drops the lookup
  done()
end)

T.case("socket:send checks data, empty send is silent", function(done)
  local sk = net.createConnection(net.TCP, 0)
  T.errors(function() sk:send() end, "bad argument #1 to 'send' (string expected, got no value)")
  T.errors(function() sk:send({}) end, "bad argument #1 to 'send' (string expected, got table)")
  T.eq(sk:send(""), nil)
  T.eq(sk:send("not connected yet"), nil, "1.5 drops a send on an unconnected socket silently")
  done()
end)

T.case("server:listen checks its arguments", function(done)
  local srv = net.createServer(net.TCP, 30)
  T.errors(function() srv:listen() end, "bad argument #1 to 'listen' (number expected, got no value)")
  T.errors(function() srv:listen("x") end, "bad argument #1 to 'listen'")
  T.errors(function() srv:listen(-1) end, "bad argument #1 to 'listen' (port out of range)")
  T.eq(srv:listen(0, "192.0.2.1", function() end), nil, "1.5 ignores the address")
  local port, ip = srv:getaddr()
  T.check(type(port) == "number" and port > 0, "getaddr gives the port")
  T.eq(ip, "0.0.0.0", "1.5 binds all addresses")
  T.errors(function() srv:listen(0) end, "already listening")
  local other = net.createServer(net.TCP, 30)
  T.errors(function() other:listen(port) end, "address in use")
  srv:close()
  T.eq(srv:getaddr(), nil, "getaddr after close")
  done()
end)

T.case("server:on and server:send are UDP-only", function(done)
  local srv = net.createServer(net.TCP, 30)
  T.errors(function() srv:on("receive", print) end, "method not supported")
  T.errors(function() srv:on("receive", nil) end, "function or lightfunction expected, got nil")
  T.errors(function() srv:send("x") end, "tcp server send not supported")
  done()
end)

T.case("getpeer of an unconnected socket is nil, nil", function(done)
  local sk = net.createConnection(net.TCP, 0)
  local ip, port = sk:getpeer()
  T.eq(ip, nil)
  T.eq(port, nil)
  T.eq(select("#", sk:getpeer()), 2)
  done()
end)

T.case("net.UDP makes UDP objects (secure ignored)", function(done)
  T.eq(type(net.createConnection(net.UDP, 0).connect), "function")
  T.eq(type(net.createConnection(net.UDP, 1).send), "function", "secure means nothing for UDP")
  T.eq(type(net.createServer(net.UDP).listen), "function")
  done()
end)

T.case("objects are plain userdata", function(done)
  local sk = net.createConnection(net.TCP, 0)
  T.match(tostring(sk), "^userdata: ")
  T.errors(function() sk.field = 1 end, "attempt to index")
  T.eq(sk.nosuchmethod, nil)
  local t = {[sk] = true}
  T.check(t[sk], "usable as a table key")
  done()
end)

T.case("dns() answers IP literals from the loop", function(done)
  local sk = net.createConnection(net.TCP, 0)
  local inside = true
  T.errors(function() sk:dns(string.rep("a", 129), print) end, "need <128 domain")
  sk:dns("10.1", T.expect(function(s, ip)
    T.check(not inside, "dns callback ran inside dns()")
    T.eq(s, sk)
    T.eq(ip, "10.0.0.1", "inet_aton forms are accepted")
    done()
  end))
  inside = false
end)

T.run()
