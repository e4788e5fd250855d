-- dns_cases.lua — the DNS cases, run by dns.sh in both profiles against the
-- servers it started: DNS_A and DNS_B (dnsmasq, records below), DNS_REFUSED
-- (answers every query with REFUSED), DNS_SINK (never answers). DNS_SYS0/1 are
-- the system's first two name servers, as c-ares reads them.
--
-- dnsmasq A: a.test 10.53.0.1, svc.test 127.0.0.1, v6only.test ::1 (AAAA only),
-- alias1.test -> alias2.test -> a.test, zero.test 0.0.0.0, switch.test
-- 10.53.0.1, *.wild.test 10.53.0.9; any other *.test is NXDOMAIN.
-- dnsmasq B: switch.test 10.53.0.2.
local T = require "testlib"

local modern = os.getenv("NETMCU_COMPAT") == "3.0"
local P = modern and "dns (3.0): " or "dns (1.5): "
local A, B = os.getenv("DNS_A"), os.getenv("DNS_B")
local REFUSED, SINK = os.getenv("DNS_REFUSED"), os.getenv("DNS_SINK")
local HAVE_V6 = os.getenv("HAVE_V6") == "1"

local function case(name, fn, timeout) T.case(P .. name, fn, {timeout = timeout}) end

local function servers(s0, s1)
  net.dns.setdnsserver(s0, 0)
  net.dns.setdnsserver(s1 or s0, 1)
end

-- A callback that must not have run before `armed` is set (after the call).
local function after_call(fn)
  local state = {armed = false}
  return state, function(...)
    T.check(state.armed, "the answer came inside the call")
    fn(...)
  end
end

-- Waits ms on a timer, then calls fn.
local function later(ms, fn)
  tmr.create():alarm(ms, tmr.ALARM_SINGLE, fn)
end

-- Resolves name with the profile's callback form; fn(ip).
local function resolve(name, fn)
  net.dns.resolve(name, function(sk, ip)
    if modern then T.eq(sk, nil, "3.0 passes nil first")
    else T.eq(type(sk), "userdata", "1.5 passes a socket first") end
    fn(ip)
  end)
end

-- The first case: nothing has set a server yet.
case("default servers are the system's first two", function(done)
  T.eq(net.dns.getdnsserver(), os.getenv("DNS_SYS0"), "slot 0 (default index)")
  T.eq(net.dns.getdnsserver(0), os.getenv("DNS_SYS0"), "slot 0")
  T.eq(net.dns.getdnsserver(1), os.getenv("DNS_SYS1") ~= "" and os.getenv("DNS_SYS1") or nil, "slot 1")
  servers(A)
  T.eq(net.dns.getdnsserver(0), A)
  T.eq(net.dns.getdnsserver(1), A)
  done()
end)

case("an A record, never answered inside the call", function(done)
  local st, cb = after_call(function(ip) T.eq(ip, "10.53.0.1"); done() end)
  resolve("a.test", T.expect(cb))
  st.armed = true
end)

case("IP literals answer on the next loop turn, in inet_aton's forms", function(done)
  local want = {["10.1"] = "10.0.0.1", ["192.168.1.2"] = "192.168.1.2", ["0.0.0.0"] = "", ["::1"] = "::1"}
  local left = 4
  local st = {armed = false}
  for name, ip in pairs(want) do
    resolve(name, T.expect(function(got)
      T.check(st.armed, "answered inside the call")
      T.eq(got, ip, name)
      left = left - 1
      if left == 0 then done() end
    end))
  end
  st.armed = true
end)

case("a CNAME chain gives the final address", function(done)
  resolve("alias1.test", T.expect(function(ip) T.eq(ip, "10.53.0.1"); done() end))
end)

case("0.0.0.0 in an answer is the empty string", function(done)
  resolve("zero.test", T.expect(function(ip) T.eq(ip, ""); done() end))
end)

case("a name with only AAAA records gives its IPv6 address", function(done)
  resolve("v6only.test", T.expect(function(ip) T.eq(ip, "::1"); done() end))
end)

case("NXDOMAIN gives nil", function(done)
  resolve("missing.test", T.expect(function(ip) T.eq(ip, nil); done() end))
end)

