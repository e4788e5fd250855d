-- UDP in the 1.5 profile: docs/firmware-behaviour.md §2, §7.
-- Peers here are UDP sockets of the same process on 127.0.0.1; tests/peers/udp.sh
-- talks to python3.
local T = require "testlib"

-- A bound UDP server on a free loopback port; returns it and the port.
local function server()
  local srv = net.createServer(net.UDP)
  srv:listen(0)
  local port = srv:getaddr()
  return srv, port
end

-- A port that nothing listens on a moment later.
local function closed_port()
  local probe = net.createUDPSocket()
  probe:listen(0, "127.0.0.1")
  local port = probe:getaddr()
  probe:close()
  return port
end

T.case("createConnection/createServer argument errors", function(done)
  T.errors(function() net.createServer() end, "bad argument #1 to 'createServer' (number expected, got no value)")
  T.errors(function() net.createConnection(33) end, "wrong arg type")
  T.errors(function() net.createConnection(net.UDP, 2) end, "wrong arg type")
  done()
end)

T.case("on(): 1.5 texts and names on UDP objects", function(done)
  for _, obj in ipairs({net.createServer(net.UDP), net.createConnection(net.UDP, 0)}) do
    T.errors(function() obj:on("receive") end, "bad argument #2 to 'on' (function or lightfunction expected, got no value)")
    T.errors(function() obj:on("receive", nil) end, "function or lightfunction expected, got nil")
    T.errors(function() obj:on(nil, print) end, "bad argument #1 to 'on' (string expected, got nil)")
    T.errors(function() obj:on("connection", print) end, "method not supported")
    T.errors(function() obj:on("dns", print) end, "method not supported")
    T.errors(function() obj:on("Receive", print) end, "method not supported")
    T.eq(obj:on("receive", print), nil)
    T.eq(obj:on("sent", print), nil)
  end
  done()
end)

T.case("listen/connect/send argument errors", function(done)
  local srv = net.createServer(net.UDP)
  T.errors(function() srv:listen() end, "bad argument #1 to 'listen' (number expected, got no value)")
  T.errors(function() srv:listen(70000) end, "bad argument #1 to 'listen' (port out of range)")
  T.errors(function() srv:send("x") end, "remote ip/port unavailable")
  T.errors(function() srv:send() end, "bad argument #1 to 'send' (string expected, got no value)")
  local c = net.createConnection(net.UDP, 0)
  T.errors(function() c:connect() end, "bad argument #1 to 'connect' (number expected, got no value)")
  T.errors(function() c:dns(string.rep("a", 129), print) end, "need <128 domain")
  T.errors(function() c:dns() end, "bad argument #1 to 'dns' (string expected, got no value)")
  T.eq(c:send("dropped before connect"), nil, "1.5: silent before connect")
  T.eq(c:send(""), nil, "empty send is silent")
  srv:listen(0)
  T.errors(function() srv:send("x") end, "remote ip/port unavailable", "bound, no datagram yet")
  c:connect(srv:getaddr(), "127.0.0.1")
  T.errors(function() c:send(string.rep("x", 65508)) end, "datagram too large: 65508 bytes (UDP carries at most 65507)")
  T.errors(function() c:send(5000, "::1", "x") end, "cannot send to an IPv6 address from a socket bound to IPv4")
  T.errors(function() srv.send("x") end, "bad argument #1 to 'send'")
  c:close()
  srv:close()
  done()
end)

