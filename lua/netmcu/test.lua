-- netmcu.test — start and drive real netmcu boards from a project's test suite.
--
-- A board is a netmcu child process with a private state directory, flash
-- folder (a copy of the project's, or an empty one) and control socket. The
-- library talks to it only as the outside world can: its stdout/stderr
-- (collected in files), the control channel (a Unix socket, through
-- LuaSocket's socket.unix), its console (a FIFO on its stdin) and the network.
-- Every wait is bounded; a failed expectation raises an error that says what
-- was seen instead, so the library works unchanged under busted, luaunit or a
-- plain script. Needs lua-socket (Debian) on the Lua that runs the tests.
local socket = require "socket"
local unix = require "socket.unix"

local T = {}

-- The runner: $NETMCU, else `netmcu` on the PATH. Set T.runner to change it.
T.runner = os.getenv("NETMCU") or "netmcu"
-- Default bound of every wait, in seconds; slow builds (ASan) raise it.
T.timeout = tonumber(os.getenv("NETMCU_TEST_TIMEOUT") or "") or 10

local Board = {}
Board.__index = Board

local function quote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

local function run(cmd)
  local ok, how, code = os.execute(cmd)
  if type(ok) == "number" then return ok == 0 end -- Lua 5.1: the status
  return ok == true and how == "exit" and code == 0
end

local function capture(cmd)
  local p = assert(io.popen(cmd))
  local out = p:read("*a")
  p:close()
  return out
end

local function read_file(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("*a")
  f:close()
  return s
end

local function write_file(path, data)
  local f = assert(io.open(path, "wb"))
  assert(f:write(data))
  f:close()
end

T.sleep = socket.sleep
T.now = socket.gettime

-- Waits until probe() returns a true value (returned) or `timeout` seconds pass (nil).
function T.wait_until(probe, timeout)
  local deadline = T.now() + (timeout or T.timeout)
  repeat
    local v = probe()
    if v then return v end
    T.sleep(0.02)
  until T.now() > deadline
  return probe()
end

local function tail(text, n)
  local lines = {}
  for line in (text or ""):gmatch("[^\n]*\n?") do
    if line ~= "" then lines[#lines + 1] = line:gsub("\n$", "") end
  end
  local from = math.max(1, #lines - (n or 10) + 1)
  if #lines == 0 then return "(nothing)" end
  return table.concat(lines, "\n  | ", from)
end

-- The options a board takes, each mapped to the runner's command line.
local function runner_args(self, o)
  local args = {"--flash", self.flash, "--control=" .. self.control_path}
  if o.profile then args[#args + 1] = "--compat=" .. o.profile end
  if o.lua then args[#args + 1] = "--lua=" .. o.lua end
  if o.clock then args[#args + 1] = "--clock=" .. o.clock end
  if o.wifi then args[#args + 1] = "--wifi=" .. o.wifi end
  if o.ip then args[#args + 1] = "--ip=" .. o.ip end
  if o.heap then args[#args + 1] = "--heap=" .. o.heap end
  if o.flash_size then args[#args + 1] = "--flash-size=" .. o.flash_size end
  if o.gpio_trace ~= false then args[#args + 1] = "--gpio-trace" end
  for _, a in ipairs(o.options or {}) do args[#args + 1] = a end
  if o.boot then
    args[#args + 1] = "--boot"
  elseif o.script then
    -- a path from here, else a file of the board's flash
    local f = io.open(o.script, "r")
    if f then f:close() end
    args[#args + 1] = f and o.script or self.flash .. "/" .. o.script
    for _, a in ipairs(o.args or {}) do args[#args + 1] = a end
  elseif o.code then
    args[#args + 1] = "-e"
    args[#args + 1] = o.code
  end
  return args
end

-- T.board{...}: starts a board and returns it once its control channel answers
-- (or once it ended, for a short script). A command line the runner refuses
-- (exit status 2) raises the runner's message.
--   flash = "src/"   a folder copied into the board's private flash (default: empty)
--   files = {name = data}   more files written into its flash
--   boot = true      power it on (init.lua, then the console); else
--   script = "app.lua" (a file of its flash, or a path) [args = {...}], or code = "print(1)"
--   profile = "1.5"|"2.2"|"3.0", lua = "5.3", clock = N, wifi = "up"|"offline"|"wrongpwd",
--   ip, heap, flash_size, env = {NAME = value}, options = {"--more"},
--   console = true   a console on stdin (always with boot), gpio_trace = false,
--   limit = 300      seconds after which the board is killed whatever happens
function T.board(o)
  o = o or {}
  local dir = capture("mktemp -d 2>/dev/null"):gsub("%s+$", "")
  assert(dir ~= "", "netmcu.test: mktemp -d failed")
  local self = setmetatable({dir = dir, flash = dir .. "/flash", home = dir .. "/home",
                             control_path = dir .. "/control.sock", out_seen = 0, err_seen = 0,
                             opts = o}, Board)
  assert(run("mkdir -p " .. quote(self.flash) .. " " .. quote(self.home)))
  if o.flash then
    assert(run("cp -R " .. quote(o.flash) .. "/. " .. quote(self.flash)),
           "netmcu.test: cannot copy the flash folder " .. tostring(o.flash))
  end
  for name, data in pairs(o.files or {}) do self:upload(name, data) end
  local stdin = "/dev/null"
  if o.boot or o.console then
    stdin = dir .. "/console"
    assert(run("mkfifo " .. quote(stdin)))
  end
  local envs = {"NETMCU_HOME=" .. quote(self.home)}
  for k, v in pairs(o.env or {}) do envs[#envs + 1] = k .. "=" .. quote(v) end
  local argv = {}
  for i, a in ipairs(runner_args(self, o)) do argv[i] = quote(a) end
  -- The inner sh records the board's pid, then becomes `timeout`, which
  -- becomes-and-bounds the runner; the subshell records its exit status.
  local cmd = string.format(
    "( env %s sh -c 'echo $$ >\"$0\"; exec \"$@\"' %s timeout -k 2 %d %s %s <%s >%s 2>%s;"
      .. " echo $? >%s.tmp; mv %s.tmp %s ) </dev/null >/dev/null 2>&1 &",
    table.concat(envs, " "), quote(dir .. "/pid"), o.limit or 300,
    quote(T.runner), table.concat(argv, " "), quote(stdin), quote(dir .. "/out"),
    quote(dir .. "/err"), quote(dir .. "/status"), quote(dir .. "/status"), quote(dir .. "/status"))
  assert(run(cmd), "netmcu.test: cannot start " .. T.runner)
  if stdin ~= "/dev/null" then self.console_in = assert(io.open(stdin, "w")) end
  self.pid = T.wait_until(function()
    return tonumber((read_file(dir .. "/pid") or ""):match("%d+"))
  end, T.timeout)
  if not self.pid then error("netmcu.test: the board did not start", 2) end
  self:connect_control()
  return self
end

function Board:connect_control()
  local deadline = T.now() + T.timeout
  repeat
    local c = (unix.stream or unix)()
    c:settimeout(T.timeout)
    if c:connect(self.control_path) then
      self.control_sock = c
      return
    end
    c:close()
    -- a script may end before we connect; only a refused command line is an error
    local status = self:status()
    if status and status ~= 2 then return end
    if status then break end
    T.sleep(0.02)
  until T.now() > deadline
  error(string.format("netmcu.test: the board's control channel never answered (%s); stderr:\n  | %s",
                      self:status() and "it exited with status " .. self:status() or "still running",
                      tail(self:stderr())), 3)
end

-- board:control("wifi drop") → the reply's text after "ok"; an "error" reply raises it.
function Board:control(command)
  local c = self.control_sock
  if not c then error("board:control: the board's control channel is closed", 2) end
  assert(c:send(command .. "\n"))
  local line, err = c:receive("*l")
  if not line then
    error(string.format("board:control(%q): no reply (%s); the board %s", command, err,
                        self:status() and "exited with status " .. self:status() or "is running"), 2)
  end
  local text = line:match("^ok ?(.*)$")
  if text then return text end
  error(string.format("board:control(%q): %s", command, line), 2)
end

-- The wifi link: board:wifi("drop"|"restore"|"wrongpwd") → the state afterwards.
function Board:wifi(what)
  return self:control("wifi " .. what)
end

-- board:gpio(pin, 0|1) drives an input; board:gpio(pin, nil) releases it;
-- board:gpio(pin) reads it: level, mode ("output", "input", ...).
function Board:gpio(pin, ...)
  local level = ...
  if select("#", ...) == 0 then
    local lv, mode = self:control("gpio get " .. pin):match("^(%d) (%a+)")
    return tonumber(lv), mode
  end
  if level == nil then return self:control("gpio release " .. pin) end
  return self:control("gpio set " .. pin .. " " .. level)
end

-- What A0 reads (0-1024), through the adc noun (the adc module).
function Board:adc(value)
  return self:control("adc set " .. value)
end

-- A pwm channel: clock, duty, running (or nil when the pin has none).
function Board:pwm(pin)
  local clock, duty, state = self:control("pwm get " .. pin):match("^(%d+) (%d+) (%a+)")
  if not clock then return nil end
  return tonumber(clock), tonumber(duty), state == "on"
end

-- Every gpio change of a pin so far (from --gpio-trace): {t = board seconds, level = 0|1, by = "script"|"control"}.
function Board:gpio_changes(pin)
  local changes = {}
  for t, p, level, by in self:stderr():gmatch("gpio: %[%s*([%d.]+)%] pin (%d+) = (%d) %((%a+)%)") do
    if tonumber(p) == pin then
      changes[#changes + 1] = {t = tonumber(t), level = tonumber(level), by = by}
    end
  end
  return changes
end

-- Waits until an output pin reads `level`.
function Board:expect_gpio(pin, level, timeout)
  local seen
  local got = T.wait_until(function()
    seen = self:gpio(pin)
    return seen == level
  end, timeout)
  if not got then
    error(string.format("board:expect_gpio(%d, %d): the pin still reads %s after %gs", pin, level,
                        tostring(seen), timeout or T.timeout), 2)
  end
end

-- A line to the board's console (boot = true or console = true).
function Board:console(line)
  if not self.console_in then error("board:console: the board has no console (boot or console = true)", 2) end
  assert(self.console_in:write(line, "\n"))
  self.console_in:flush()
end

-- SPIFFS's rules for a name: at most 31 bytes, no empty, "." or ".." part.
local function check_name(name)
  if type(name) ~= "string" or #name == 0 or #name > 31 then return false end
  for part in (name .. "/"):gmatch("([^/]*)/") do
    if part == "" or part == "." or part == ".." then return false end
  end
  return true
end

-- Stores a file in the board's flash, as nodemcu-tool's upload does.
function Board:upload(name, data)
  if not check_name(name) then
    error(string.format("board:upload: %q is not a flash name (1-31 bytes, no empty, . or .. part)",
                        tostring(name)), 2)
  end
  local dir = name:match("^(.*)/[^/]*$")
  if dir then assert(run("mkdir -p " .. quote(self.flash .. "/" .. dir))) end
  write_file(self.flash .. "/" .. name, data)
end

-- The board's flash: {name = size} as file.list() gives it.
function Board:files()
  local list = {}
  local found = capture("cd " .. quote(self.flash) .. " && find . -type f -printf '%P\\t%s\\n'")
  for name, size in found:gmatch("([^\t\n]+)\t(%d+)\n") do list[name] = tonumber(size) end
  return list
end

-- The content of a file of the flash, or nil.
function Board:read(name)
  if not check_name(name) then return nil end
  return read_file(self.flash .. "/" .. name)
end

function Board:output() return read_file(self.dir .. "/out") or "" end
function Board:stderr() return read_file(self.dir .. "/err") or "" end

-- The next line (after those matched before) of a stream that matches.
local function expect_line(self, stream, read, pattern, timeout)
  local seen_key = stream == "stdout" and "out_seen" or "err_seen"
  local found
  local ok = T.wait_until(function()
    local text = read(self)
    local pos = self[seen_key]
    for line, stop in text:sub(pos + 1):gmatch("([^\n]*)\n()") do
      local caps = {line:match(pattern)}
      if #caps > 0 then
        self[seen_key] = pos + stop - 1
        found = caps
        return true
      end
    end
    return self:status() ~= nil and "exited"
  end, timeout)
  if ok == true then return (table.unpack or unpack)(found) end
  local rest = read(self):sub(self[seen_key] + 1)
  error(string.format("board: no %s line matching %q within %gs%s; it printed:\n  | %s", stream, pattern,
                      timeout or T.timeout,
                      self:status() and " (the board exited with status " .. self:status() .. ")" or "",
                      tail(rest)), 3)
end

-- Waits for a line of standard output matching a Lua pattern; returns its captures
-- (or the whole match). Lines are consumed: the next call looks after this one.
-- (Not tail calls: the error names the caller's line, two levels up.)
function Board:expect_output(pattern, timeout)
  local caps = {expect_line(self, "stdout", Board.output, pattern, timeout)}
  return (table.unpack or unpack)(caps)
end

function Board:expect_stderr(pattern, timeout)
  local caps = {expect_line(self, "stderr", Board.stderr, pattern, timeout)}
  return (table.unpack or unpack)(caps)
end

-- The board's address for a client: the wifi station's, else loopback.
function Board:address()
  local ok, reply = pcall(self.control, self, "wifi status")
  local ip = ok and reply:match("ip (%d+%.%d+%.%d+%.%d+)")
  return ip or "127.0.0.1"
end

-- A TCP connection to the board (LuaSocket), with the default bound on every call.
function Board:connect(port, timeout)
  local c = socket.tcp()
  c:settimeout(timeout or T.timeout)
  local ok, err = c:connect(self:address(), port)
  if not ok then
    c:close()
    error(string.format("board:connect(%d): %s", port, err), 2)
  end
  return c
end

-- An HTTP GET to the board with LuaSocket's client: body, code, headers.
function Board:http_get(path, port, timeout)
  local http = require "socket.http"
  local ltn12 = require "ltn12"
  local chunks = {}
  local url = string.format("http://%s:%d%s", self:address(), port or 80, path)
  local saved = http.TIMEOUT
  http.TIMEOUT = timeout or T.timeout
  local ok, code, headers = http.request{url = url, sink = ltn12.sink.table(chunks)}
  http.TIMEOUT = saved
  if not ok then error(string.format("board:http_get(%q): %s", url, tostring(code)), 2) end
  return table.concat(chunks), code, headers
end

-- The exit status once the board has ended, else nil.
function Board:status()
  return tonumber((read_file(self.dir .. "/status") or ""):match("%d+"))
end

-- Waits for the board to end by itself; returns its exit status.
function Board:wait(timeout)
  local status = T.wait_until(function() return self:status() end, timeout)
  if not status then
    error(string.format("board:wait: still running after %gs; it printed:\n  | %s", timeout or T.timeout,
                        tail(self:output())), 2)
  end
  return status
end

-- Ends the board: closes the console (end of input), sends SIGTERM, waits.
-- Returns its exit status (0 for a clean stop). Safe to call twice.
function Board:stop(timeout)
  if self.control_sock then self.control_sock:close(); self.control_sock = nil end
  if self.console_in then self.console_in:close(); self.console_in = nil end
  if not self:status() then run("kill -TERM " .. self.pid .. " 2>/dev/null") end
  local status = T.wait_until(function() return self:status() end, timeout)
  if not status then
    run("kill -KILL " .. self.pid .. " 2>/dev/null")
    status = T.wait_until(function() return self:status() end, 5)
  end
  return status
end

-- Stops the board if needed and removes its folder; returns the exit status.
function Board:close()
  local status = self:stop()
  if not self.keep then run("rm -rf " .. quote(self.dir)) end
  return status
end

return T