case("a server answering REFUSED gives nil", function(done)
  servers(REFUSED)
  resolve("a.test", T.expect(function(ip)
    T.eq(ip, nil)
    servers(A)
    done()
  end))
end)

case("the hosts file and localhost are honoured", function(done)
  local left = 2
  resolve("localhost", T.expect(function(ip) T.eq(ip, "127.0.0.1"); left = left - 1; if left == 0 then done() end end))
  resolve("fromhosts.example", T.expect(function(ip)
    T.eq(ip, "127.0.0.7", "CARES_HOSTS names the test's hosts file")
    left = left - 1; if left == 0 then done() end
  end))
end)

case("setdnsserver switches servers from one lookup to the next", function(done)
  resolve("switch.test", T.expect(function(ip)
    T.eq(ip, "10.53.0.1", "server A")
    servers(B)
    resolve("switch.test", T.expect(function(ip2)
      T.eq(ip2, "10.53.0.2", "server B")
      servers(A)
      resolve("switch.test", T.expect(function(ip3) T.eq(ip3, "10.53.0.1", "A again"); done() end))
    end))
  end))
end)

case("a server set while lookups run is used by the next lookup", function(done)
  local left = 2
  local function one() left = left - 1; if left == 0 then servers(A); done() end end
  resolve("switch.test", T.expect(function(ip) T.eq(ip, "10.53.0.1", "the lookup started on A"); one() end))
  servers(B)
  resolve("switch.test", T.expect(function(ip) T.eq(ip, "10.53.0.2", "the lookup started on B"); one() end))
end)

case("socket:dns answers fn(sk, ip) and keeps fn as the dns callback", function(done)
  local sk = net.createConnection(net.TCP, 0)
  local st, cb = after_call(function(s, ip)
    T.eq(s, sk, "the socket")
    T.eq(ip, "10.53.0.1")
    s:dns("missing.test") -- the same callback again, now for a failure
  end)
  local calls = 0
  sk:dns("a.test", T.expect(function(s, ip)
    calls = calls + 1
    if calls == 1 then cb(s, ip) else T.eq(ip, nil, "failure"); done() end
  end, 2))
  st.armed = true
end)

case("1,000 lookups in flight at once", function(done)
  local left, wrong = 1000, 0
  for i = 1, 1000 do
    net.dns.resolve("h" .. i .. ".wild.test", function(_, ip)
      if ip ~= "10.53.0.9" then wrong = wrong + 1 end
      left = left - 1
      if left == 0 then T.eq(wrong, 0, "wrong answers"); done() end
    end)
  end
end, 30)

-- connect() by name ---------------------------------------------------------

local function echo_server(ip)
  local srv = net.createServer(net.TCP, 30)
  srv:listen(0, ip, function(c) c:on("receive", function(c, d) c:send("echo:" .. d) end) end)
  return srv, (srv:getaddr())
end

local function peer_ip(sk)
  local a, b = sk:getpeer()
  if modern then return b, a end
  return a, b
end

