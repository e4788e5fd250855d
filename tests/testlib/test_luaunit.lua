-- netmcu.test from a luaunit suite (Debian's lua-unit), as a project that uses
-- luaunit rather than busted would write it: real boards, driven and observed.
-- Run by tests/peers/testlib.sh, which turns luaunit's TAP into ours.
local lu = require "luaunit"
local T = require "netmcu.test"

TestBoard = {}

function TestBoard:tearDown()
  if self.board then self.board:close() end
  self.board = nil
end

function TestBoard:test_prints_and_exits_with_status_0()
  self.board = T.board{code = "print('hi from', 'the board')"}
  lu.assertEquals(self.board:expect_output("^hi from\t(.+)$"), "the board")
  lu.assertEquals(self.board:wait(), 0)
end

-- A published-style web server in the 2.2 profile that reports the flash
-- button (GPIO0, D3): high undriven on the dev kit, low while pressed.
function TestBoard:test_web_server_reports_the_button()
  self.board = T.board{profile = "2.2", code = [[
gpio.mode(3, gpio.INPUT)
srv = net.createServer(net.TCP, 30)
srv:listen(8080, function(conn)
  conn:on("receive", function(sck, req)
    sck:on("sent", function(s) s:close() end)
    sck:send("HTTP/1.0 200 OK\r\n\r\nbutton=" .. gpio.read(3))
  end)
end)
print("listening")]]}
  self.board:expect_output("^listening$")
  local body, code = self.board:http_get("/", 8080)
  lu.assertEquals({body, code}, {"button=1", 200})
  self.board:gpio(3, 0)
  lu.assertEquals(self.board:http_get("/", 8080), "button=0")
  self.board:gpio(3, nil)
  lu.assertEquals(self.board:http_get("/", 8080), "button=1")
  lu.assertEquals(self.board:stop(), 0)
end

function TestBoard:test_a_pin_the_script_drives()
  self.board = T.board{code = [[
gpio.mode(4, gpio.OUTPUT)
gpio.write(4, gpio.LOW)
tmr.create():alarm(50, tmr.ALARM_SINGLE, function() gpio.write(4, gpio.HIGH) print("blinked") end)
tmr.create():alarm(60000, tmr.ALARM_SINGLE, function() end)]]}
  self.board:expect_output("^blinked$")
  self.board:expect_gpio(4, 1)
  lu.assertEquals({self.board:gpio(4)}, {1, "output"})
  lu.assertEquals(self.board:stop(), 0)
end

function TestBoard:test_a_failed_expectation_says_what_was_seen()
  self.board = T.board{code = "print('something else')"}
  local ok, err = pcall(self.board.expect_output, self.board, "^wanted$", 1)
  lu.assertFalse(ok)
  lu.assertStrContains(err, "something else")
end

os.exit(lu.LuaUnit.run("-o", "tap"))
