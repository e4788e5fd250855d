-- profile: 2.2
-- The 2.2 profile (--compat=2.2): the firmware of tag 2.2.1-master_20190405,
-- where scripts of 2016-2019 use static tmr.alarm beside tmr.create() and the
-- lwIP net module's on(event, nil), getpeer order and transition forms.
local T = require "testlib"
local N = require "lib_net"

T.case("a_2_x_script_with_tmr_alarm_and_on_nil", function(done)
  -- The server answers "one", then "two" a little later; the client stops
  -- listening after the first answer with on("receive", nil), and a static
  -- alarm closes it once the second answer had time to arrive.
  local got = {}
  local srv, port = N.server(function(c)
    c:on("receive", function(s) s:send("one") end)
    local second = false
    c:on("sent", function(s)
      if not second then
        second = true
        tmr.create():alarm(30, tmr.ALARM_SINGLE, function() s:send("two") end)
      end
    end)
  end)
  local sk = net.createConnection(net.TCP, 0)
  sk:on("receive", T.expect(function(s, data)
    got[#got + 1] = data
    s:on("receive", nil) -- 2.2 unregisters; 1.5 would raise
    T.eq(tmr.alarm(3, 300, tmr.ALARM_SINGLE, T.expect(function(id)
      T.eq(id, 3, "a static alarm's callback gets its id (2.x)")
      s:close()
      T.eq(table.concat(got, ","), "one", "nothing reached the unregistered receive")
      T.eq(tmr.state(3), nil, "the single alarm unregistered itself")
      srv:close()
      done()
    end)), true, "tmr.alarm returns true")
  end))
  sk:on("connection", T.expect(function(s)
    local p, ip = s:getpeer()
    T.eq(p, port, "getpeer gives the port first (lwIP net)")
    T.eq(ip, "127.0.0.1")
    s:send("hello")
  end))
  sk:on("disconnection", T.never("disconnection after a local close (1.5 only)"))
  sk:connect(port, "127.0.0.1")
end)

T.case("both_tmr_apis", function(done)
  T.eq(type(tmr.create), "function")
  T.eq(type(tmr.register), "function", "the static API is still there in 2.2")
  local t = tmr.create()
  t:register(10, tmr.ALARM_SINGLE, T.expect(function(timer)
    T.eq(timer, t, "an object's callback gets the object")
    done()
  end))
  T.eq(t:start(), true)
  T.errors(function() tmr.alarm(7, 10, 0, function() end) end, "invalid timer index")
end)

T.case("net_transition_forms", function(done)
  -- The console's text reaches node.output's function on a later turn.
  local seen = {}
  node.output(function(text) seen[#seen + 1] = text end, 0)
  T.errors(function() net.createConnection(3) end, "invalid type")
  T.eq(type(net.createConnection()), "userdata", "the type may be left out")
  local u = net.createConnection(net.UDP)
  T.eq(type(u.listen), "function", "net.UDP gives a UDP socket")
  u:close()
  net.createServer(net.UDP):close()
  net.createServer(net.TCP, 30):close() -- the 2.2 form, no warning
  T.errors(function() net.createServer(60) end, "invalid type", "a lone timeout is 3.0's form")
  T.errors(function() net.dns.resolve("localhost") end,
    "bad argument #2 to 'resolve' (function or lightfunction expected, got no value)", "2.2's eLua check")
  local sk = net.createConnection(net.TCP)
  T.errors(function() sk:on("bogus", function() end) end, "invalid callback name")
  T.errors(function() sk:send("x") end, "not connected")
  sk:close()
  tmr.create():alarm(100, tmr.ALARM_SINGLE, function()
    node.output(nil)
    T.eq(table.concat(seen),
      "Warning, deprecated API! net.createConnection with net.UDP type. "
      .. "It will be removed in next version. See documentation for details.\n"
      .. "Warning, deprecated API! net.createServer with net.UDP type. "
      .. "It will be removed in next version. See documentation for details.\n")
    done()
  end)
end)

T.case("modules_and_functions_of_the_era", function(done)
  T.eq(type(tls), "table", "the tls module came with the lwIP net module")
  local ts = tls.createConnection()
  T.errors(function() ts:on("receive", nil) end,
    "bad argument #2 to 'on' (function or lightfunction expected, got nil)", "2.2's tls on() wants a function")
  T.errors(function() ts:on("bogus", function() end) end, "invalid method")
  T.errors(function() tls.cert.verify(function() end) end, "no certificates found",
    "2.2's tls.cert.verify has no callback form: a function reads as true")
  T.eq(tls.cert.verify(false), true)
  ts:close()
  T.eq(pipe, nil, "pipe is 3.0's")
  T.eq(type(wifi.eventmon.register), "function")
  T.eq(wifi.eventmon.WIFI_MODE_CHANGED, 8)
  T.eq(wifi.eventmon.EVENT_MAX, 10)
  T.eq(type(wifi.sta.clearconfig), "function")
  T.eq(wifi.sta.eventMonReg, nil, "the 1.5 polling monitor is gone in 2.x")
  T.eq(wifi.sleep, nil)
  T.eq(type(wifi.setcountry), "function")
  T.errors(function() wifi.sta.config("ssid", "password") end, "config table not found!")
  T.eq(wifi.sta.config({ssid = "netmcu", pwd = "password", auto = false, save = false}), true)
  T.eq(wifi.sta.getconfig(true).ssid, "netmcu")
  T.eq(wifi.sta.sethostname("board-22"), true)
  T.eq(type(gpio.pulse), "table")
  local major, minor, dev = node.info()
  T.eq(major * 100 + minor * 10 + dev, 221, "node.info() reports 2.2.1")
  T.eq(type(node.getpartitiontable), "nil", "3.0's")
  done()
end)

T.case("file_objects_of_2_2", function(done)
  local f = file.open("p22.txt", "w+")
  T.eq(type(f), "userdata", "file.open returns an object")
  f:write(string.rep("x", 1500) .. "\nend")
  f:seek("set")
  T.eq(#f:readline(), 1024, "lines are read in 1024-byte chunks")
  f:close()
  f = file.open("p22.txt")
  T.eq(#f:read(9999), 1504)
  T.eq(f:read(), nil, "the end reads as nil")
  f:close()
  T.eq(file.stat("p22.txt").size, 1504)
  T.eq(file.list("^p22")["p22.txt"], 1504, "list takes a pattern")
  T.eq(file.getcontents, nil, "3.0's")
  T.eq(file.putcontents, nil, "3.0's")
  file.remove("p22.txt")
  done()
end)

T.case("boot_banner_and_init_lua_of_2_2", function(done)
  local dir = os.tmpname()
  os.remove(dir)
  os.execute("mkdir " .. dir)
  local f = io.open(dir .. "/init.lua", "w")
  f:write("print('init', node.info())\nx = nil + 1\n")
  f:close()
  local out = T.sh(string.format("%s --boot --compat=2.2 --flash %s </dev/null 2>&1", os.getenv("NETMCU"), dir))
  os.execute("rm -rf " .. dir)
  T.match(out, "^\nNodeMCU 2%.2%.1%.0 build netmcu%-%S+ powered by Lua %S+ on SDK 2%.2%.1%(6ab97e9%)\n",
    "the 2.2.1 firmware's one-line banner")
  T.match(out, "\ninit\t2\t2\t1\t")
  T.match(out, "\nlua: init%.lua:2: attempt to perform arithmetic on a nil value",
    "an error in init.lua is reported as 2.2's lua.c does")
  done()
end)

T.run()
