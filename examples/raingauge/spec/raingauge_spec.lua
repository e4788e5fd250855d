-- The rain gauge on a real board: busted drives it with netmcu.test.
-- Run from this folder: busted   (see .busted; NETMCU names the runner)
local T = require "netmcu.test"
local socket = require "socket"

-- A Graphite receiver on loopback: the board connects to it over real TCP.
local function collector()
  local srv = assert(socket.bind("127.0.0.1", 0))
  srv:settimeout(T.timeout)
  local _, port = srv:getsockname()
  return srv, port
end

local function config(port)
  return string.format([[return {ssid = "garden", pwd = "raindrops",
    collector = {host = "127.0.0.1", port = %d}, status_port = 0,
    period = 600000, pin = 3, led = 4}]], port)
end

describe("the rain gauge", function()
  local board, srv, port, peer, page_port

  before_each(function()
    srv, port = collector()
    -- 10 minutes of the board's time pass in one second of ours
    board = T.board{flash = "src/", files = {["config.lua"] = config(port)}, profile = "2.2",
                    boot = true, clock = 600}
    page_port = tonumber(board:expect_output("^status page on port (%d+)$"))
    board:expect_output("^wifi up ")
    peer = assert(srv:accept())
    peer:settimeout(T.timeout)
  end)

  after_each(function()
    if peer then peer:close() end
    srv:close()
    board:close()
  end)

  it("reports the tips counted every 10 minutes", function()
    board:gpio(3, 0); board:gpio(3, 1)   -- the bucket tips twice
    board:gpio(3, 0); board:gpio(3, 1)
    local line = assert(peer:receive("*l"))
    -- the first report may come before the second tip reached the script
    while not line:match("^raingauge%.tips 2 ") do line = assert(peer:receive("*l")) end
    local uptime = tonumber(line:match(" (%d+)$"))
    assert.is_true(uptime >= 600, "a report after 10 minutes of board time: " .. line)
    board:expect_gpio(4, 0)               -- the LED follows the count
    local changes = board:gpio_changes(4)
    assert.are.equal("script", changes[#changes].by)
  end)

  it("reconnects after the wifi drops and sends what it kept", function()
    board:expect_output("^collector connected$")
    board:wifi("drop")
    board:expect_output("^wifi down$")
    assert.is_nil(peer:receive("*l"))     -- the board closed the old connection
    peer:close()
    board:expect_output("^report %d+$")  -- made while offline
    board:gpio(3, 0)
    board:wifi("restore")
    board:expect_output("^wifi up ")
    peer = assert(srv:accept())
    peer:settimeout(T.timeout)
    local line = assert(peer:receive("*l"))
    assert.truthy(line:match("^raingauge%.tips %d+ %d+$"), line)
  end)

  it("serves its status page", function()
    board:expect_output("^collector connected$")
    local body, code = board:http_get("/", page_port)
    assert.are.equal(200, code)
    assert.truthy(body:match("^tips=0 connected=true"), body)
  end)

  it("answers on its console and keeps its files", function()
    board:gpio(3, 0)
    board:console("print('tips', tips)")
    board:expect_output("tips\t1$")
    board:upload("notes.txt", "calibrated")
    board:console("print(file.open('notes.txt') and file.read())")
    board:expect_output("calibrated$")
    local files = board:files()
    assert.truthy(files["raingauge.lua"] and files["init.lua"] and files["config.lua"])
    assert.are.equal(10, files["notes.txt"])
    assert.are.equal(0, board:stop())
  end)

  it("says what it saw when an expectation fails", function()
    local ok, err = pcall(board.expect_output, board, "^never printed$", 0.2)
    assert.is_false(ok)
    assert.truthy(err:find("no stdout line matching", 1, true), err)
    assert.truthy(err:find("it printed", 1, true), err)
  end)
end)