T.case("seed forms: client sends, server replies to it, one receive per datagram", function(done)
  local srv, port = server()
  local got = {}
  srv:on("receive", function(s, data, p, ip)
    got[#got + 1] = data
    T.eq(ip, "127.0.0.1", "receive gets the sender's ip")
    T.eq(type(p), "number", "and its port")
    if #got == 3 then s:send("reply:" .. table.concat(got, "|")) end
  end)
  local c = net.createConnection(net.UDP, 0)
  c:on("receive", T.expect(function(s, data, p, ip)
    T.eq(data, "reply:one|two|three", "boundaries kept")
    T.eq(p, port)
    T.eq(ip, "127.0.0.1")
    local pip, pport = s:getpeer()
    T.eq(pip, "127.0.0.1", "getpeer is the connect() target (ip first)")
    T.eq(pport, port)
    local sip, sport = srv:getpeer()
    T.eq(sip, "127.0.0.1", "a server's getpeer is the last sender")
    T.eq(sport, (s:getaddr()))
    s:close()
    srv:close()
    done()
  end))
  c:connect(port, "127.0.0.1")
  c:send("one")
  c:send("two")
  c:send("three")
end)

T.case("receive passes port, ip to functions that can see them", function(done)
  local srv, port = server()
  local n = 0
  local function finish()
    n = n + 1
    if n == 3 then srv:close(); done() end
  end
  srv:on("receive", function(...)
    T.eq(select("#", ...), 4, "a vararg function gets obj, data, port, ip")
    local s, data, p, ip = ...
    T.eq(ip, "127.0.0.1")
    if data == "1" then
      s:on("receive", function(s2, d2)
        T.eq(d2, "2", "a two-parameter function still gets the data")
        s2:on("receive", function(s3, d3, p3, ip3)
          T.eq(ip3, "127.0.0.1", "four parameters: port and ip")
          T.eq(type(p3), "number")
          finish()
        end)
        finish()
      end)
    end
    finish()
  end)
  local c = net.createConnection(net.UDP, 0)
  c:connect(port, "127.0.0.1")
  c:send("1")
  tmr.create():alarm(50, tmr.ALARM_SINGLE, function() c:send("2") end)
  tmr.create():alarm(100, tmr.ALARM_SINGLE, function() c:send("3"); c:close() end)
  T.eq(c:hold(), nil, "hold is accepted on UDP objects")
  T.eq(c:unhold(), nil)
end)

T.case("connect() again re-targets", function(done)
  local a, pa = server()
  local b, pb = server()
  a:on("receive", T.expect(function(s, d) T.eq(d, "to a") end))
  b:on("receive", T.expect(function(s, d)
    T.eq(d, "to b")
    a:close()
    b:close()
    done()
  end))
  local c = net.createConnection(net.UDP, 0)
  c:connect(pa, "127.0.0.1")
  c:send("to a", function(s)
    s:connect(pb, "127.0.0.1")
    s:send("to b", function(s2) s2:close() end)
  end)
end)

T.case("sent: from the loop, once per datagram, in order", function(done)
  local srv, port = server()
  local c = net.createConnection(net.UDP, 0)
  c:connect(port, "127.0.0.1")
  local order, inside = {}, true
  c:on("sent", function(s)
    T.check(not inside, "sent fired inside send()")
    order[#order + 1] = #order + 1
    if #order == 100 then
      tmr.create():alarm(50, tmr.ALARM_SINGLE, function()
        T.eq(#order, 100, "exactly one sent per datagram")
        c:close()
        srv:close()
        done()
      end)
    end
  end)
  for i = 1, 100 do c:send("d" .. i) end
  inside = false
end)

T.case("send(data, fn) replaces the sent callback permanently", function(done)
  local srv, port = server()
  local c = net.createConnection(net.UDP, 0)
  c:connect(port, "127.0.0.1")
  local first = T.never("the replaced sent callback")
  c:on("sent", first)
  local n = 0
  c:send("a", function(s)
    n = n + 1
    if n == 1 then s:send("b") end
    if n == 2 then s:close(); srv:close(); done() end
  end)
end)

T.case("close inside receive: no more receive, no sent, safe to close again", function(done)
  local srv, port = server()
  local n = 0
  srv:on("sent", T.never("sent after close"))
  srv:on("receive", function(s, d)
    n = n + 1
    s:close()
    s:close()
    T.errors(function() s:send("after close") end, "remote ip/port unavailable", "a closed server")
  end)
  local c = net.createConnection(net.UDP, 0)
  c:connect(port, "127.0.0.1")
  for i = 1, 5 do c:send("x" .. i) end
  tmr.create():alarm(200, tmr.ALARM_SINGLE, function()
    T.eq(n, 1, "one receive, then closed")
    c:close()
    done()
  end)
end)

T.case("a server closed in receive can listen again", function(done)
  local srv, port = server()
  srv:on("receive", function(s, d)
    s:close()
    s:listen(port)
    s:on("receive", T.expect(function(s2, d2)
      T.eq(d2, "second")
      s2:close()
      done()
    end))
    local c2 = net.createUDPSocket()
    c2:send(port, "127.0.0.1", "second", function(x) x:close() end)
  end)
  local c = net.createConnection(net.UDP, 0)
  c:connect(port, "127.0.0.1")
  c:send("first", function(s) s:close() end)
end)

T.case("listen() again on a bound 1.5 server re-binds", function(done)
  local srv, port = server()
  srv:listen(0)
  local port2 = srv:getaddr()
  T.check(port2 ~= nil and port2 ~= port, "a new binding")
  srv:close()
  srv:close()
  T.eq(srv:getaddr(), nil, "getaddr after close")
  T.eq(select("#", srv:getpeer()), 2)
  done()
end)

T.case("ICMP port unreachable does not break the socket", function(done)
  local srv, port = server()
  local dead = closed_port()
  local c = net.createUDPSocket()
  c:listen(0, "127.0.0.1")
  local sends = 0
  c:on("sent", function(s)
    sends = sends + 1
    if sends == 3 then s:send(port, "127.0.0.1", "still alive") end
  end)
  srv:on("receive", function(s, d, p, ip)
    T.eq(d, "still alive")
    s:send("echo")
  end)
  c:on("receive", T.expect(function(s, d)
    T.eq(d, "echo")
    s:close()
    srv:close()
    done()
  end))
  for i = 1, 3 do c:send(dead, "127.0.0.1", "nobody " .. i) end
end)

T.case("an unreferenced listening server stays alive; closed, it is collected", function(done)
  local weak = setmetatable({}, {__mode = "v"})
  do
    local srv = net.createServer(net.UDP)
    srv:on("receive", function(s, d)
      T.eq(d, "ping")
      s:send("pong")
      s:close()
    end)
    srv:listen(0)
    weak.srv = srv
    weak.port = srv:getaddr()
    weak.never = net.createServer(net.UDP) -- never listened: collectable at once
  end
  collectgarbage()
  collectgarbage()
  T.eq(weak.never, nil, "an idle server is collected")
  T.check(weak.srv ~= nil, "the listening server survived a full collection")
  local c = net.createConnection(net.UDP, 0)
  c:on("receive", T.expect(function(s, d)
    T.eq(d, "pong")
    s:close()
    tmr.create():alarm(10, tmr.ALARM_SINGLE, function()
      collectgarbage()
      collectgarbage()
      T.eq(weak.srv, nil, "closed, it is collected")
      done()
    end)
  end))
  c:connect(weak.port, "127.0.0.1")
  c:send("ping")
end)

T.case("GC during traffic: dropped client with queued sends", function(done)
  local srv, port = server()
  local n = 0
  srv:on("receive", function() n = n + 1 end)
  do
    local c = net.createConnection(net.UDP, 0)
    c:connect(port, "127.0.0.1")
    for i = 1, 50 do c:send(string.rep("z", 1000)) end
    c:close()
  end
  collectgarbage()
  collectgarbage()
  tmr.create():alarm(100, tmr.ALARM_SINGLE, function()
    T.check(n > 0, "datagrams arrived")
    srv:close()
    done()
  end)
end)

T.case("multicastJoin/Leave: 1.5 checks and texts", function(done)
  for _, f in ipairs({net.multicastJoin, net.multicastLeave}) do
    T.errors(function() f() end, "wrong arg type")
    T.errors(function() f({}, "239.1.2.3") end, "wrong arg type")
    T.errors(function() f("any") end, "wrong arg type")
    T.errors(function() f("1.2.3", "239.1.2.3") end, "invalid if ip")
    T.errors(function() f("1234567890.1234567", "239.1.2.3") end, "invalid if ip")
    T.errors(function() f("any", "1.2.3") end, "invalid multicast ip")
    T.errors(function() f("", "239.1.2.3.4.5.6.7") end, "invalid multicast ip")
    T.eq(f("", "239.1.2.3"), nil, "'' means every interface")
    T.eq(f("ANY", "239.1.2.3"), nil, "'any' in any case")
    T.eq(f("any", "1.2.3.4"), nil, "not a group: ignored, as on the device")
    T.eq(f("any", "ff02::1:3"), nil, "IPv6 groups are accepted")
  end
  done()
end)

T.run()
