-- Event order, arguments and object lifetime of TCP sockets (1.5 profile):
-- docs/firmware-behaviour.md §6, docs/architecture.md §2–3.
local T = require "testlib"
local N = require "lib_net"

T.case("client events come in order, none inside the call", function(done)
  local order = {}
  local inside
  local srv, port = N.server(function(c)
    c:on("receive", function(s, d) s:send("re:" .. d) end)
  end)
  local sk = net.createConnection(net.TCP, 0)
  sk:on("connection", T.expect(function(s)
    order[#order + 1] = "connection"
    T.eq(s, sk, "connection gets the socket")
    inside = true
    s:send("ping")
    inside = false
  end))
  sk:on("sent", T.expect(function(s)
    T.check(not inside, "sent fired inside send()")
    order[#order + 1] = "sent"
  end))
  sk:on("receive", T.expect(function(s, data)
    order[#order + 1] = "receive"
    T.eq(data, "re:ping")
    s:close()
  end))
  sk:on("disconnection", T.expect(function(s, err)
    order[#order + 1] = "disconnection"
    T.eq(s, sk)
    T.eq(err, 0, "a local close ends with 0")
    T.eq(table.concat(order, ","), "connection,sent,receive,disconnection")
    srv:close()
    done()
  end))
  inside = true
  sk:connect(port, "127.0.0.1")
  inside = false
end)

T.case("connection registered after connect() still fires (seed example)", function(done)
  local srv, port = N.server(function() end)
  local sk = net.createConnection(net.TCP, 0)
  sk:connect(port, "127.0.0.1")
  sk:on("connection", T.expect(function(s) s:close() end))
  sk:on("disconnection", T.expect(function() srv:close(); done() end))
end)

T.case("getpeer gives ip, port from connect() on", function(done)
  local srv, port = N.server(function(c)
    local ip, p = c:getpeer()
    T.eq(ip, "127.0.0.1", "accepted getpeer ip")
    T.check(type(p) == "number" and p > 0 and p ~= port, "accepted getpeer port is the client's")
  end)
  local sk = net.createConnection(net.TCP, 0)
  sk:connect(port, "127.0.0.1")
  local ip, p = sk:getpeer()
  T.eq(ip, "127.0.0.1")
  T.eq(p, port)
  sk:on("connection", function(s) s:close() end)
  sk:on("disconnection", T.expect(function(s)
    T.eq(s:getpeer(), nil, "no peer after disconnection")
    srv:close()
    done()
  end))
end)

T.case("send queued while connecting is delivered", function(done)
  local srv, port = N.server(function(c)
    c:on("receive", T.expect(function(s, d) T.eq(d, "early"); s:close() end))
  end)
  local sk = net.createConnection(net.TCP, 0)
  sk:connect(port, "127.0.0.1")
  sk:send("early", T.expect())
  sk:on("disconnection", T.expect(function(s, err) T.eq(err, 0); srv:close(); done() end))
end)

T.case("send(data, fn) replaces the sent callback for good", function(done)
  local first, second = 0, 0
  local srv, port = N.server(function() end)
  N.client(port, {
    connection = function(s)
      s:send("a", function() first = first + 1 end)
      s:send("b")
      s:send("c", function(x)
        second = second + 1
        if second == 3 then x:send("d") elseif second == 4 then x:close() end
      end)
    end,
    disconnection = T.expect(function()
      T.eq(first, 0, "the replaced callback never fires")
      T.eq(second, 4, "the callback in force fires once per send")
      srv:close()
      done()
    end),
  })
end)

T.case("close twice, send and close after close are silent", function(done)
  local srv, port = N.server(function() end)
  N.client(port, {
    connection = function(s)
      s:close()
      s:close()
      T.eq(s:send("late"), nil)
      s:hold(); s:unhold()
    end,
    sent = T.never("sent after close"),
    disconnection = T.expect(function(s, err)
      T.eq(err, 0)
      s:close()
      s:send("dead")
      s:on("receive", print) -- on() on a dead socket works
      s:connect(1, "127.0.0.1") -- 1.5: a dead socket cannot connect again
      T.eq(s:getpeer(), nil)
      srv:close()
      done()
    end),
  })
end)

T.case("close inside connection, receive and sent callbacks", function(done)
  local ends = 0
  local function ended() ends = ends + 1; if ends == 3 then srv_close(); done() end end
  local srv, port = N.server(function(c)
    c:on("receive", function(s) s:send("x") end)
  end)
  function srv_close() srv:close() end
  N.client(port, {connection = function(s) s:close() end,
                  receive = T.never("receive after close in connection"),
                  disconnection = T.expect(ended)})
  N.client(port, {connection = function(s) s:send("hi") end,
                  receive = T.expect(function(s) s:close(); s:close() end),
                  disconnection = T.expect(ended)})
  N.client(port, {connection = function(s) s:send("hi") end,
                  sent = T.expect(function(s) s:close() end),
                  disconnection = T.expect(ended)})
end)

T.case("close inside the disconnection callback is harmless", function(done)
  local srv, port = N.server(function(c) c:close() end)
  N.client(port, {disconnection = T.expect(function(s, err)
    T.eq(err, 0, "peer closed")
    s:close()
    srv:close()
    done()
  end)})
end)

T.case("accepted socket: close in listen callback and in receive", function(done)
  local ends, n = 0, 0
  local srv, port
  local function ended()
    ends = ends + 1
    if ends == 4 then srv:close(); done() end
  end
  srv, port = N.server(function(c)
    n = n + 1
    c:on("disconnection", T.expect(function(s, err) T.eq(err, 0); ended() end))
    if n == 1 then c:close()
    else c:on("receive", function(s) s:close() end) end
  end)
  N.client(port, {disconnection = T.expect(ended)})
  N.client(port, {connection = function(s) s:send("bye") end, disconnection = T.expect(ended)})
end)

T.case("server:close() closes accepted sockets (1.5) and frees the port", function(done)
  local srv, port
  local left = 2 -- the server side's disconnection follows the client's FIN
  local function finished() left = left - 1; if left == 0 then done() end end
  srv, port = N.server(function(c)
    c:on("disconnection", T.expect(function(s, err)
      T.eq(err, 0)
      finished()
    end))
    srv:close()
    local again = net.createServer(net.TCP, 30)
    again:listen(port, "127.0.0.1") -- the port is free at once
    again:close()
  end)
  N.client(port, {disconnection = T.expect(function(s, err)
    T.eq(err, 0, "client sees an orderly close")
    finished()
  end)})
end)

T.case("refused connect reaches the script as disconnection(-9)", function(done)
  local port = N.closed_port()
  N.client(port, {
    connection = T.never("connection on a refused port"),
    disconnection = T.expect(function(s, err)
      T.eq(err, -9, "lwIP reports a refused connect as a reset")
      done()
    end),
  })
end)

T.case("reconnection never fires in 1.5", function(done)
  local port = N.closed_port()
  N.client(port, {reconnection = T.never("reconnection"),
                  disconnection = T.expect(function() done() end)})
end)

T.case("GC with no reference left keeps busy sockets and servers working", function(done)
  local got = {}
  -- a weak table lets the test close the server at the end without keeping it alive
  local weak = setmetatable({}, {__mode = "v"})
  local port
  do
    local srv = net.createServer(net.TCP, 30)
    srv:listen(0, "127.0.0.1", function(c)
      c:on("receive", function(s, d) collectgarbage("collect"); s:send(d) end)
    end)
    port = srv:getaddr()
    weak[1] = srv
  end
  collectgarbage("collect")
  collectgarbage("collect")
  local remaining = 20
  for i = 1, 20 do
    local sk = net.createConnection(net.TCP, 0)
    sk:on("connection", function(s) collectgarbage("collect"); s:send("m" .. i) end)
    sk:on("receive", function(s, d)
      got[#got + 1] = d
      s:close()
    end)
    sk:on("disconnection", function()
      remaining = remaining - 1
      collectgarbage("collect")
      if remaining == 0 then
        T.eq(#got, 20, "every echo came back")
        T.check(weak[1] ~= nil, "the listening server was kept alive")
        if weak[1] then weak[1]:close() end
        done()
      end
    end)
    sk:connect(port, "127.0.0.1")
  end
  collectgarbage("collect")
end)

-- Callbacks many sockets share hold one registry reference between them
-- (runtime/shared_ref.h): each socket must still call its own, through
-- switches, clears and collections, and beyond the table of shared ones.
T.case("sockets sharing callback functions each call their own", function(done)
  local N_CONN, gone, replies = 30, 0, {}
  local kinds = {}
  for k = 1, 10 do kinds[k] = function(s, d) s:send("k" .. k .. ":" .. d) end end
  local function other(s, d) s:send("o:" .. d) end
  local function shared_gone() gone = gone + 1 end
  local function shared_echo(s, d)
    local first, i = d:match("^(%a):(%d+)")
    i = tonumber(i)
    if first == "m" then s:send("e:" .. d); return end
    if i % 3 == 0 then s:on("receive", other) end
    if i % 5 == 0 then s:on("disconnection", function() end) end -- 1.5 has no on(event, nil)
    if i % 7 == 0 then s:on("receive", kinds[i % 10 + 1]) end
    s:send("e:" .. d)
    collectgarbage("collect")
  end
  local accepted = 0
  local srv, port = N.server(function(c)
    accepted = accepted + 1
    c:on("receive", shared_echo)
    c:on("disconnection", shared_gone)
    if accepted == N_CONN then
      local held = 0
      for _, v in pairs(debug.getregistry()) do if v == shared_echo then held = held + 1 end end
      T.check(held <= 2, "the registry holds the shared receive function " .. held .. " times")
    end
  end)
  local left = N_CONN
  for i = 1, N_CONN do
    local step = 0
    N.client(port, {
      connection = function(s) s:send("n:" .. i) end,
      receive = function(s, d)
        step = step + 1
        if step == 1 then
          T.eq(d, "e:n:" .. i, "first reply")
          s:send("m:" .. i)
          return
        end
        local want = (i % 7 == 0 and "k" .. (i % 10 + 1)) or (i % 3 == 0 and "o") or "e"
        T.eq(d, want .. ":m:" .. i, "second reply of " .. i)
        s:close()
      end,
      disconnection = function()
        left = left - 1
        collectgarbage("collect")
        if left > 0 then return end
        -- the server's sides end after their clients': wait for their events
        tmr.create():alarm(300, tmr.ALARM_SINGLE, function()
          local quiet = 0
          for j = 1, N_CONN do if j % 5 == 0 then quiet = quiet + 1 end end
          T.eq(gone, N_CONN - quiet, "disconnection calls of the shared function")
          srv:close()
          done()
        end)
      end,
    })
  end
end)

T.run()
