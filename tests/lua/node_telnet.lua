-- node_telnet.lua — node.output and node.input carry the console over a net
-- socket, as the firmware's telnet example does.
local T = require "testlib"
local N = require "lib_net"

-- The seed-era telnet server, unchanged but for the port and the closed()
-- hook that lets a case end only once the console is back on the terminal.
local function telnet_server(closed)
  return N.server(function(c)
    node.output(function(str) if c ~= nil then c:send(str) end end, 0)
    c:on("receive", function(_, l) node.input(l) end)
    c:on("disconnection", function() node.output(nil); closed() end)
    print("Welcome to NodeMCU world.")
  end)
end

-- Calls done() once both ends have seen their disconnection: the client's,
-- which closed first, comes after the server's FIN (close lingers for it).
local function both(done)
  local left = 2
  return function() left = left - 1; if left == 0 then done() end end
end

-- A client that sends each line once the previous answer (ending in a prompt)
-- came, and closes after the last answer (or once the text matches last).
local function converse(port, lines, finish, last)
  local got, i = "", 0
  local sk
  sk = N.client(port, {
    receive = function(_, d)
      got = got .. d
      local answered = got:find("> $") or (i == 0 and got:find("\n$"))
      if i < #lines and answered then
        i = i + 1
        sk:send(lines[i])
      elseif i == #lines and (last and got:find(last) or (not last and answered)) then
        i = i + 1
        sk:close()
      end
    end,
    disconnection = function() finish(got) end,
  })
end

T.case("print_and_results_reach_the_telnet_client", function(done)
  local finished = both(done)
  local srv, port = telnet_server(T.expect(finished, 1, "server-side disconnection"))
  converse(port, {"=1+1\n", "print(node.chipid())\r\n", "for i = 1, 2 do\n", "print('n' .. i) end\n",
                  "error('oops')\n"},
    T.expect(function(got)
      T.match(got, "^Welcome to NodeMCU world%.\n", "greeting")
      T.match(got, "\n2\n> ", "=expr")
      T.match(got, "> 12648430\n> ", "print with CRLF input")
      T.match(got, "> >> n1\nn2\n> ", "a chunk over two lines")
      -- 1.5 writes a typed chunk's error to the UART, past node.output.
      T.match(got, "n2\n> > $", "only the prompt follows the error")
      srv:close()
      finished()
    end))
end)

T.case("timer_output_follows_the_redirection", function(done)
  local finished = both(done)
  local srv, port = telnet_server(T.expect(finished, 1, "server-side disconnection"))
  converse(port, {"tmr.create():alarm(20, tmr.ALARM_SINGLE, function() print('from a timer') end)\n"},
    T.expect(function(got)
      T.match(got, "> from a timer\n$", "timer print over the socket")
      srv:close()
      finished()
    end), "from a timer\n")
end)

T.case("output_returns_to_the_terminal_after_disconnection", function(done)
  local finished = both(done)
  local srv, port
  srv, port = telnet_server(T.expect(function()
    local seen = false
    node.output(function() seen = true end, 0) -- probe: is anything still redirected?
    node.output(nil)
    print("# back on the terminal")
    node.task.post(function()
      T.eq(seen, false, "nothing reached the old redirection")
      srv:close()
      finished()
    end)
  end, 1, "server-side disconnection"))
  converse(port, {}, T.expect(finished))
end)

T.run()
