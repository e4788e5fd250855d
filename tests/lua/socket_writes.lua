-- The write path (docs/architecture.md §4): a send the kernel takes at once and a send that
-- has to wait are reported alike, one `sent` each, in order, from the loop;
-- and the receive callback kept in the socket object itself (Lua 5.2+).
local T = require "testlib"
local N = require "lib_net"

-- A server that collects what each connection sends and hands it to
-- on_all(data) when the client closes.
local function collecting_server(on_all)
  return N.server(function(c)
    local parts = {}
    c:on("receive", function(_, d) parts[#parts + 1] = d end)
    c:on("disconnection", function() on_all(table.concat(parts)) end)
  end)
end

T.case("a sent callback registered after send() fires for that send", function(done)
  local srv, port
  srv, port = collecting_server(T.expect(function(data)
    T.eq(data, "early")
    srv:close()
    done()
  end))
  N.client(port, {
    connection = function(s)
      s:send("early") -- small: the kernel takes it inside the call
      s:on("sent", T.expect(function(x) x:close() end))
    end,
  })
end)

T.case("sends taken at once and sends that wait report in order", function(done)
  local big = string.rep("0123456789abcdef", 512 * 1024) -- 8 MiB: more than the kernel takes
  local want = "first" .. big .. "second" .. "third"
  local sent = {}
  local srv, port
  srv, port = collecting_server(T.expect(function(data)
    T.eq(#data, #want, "every byte arrives")
    T.check(data == want, "in the order sent")
    srv:close()
    done()
  end))
  N.client(port, {
    connection = function(s)
      local inside = true
      s:send("first", function() sent[#sent + 1] = "first" end)
      s:send(big, function() sent[#sent + 1] = "big" end)
      s:send("second", function() sent[#sent + 1] = "second" end)
      -- The callback in force when a send is reported is the one that fires.
      s:send("third", function(x)
        T.check(not inside, "sent fired inside send()")
        sent[#sent + 1] = "third"
        if #sent == 4 then
          T.eq(table.concat(sent, ","), "third,third,third,third")
          x:close()
        end
      end)
      inside = false
    end,
  })
end, {timeout = 20})

T.case("a chain of sends from sent callbacks, each taken at once", function(done)
  local pieces = 200
  local srv, port
  srv, port = collecting_server(T.expect(function(data)
    T.eq(#data, pieces * 3, "all pieces arrive")
    T.eq(data:sub(1, 6), "001002")
    T.eq(data:sub(-3), string.format("%03d", pieces))
    srv:close()
    done()
  end))
  local n = 1
  N.client(port, {
    connection = function(s) s:send("001") end,
    sent = function(s)
      n = n + 1
      if n <= pieces then s:send(string.format("%03d", n)) else s:close() end
    end,
  })
end)

T.case("receive callback: replaced, kept with an unreferenced socket", function(done)
  local srv, port = N.server(function(c)
    c:on("receive", function(s) s:send("wrong") end)
    c:on("receive", function(s, d) s:send("echo:" .. d) end)
  end)
  N.client(port, {
    connection = function(s) collectgarbage(); collectgarbage(); s:send("x") end,
    receive = T.expect(function(s, d)
      T.eq(d, "echo:x", "the latest callback fires")
      s:close()
      srv:close()
      done()
    end),
  })
  collectgarbage()
end)

T.run()
