-- Sends chained from the `sent` callback (the seed's streaming idiom) leave at
-- once: no piece waits for the peer's delayed ACK (40 ms on Linux), and the
-- whole stream arrives in order. The bound is twenty times what it takes.
local T = require "testlib"
local N = require "lib_net"

local PIECES, ROUNDS = 10, 20

T.case("chained sends are not held back, rounds on one connection", function(done)
  local srv, port = N.server(function(c)
    c:on("receive", function(s)
      local left = PIECES
      s:on("sent", function(x)
        left = left - 1
        if left > 0 then x:send(string.rep(tostring(left % 10), 10)) end
      end)
      s:send("HEAD")
    end)
  end)
  local rounds, got = 0, ""
  local started = tmr.now()
  local want = "HEAD" .. table.concat((function()
    local t = {}
    for left = PIECES - 1, 1, -1 do t[#t + 1] = string.rep(tostring(left % 10), 10) end
    return t
  end)())
  N.client(port, {
    connection = function(s) s:send("go") end,
    receive = function(s, d)
      got = got .. d
      if #got < #want then return end
      T.eq(got, want, "round " .. (rounds + 1) .. " arrives whole and in order")
      rounds, got = rounds + 1, ""
      if rounds < ROUNDS then s:send("go") else s:close() end
    end,
    disconnection = T.expect(function()
      local ms = (tmr.now() - started) / 1000
      T.eq(rounds, ROUNDS)
      T.check(ms < 400, string.format("%d rounds took %.0f ms: pieces waited for ACKs", ROUNDS, ms))
      srv:close()
      done()
    end),
  })
end)

-- An accepted connection gets TCP_NODELAY from its listener: a second send of
-- the same callback leaves at once instead of waiting, under Nagle, for the
-- peer's delayed ACK of the first (40 ms a round once the connection is warm).
T.case("two sends of one callback are not held back on an accepted connection", function(done)
  local srv, port = N.server(function(c)
    c:on("receive", function(s)
      s:send("A")
      s:send("B")
    end)
  end)
  local rounds, got = 0, ""
  local started = tmr.now()
  N.client(port, {
    connection = function(s) s:send("go") end,
    receive = function(s, d)
      got = got .. d
      if #got < 2 then return end
      T.eq(got, "AB", "round " .. (rounds + 1) .. " arrives whole and in order")
      rounds, got = rounds + 1, ""
      if rounds < ROUNDS * 2 then s:send("go") else s:close() end
    end,
    disconnection = T.expect(function()
      local ms = (tmr.now() - started) / 1000
      T.eq(rounds, ROUNDS * 2)
      T.check(ms < 600, string.format("%d rounds took %.0f ms: the second send waited for ACKs", rounds, ms))
      srv:close()
      done()
    end),
  })
end)

T.case("a chain ending in close delivers everything before the FIN", function(done)
  local total = 0
  local srv, port = N.server(function(c)
    local left = 200
    c:on("sent", function(x)
      left = left - 1
      if left > 0 then x:send(string.rep("y", 1000)) else x:close() end
    end)
    c:send(string.rep("y", 1000))
  end)
  N.client(port, {
    receive = function(s, d) total = total + #d end,
    disconnection = T.expect(function(s, err)
      T.eq(err, 0)
      T.eq(total, 200 * 1000, "every byte of the chain")
      srv:close()
      done()
    end),
  })
end)

T.run()