case("connect by name: dns event, then connection, data both ways", function(done)
  local srv, port = echo_server("127.0.0.1")
  local sk = net.createConnection(net.TCP, 0)
  local order = {}
  sk:on("dns", T.expect(function(s, ip) order[#order + 1] = "dns " .. tostring(ip) end))
  sk:on("connection", T.expect(function(s)
    order[#order + 1] = "connection"
    T.eq(peer_ip(s), "127.0.0.1", "getpeer after the lookup")
    s:send("hi")
  end))
  sk:on("receive", T.expect(function(s, d)
    T.eq(d, "echo:hi")
    T.eq(table.concat(order, ","), "dns 127.0.0.1,connection", "event order")
    s:close()
    srv:close()
    done()
  end))
  T.eq(select("#", sk:connect(port, "svc.test")), 0, "connect returns nothing")
  local ip, p = peer_ip(sk)
  T.eq(ip, "255.255.255.255", "getpeer while the name is looked up")
  T.eq(p, port)
end)

case("connect by name to an AAAA-only name goes over IPv6", function(done)
  if not HAVE_V6 then print("# no ::1 on this host"); return done() end
  local srv, port = echo_server("::1")
  local sk = net.createConnection(net.TCP, 0)
  sk:on("connection", T.expect(function(s)
    T.eq(peer_ip(s), "::1")
    s:send("six")
  end))
  sk:on("receive", T.expect(function(s, d) T.eq(d, "echo:six"); s:close(); srv:close(); done() end))
  sk:connect(port, "v6only.test")
end)

case("a failed lookup in connect: dns(nil), then the error event with -4", function(done)
  local sk = net.createConnection(net.TCP, 0)
  local got_dns = false
  sk:on("dns", T.expect(function(s, ip) T.eq(ip, nil); got_dns = true end))
  sk:on("connection", T.never("connection"))
  local ev = modern and "reconnection" or "disconnection"
  sk:on(ev, T.expect(function(s, err)
    T.check(got_dns, "dns came first")
    T.eq(s, sk)
    T.eq(err, -4, "documented code")
    T.eq(peer_ip(s), nil, "no peer after the failure")
    done()
  end))
  if modern then sk:on("disconnection", T.never("disconnection while reconnection is set")) end
  sk:connect(80, "missing.test")
end)

case("a lookup nobody answers times out within the documented bound", function(done)
  servers(SINK)
  local t0 = tmr.now()
  local left = 2
  local function one()
    left = left - 1
    if left > 0 then return end
    local ms = (tmr.now() - t0) / 1000
    T.check(ms >= 2000 and ms < 10000, "waited " .. ms .. " ms, want 2…10 s")
    servers(A)
    done()
  end
  resolve("slow.test", T.expect(function(ip) T.eq(ip, nil); one() end))
  local sk = net.createConnection(net.TCP, 0)
  sk:on("disconnection", T.expect(function(s, err) T.eq(err, -3, "timeout code"); one() end))
  sk:connect(80, "slow.test")
end, 15)

case("close() during the lookup: the answer is dropped", function(done)
  local srv, port = echo_server("127.0.0.1")
  local a = net.createConnection(net.TCP, 0)
  a:on("connection", T.never("connection after close"))
  a:on("dns", T.never("dns after close"))
  if modern then
    a:on("disconnection", T.never("3.0: no event after a local close"))
  else
    a:on("disconnection", T.expect(function(s, err) T.eq(err, 0) end, 1, "1.5 disconnection after close"))
  end
  a:connect(port, "svc.test")
  a:close()
  a:close() -- twice is fine
  local b = net.createConnection(net.TCP, 0)
  b:dns("a.test", T.never("socket:dns answer after close"))
  b:close()
  later(500, function() srv:close(); done() end)
end)

case("close() in the dns callback of connect(): no connection", function(done)
  local srv, port = echo_server("127.0.0.1")
  local sk = net.createConnection(net.TCP, 0)
  sk:on("dns", T.expect(function(s, ip) T.eq(ip, "127.0.0.1"); s:close() end))
  sk:on("connection", T.never("connection after close"))
  if modern then
    sk:on("disconnection", T.never("3.0: no event after a local close"))
  else
    sk:on("disconnection", T.expect(function(s, err) T.eq(err, 0) end, 1, "1.5 disconnection after close"))
  end
  sk:connect(port, "svc.test")
  later(500, function() srv:close(); done() end)
end)

case("sockets collected during their lookup: nothing fires, nothing breaks", function(done)
  local fired = 0
  local function start()
    for i = 1, 50 do
      local sk = net.createConnection(net.TCP, 0)
      sk:on("connection", function() fired = fired + 1 end)
      sk:on("dns", function() fired = fired + 1 end)
      sk:connect(9, "h" .. i .. ".wild.test")
      sk:close()
    end
  end
  start()
  collectgarbage("collect")
  collectgarbage("collect")
  later(500, function()
    collectgarbage("collect")
    T.eq(fired, 0, "events on dropped sockets")
    done()
  end)
end)

case("a socket dropped by the script keeps its lookup until the answer", function(done)
  do
    local sk = net.createConnection(net.TCP, 0)
    sk:dns("a.test", T.expect(function(s, ip) T.eq(ip, "10.53.0.1"); done() end))
  end
  collectgarbage("collect")
  collectgarbage("collect")
end)

-- Arguments -------------------------------------------------------------------

case("get/setdnsserver arguments", function(done)
  T.errors(function() net.dns.getdnsserver(2) end, "server index out of range [0-1]")
  T.errors(function() net.dns.getdnsserver("x") end, "bad argument #1 to 'getdnsserver' (number expected, got string)")
  T.eq(net.dns.getdnsserver(-1), nil, "a negative index reads nil")
  T.errors(function() net.dns.setdnsserver() end, "bad argument #1 to 'setdnsserver' (string expected, got no value)")
  for _, bad in ipairs {"0.0.0.0", "255.255.255.255", "not an ip", "10.0.0.1.2.3.4.5.6", ""} do
    T.errors(function() net.dns.setdnsserver(bad) end, "invalid dns server ip", bad)
  end
  T.errors(function() net.dns.setdnsserver(A, 2) end, "server index out of range [0-1]")
  T.errors(function() net.dns.setdnsserver(A, "x") end, "bad argument #2 to 'setdnsserver' (number expected, got string)")
  T.errors(function() net.dns.setdnsserver("0.0.0.0", 5) end, "invalid dns server ip", "the address is checked first")
  T.eq(net.dns.setdnsserver("10.9.9.9", -1), nil, "a negative index is ignored")
  T.eq(net.dns.getdnsserver(0), A, "slot 0 unchanged")
  T.eq(net.dns.setdnsserver(A, 1), nil, "returns nothing")
  done()
end)

if modern then
  case("resolve and dns arguments (3.0 texts)", function(done)
    T.errors(function() net.dns.resolve() end, "bad argument #1 to 'resolve' (string expected, got no value)")
    T.errors(function() net.dns.resolve("a.test") end, "bad argument #2 to 'resolve' (function expected, got no value)")
    T.errors(function() net.dns.resolve("a.test", 5) end, "bad argument #2 to 'resolve' (function expected, got number)")
    T.errors(function() net.dns.resolve("", print) end, "illegal argument")
    T.errors(function() net.dns.resolve(string.rep("a", 256), print) end, "illegal argument")
    local sk = net.createConnection()
    T.errors(function() sk:dns() end, "bad argument #1 to 'dns' (string expected, got no value)")
    T.errors(function() sk:dns("a.test") end, "no callback specified")
    T.errors(function() sk:dns("", print) end, "illegal argument")
    T.errors(function() sk:connect(80, "") end, "illegal argument")
    -- 129…255 characters are accepted in 3.0 (the 128 check is dead code there).
    net.dns.resolve(string.rep("b", 200) .. ".test", T.expect(function(s, ip) T.eq(ip, nil); done() end))
  end)
else
  case("resolve and dns arguments (1.5 texts)", function(done)
    T.errors(function() net.dns.resolve() end, "wrong parameter type (domain)")
    T.errors(function() net.dns.resolve({}, print) end, "wrong parameter type (domain)")
    T.errors(function() net.dns.resolve(string.rep("a", 129), print) end, "need <128 domain")
    T.eq(net.dns.resolve("a.test"), nil, "no callback: no error")
    T.eq(net.dns.resolve("a.test", 5), nil, "a non-function: no error")
    net.dns.resolve("", T.never("callback for an empty name"))
    local sk = net.createConnection(net.TCP, 0)
    T.errors(function() sk:dns() end, "bad argument #1 to 'dns' (string expected, got no value)")
    T.errors(function() sk:dns(string.rep("a", 129), print) end, "need <128 domain")
    T.eq(sk:dns("a.test"), nil, "no callback: nothing happens")
    sk:dns("", T.never("dns callback for an empty name"))
    -- 128 characters are accepted (and not found); a number is a string.
    local left = 2
    net.dns.resolve(string.rep("c", 123) .. ".test", T.expect(function(s, ip)
      T.eq(ip, nil); left = left - 1; if left == 0 then later(200, done) end
    end))
    net.dns.resolve(1234, T.expect(function(s, ip)
      T.eq(ip, "0.0.4.210", "inet_aton form of a number"); left = left - 1; if left == 0 then later(200, done) end
    end))
  end)

  case("1.5: an empty name in connect ends with disconnection -12", function(done)
    local sk = net.createConnection(net.TCP, 0)
    sk:on("disconnection", T.expect(function(s, err) T.eq(err, -12); done() end))
    sk:connect(80, "")
  end)
end

T.run()
