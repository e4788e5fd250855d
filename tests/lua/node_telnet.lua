-- node_telnet.lua — node.output and node.input carry the console over a net
-- socket, as the firmware's telnet example does.
local T = require "testlib"
local N = require "lib_net"

-- The seed-era telnet server, unchanged but for the port.
local function telnet_server()
  return N.server(function(c)
    node.output(function(str) if c ~= nil then c:send(str) end end, 0)
    c:on("receive", function(_, l) node.input(l) end)
    c:on("disconnection", function() node.output(nil) end)
    print("Welcome to NodeMCU world.")
  end)
end

-- A client that sends each line once the previous answer (ending in a prompt) came.
local function converse(port, lines, finish)
  local got, i = "", 0
  local sk
  local function next_line()
    i = i + 1
    if lines[i] then sk:send(lines[i]) else sk:close() end
  end
  sk = N.client(port, {
    receive = function(_, d)
      got = got .. d
      if got:find("> $") or (i == 0 and got:find("\n$")) then next_line() end
    end,
    disconnection = function() finish(got) end,
  })
end

T.case("print_and_results_reach_the_telnet_client", function(done)
  local srv, port = telnet_server()
  converse(port, {"=1+1\n", "print(node.chipid())\r\n", "for i = 1, 2 do\n", "print('n' .. i) end\n",
                  "error('oops')\n"},
    T.expect(function(got)
      T.match(got, "^Welcome to NodeMCU world%.\n", "greeting")
      T.match(got, "\n2\n> ", "=expr")
      T.match(got, "\n12648430\n> ", "print with CRLF input")
      T.match(got, "> >> n1\nn2\n> ", "a chunk over two lines")
      T.match(got, "stdin:1: oops", "error text")
      srv:close()
      done()
    end))
end)

T.case("timer_output_follows_the_redirection", function(done)
  local srv, port = telnet_server()
  converse(port, {"tmr.create():alarm(20, tmr.ALARM_SINGLE, function() print('from a timer') end)\n",
                  "tmr.delay(100000)\n"},
    T.expect(function(got)
      T.match(got, "from a timer\n", "timer print over the socket")
      srv:close()
      done()
    end))
end)

T.case("output_returns_to_the_terminal_after_disconnection", function(done)
  local srv, port = telnet_server()
  converse(port, {}, T.expect(function()
    node.task.post(function()
      T.eq(debug.getregistry()["netmcu.unused"], nil)
      local captured
      node.output(function(s) captured = s end, 0)
      node.output(nil)
      srv:close()
      done()
    end)
  end))
end)

T.run()
