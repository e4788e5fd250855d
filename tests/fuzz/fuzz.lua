-- fuzz.lua — a seeded, reproducible random driver of the net API (make fuzz).
--
--   netmcu tests/fuzz/fuzz.lua SEED SECONDS PEER_PORT
--
-- For SECONDS it performs random API calls every few milliseconds: sockets to
-- a misbehaving peer (tests/fuzz/peer.py), to its own servers and to a closed
-- port; sends of random sizes, closes, holds, dropped references and garbage
-- collection, servers opened and closed, errors raised inside callbacks, and
-- UDP objects sending to one another (see "UDP" below). It
-- checks as it goes that events keep their rules (no event after
-- disconnection, no `sent` after close() in 1.5, never more `sent` than
-- sends, an orderly end only once every send was reported), and at the end
-- that every byte a socket sent to its own servers and closed cleanly arrived
-- there. Violations are printed as "VIOLATION ..." and end the run with an
-- error; the summary line is "FUZZ seed=... actions=...".
local seed, seconds, peer_port = tonumber(arg[1]), tonumber(arg[2]), tonumber(arg[3])
math.randomseed(seed)
local R = math.random
local profile = os.getenv("NETMCU_COMPAT") or "1.5"
local modern = profile ~= "1.5" -- 2.2 and 3.0 share the lwIP net module's rules

local stats = {actions = 0, sockets = 0, servers = 0, sends = 0, sents = 0, bytes = 0,
               cb_errors = 0, disconnections = 0, verified = 0,
               udp_sockets = 0, udp_sends = 0, udp_received = 0}
local violations = 0
local function violate(msg)
  violations = violations + 1
  print("VIOLATION " .. msg)
end
node.setonerror(function(msg)
  if not tostring(msg):find("deliberate", 1, true) then violate("unexpected error: " .. tostring(msg)) end
  stats.cb_errors = stats.cb_errors + 1
end)

local live = {}                       -- tracked client sockets still referenced
local all = setmetatable({}, {__mode = "k"}) -- every socket ever made -> its record
local servers = {}
local pairs_by_id = {}                -- own-server connections: id -> record
local next_id = 0

local function pick(t)
  if #t == 0 then return nil, nil end
  local i = R(#t)
  return t[i], i
end

local winding_down = false
local function maybe_error()
  if not winding_down and R(40) == 1 then error("deliberate error in a callback") end
end

local closed_port
do
  local probe = net.createServer(net.TCP, 30)
  probe:listen(0, "127.0.0.1")
  closed_port = probe:getaddr()
  probe:close()
end

-- JSON over the connections: a random document, sent whole; what comes back (echoed, in
-- pieces of any size) is fed to the socket's sjson decoder, or decoded by cjson in 1.5.
local json = rawget(_G, "sjson") or rawget(_G, "cjson")
local function random_value(depth)
  local k = R(depth > 4 and 4 or 6)
  if k == 1 then return R(1000) / R(7) elseif k == 2 then return string.rep("\"\\/x\1", R(5))
  elseif k == 3 then return R(2) == 1 elseif k == 4 then return json.null or json.NULL end
  local t = {}
  for i = 1, R(6) do t[k == 5 and i or ("k" .. i)] = random_value(depth + 1) end
  return t
end

local function do_send(t, n, text)
  local data = text or string.rep(string.char(65 + t.id % 26), math.max(n, 1))
  local ok, err = pcall(t.s.send, t.s, data)
  if ok then
    if not t.ended and not t.closed then
      t.sends = t.sends + 1
      t.bytes = t.bytes + #data
      stats.sends = stats.sends + 1
      stats.bytes = stats.bytes + #data
    end
  elseif not (modern and (t.ended or t.closed) and tostring(err):find("not connected", 1, true)) then
    violate("send raised " .. tostring(err))
  end
end

local function new_client()
  next_id = next_id + 1
  local target = R(10)
  local port = target <= 5 and peer_port or (target <= 9 and #servers > 0 and servers[R(#servers)].port) or closed_port
  local s = net.createConnection(net.TCP, 0)
  local t = {s = s, id = next_id, sends = 0, sents = 0, bytes = 0, own = false, port = port}
  -- Some sockets stream, the NodeMCU way: each piece sent from the last one's `sent`.
  t.pieces = R(4) == 1 and R(100) or 0
  t.decoder = rawget(_G, "sjson") and R(3) == 1 and sjson.decoder() or nil
  for _, sv in ipairs(servers) do if sv.port == port then t.own = true end end
  stats.sockets = stats.sockets + 1
  s:on("connection", function(c)
    if t.ended then violate("connection after disconnection") end
    t.connected = true
    if t.pieces > 0 then do_send(t, 4096) end
    maybe_error()
  end)
  s:on("sent", function(c)
    if t.ended then violate("sent after disconnection") end
    if t.closed and not modern then violate("sent after close() (1.5)") end
    t.sents = t.sents + 1
    stats.sents = stats.sents + 1
    if t.sents > t.sends then violate("more sent events than sends") end
    if t.pieces > 0 and not t.closed then
      t.pieces = t.pieces - 1
      do_send(t, 4096)
    elseif R(4) == 1 and not t.closed then
      do_send(t, R(20000)) -- a chain
    end
    if R(30) == 1 then t.closed = true; c:close() end
    maybe_error()
  end)
  s:on("receive", function(c, d)
    if t.ended then violate("receive after disconnection") end
    if t.closed then violate("receive after close()") end
    if t.decoder and not pcall(t.decoder.write, t.decoder, d) then t.decoder = sjson.decoder() end
    if not rawget(_G, "sjson") then pcall(json.decode, d) end
    if R(20) == 1 then c:hold(); tmr.create():alarm(R(50), tmr.ALARM_SINGLE, function() c:unhold() end) end
    maybe_error()
  end)
  local function ending(kind)
    return function(c, err)
      if t.ended then violate(kind .. " twice") end
      t.ended = true
      t.err = err
      stats.disconnections = stats.disconnections + 1
      if err == 0 and not t.closed and t.sents ~= t.sends then
        violate(string.format("orderly end with %d of %d sends reported", t.sents, t.sends))
      end
      maybe_error()
    end
  end
  s:on("disconnection", ending("disconnection"))
  if modern then s:on("reconnection", ending("reconnection")) end
  -- A send before the connection is up, now and then.
  s:connect(port, "127.0.0.1")
  if t.own then
    -- The first bytes name the socket, so that its server can report what it got.
    pairs_by_id[t.id] = t
    s:send(string.format("ID%08d", t.id))
    t.sends, t.bytes = 1, 10
    stats.sends = stats.sends + 1
  end
  if R(5) == 1 then do_send(t, R(1000)) end -- while connecting
  live[#live + 1] = t
  all[s] = t
end

local function new_server()
  local sv = {conns = 0}
  sv.s = net.createServer(net.TCP, 30)
  sv.s:listen(0, "127.0.0.1", function(c)
    sv.conns = sv.conns + 1
    local got, id, head = 0, nil, ""
    c:on("receive", function(c, d)
      if id == nil then
        head = head .. d
        if #head >= 10 then id = tonumber(head:sub(3, 10)); got = #head end
      else
        got = got + #d
      end
      if R(50) == 1 then c:send("echo") end
      maybe_error()
    end)
    c:on("disconnection", function(c, err)
      local t = id and pairs_by_id[id]
      if t then t.server_got = got; t.server_err = err end
    end)
  end)
  sv.port = sv.s:getaddr()
  servers[#servers + 1] = sv
  stats.servers = stats.servers + 1
end

local function close_server()
  local sv, i = pick(servers)
  if not sv then return end
  table.remove(servers, i)
  sv.s:close()
  -- Its accepted sockets may be closed (1.5) mid-transfer: those pairs are not checked.
  for _, t in pairs(pairs_by_id) do if t.port == sv.port then t.unchecked = true end end
end

-- UDP: objects of both kinds send to one another, reply from inside
-- `receive` (so that replies leave in batches), close inside their own
-- callbacks. Every datagram must arrive whole, no event may follow close(),
-- `sent` never outnumbers sends, and by the end every send of the two
-- steady objects (never closed before then) was reported.
local udps = {}                       -- open UDP records
local udp_all = {}                    -- every UDP record, for the wind-down

local function udp_datagram(n)        -- its length is written in it, to check it whole
  n = math.max(n, 7)
  return string.format("U%06d", n) .. string.rep("u", n - 7)
end

local function udp_size()
  local r = R(20)
  return r == 1 and 65507 or (r <= 5 and R(3000) or R(200))
end

local function udp_send(u, port, ip, n)
  if u.closed then return end
  local ok, err = pcall(u.s.send, u.s, port, ip, udp_datagram(n))
  if ok then
    u.sends = u.sends + 1
    stats.udp_sends = stats.udp_sends + 1
  else
    violate("udp send raised " .. tostring(err))
  end
end

local function udp_close(u, at_end)
  if u.closed or (u.steady and not at_end) then return end
  u.closed = true
  u.s:close()
  for i, v in ipairs(udps) do if v == u then table.remove(udps, i) break end end
end

local function new_udp(steady)       -- a steady one is closed only at the end
  local seed_server = R(2) == 1
  local u = {sends = 0, sents = 0, steady = steady}
  u.s = seed_server and net.createServer(net.UDP) or net.createUDPSocket()
  u.s:on("receive", function(s, d, port, ip)
    if u.closed then violate("udp receive after close()") end
    if #d < 7 or d:sub(1, 1) ~= "U" or tonumber(d:sub(2, 7)) ~= #d then
      violate("udp datagram not whole: " .. #d .. " bytes")
    end
    stats.udp_received = stats.udp_received + 1
    if R(4) == 1 and not winding_down then -- 0.5 replies a datagram: the traffic dies down
      for _ = 1, R(3) do
        if seed_server and R(2) == 1 and not u.closed then
          -- the seed's reply to the last sender
          local ok, err = pcall(s.send, s, udp_datagram(udp_size()))
          if ok then u.sends = u.sends + 1; stats.udp_sends = stats.udp_sends + 1
          else violate("udp reply raised " .. tostring(err)) end
        else
          udp_send(u, port, ip, udp_size())
        end
      end
    end
    if R(25) == 1 then udp_close(u) end
    maybe_error()
  end)
  u.s:on("sent", function(s)
    if u.closed then violate("udp sent after close()") end
    u.sents = u.sents + 1
    if u.sents > u.sends then violate("udp: more sent events than sends") end
    if R(10) == 1 and not winding_down then
      local peer = pick(udps)
      if peer then udp_send(u, peer.port, "127.0.0.1", udp_size()) end
    end
    maybe_error()
  end)
  u.s:listen(0, "127.0.0.1")
  u.port = u.s:getaddr()
  udps[#udps + 1] = u
  udp_all[#udp_all + 1] = u
  stats.udp_sockets = stats.udp_sockets + 1
end

local function udp_burst()
  local from, to = pick(udps), pick(udps)
  if from and to then
    for _ = 1, R(R(4) == 1 and 40 or 3) do udp_send(from, to.port, "127.0.0.1", udp_size()) end
  end
end

local actions = {
  function() new_client() end,
  function() new_client() end,
  function() local t = pick(live); if t then do_send(t, R(4) == 1 and R(300000) or R(2000)) end end,
  function() local t = pick(live); if t then do_send(t, R(100)) end end,
  function() local t = pick(live); if t then do_send(t, 0, json.encode({random_value(1)})) end end,
  function() local t = pick(live); if t and not t.closed then t.closed = true; t.s:close() end end,
  function() local t = pick(live); if t then t.s:hold(); t.s:unhold() end end,
  function() local t = pick(live); if t then t.s:getpeer(); t.s:getaddr() end end,
  function() local _, i = pick(live); if i then table.remove(live, i) end end, -- drop a reference
  function() collectgarbage("step", 10) end,
  function() if R(4) == 1 then collectgarbage() end end,
  function() if #servers < 4 then new_server() end end,
  function() if R(10) == 1 then close_server() end end,
  function() tmr.create():alarm(R(20), tmr.ALARM_SINGLE, function() maybe_error() end) end,
  function() local t = pick(live); if t then t.s:close(); t.closed = true; t.s:close() end end,
  function() if #udps < 6 then new_udp() end end,
  function() udp_burst() end,
  function() udp_burst() end,
  function() if R(8) == 1 then local u = pick(udps); if u then udp_close(u) end end end,
}

new_server()
new_udp(true)
new_udp(true)
local started = tmr.now()
local driver = tmr.create()
driver:alarm(2, tmr.ALARM_AUTO, function()
  for _ = 1, R(3) do
    stats.actions = stats.actions + 1
    actions[R(#actions)]()
  end
  if (tmr.now() - started) / 1e6 >= seconds then
    driver:unregister()
    winding_down = true
    -- Wind down: close every socket, then (once they drained) every server, then check.
    -- Not the servers first: in 1.5 a server's close() closes its accepted
    -- connections, which then discard what their clients' last sends bring.
    for s, t in pairs(all) do if not t.closed then t.closed = true; s:close() end end
    tmr.create():alarm(5000, tmr.ALARM_SINGLE, function()
      for _, sv in ipairs(servers) do sv.s:close() end
    end)
    tmr.create():alarm(7000, tmr.ALARM_SINGLE, function()
      for _, u in ipairs(udp_all) do
        if not u.closed and u.sents ~= u.sends then
          violate(string.format("udp: %d of %d sends reported", u.sents, u.sends))
        end
        udp_close(u, true)
      end
      for _, t in pairs(pairs_by_id) do
        -- A socket that closed cleanly (1.5: disconnection 0; 3.0: no error
        -- event) delivered everything to a server that never closed on it.
        local clean = t.closed and t.sents <= t.sends and (t.err == 0 or (modern and t.err == nil))
        if clean and not t.unchecked and t.server_got and t.server_err == 0 then
          stats.verified = stats.verified + 1
          if t.server_got ~= t.bytes then
            violate(string.format("socket %d sent %d bytes, its server got %d", t.id, t.bytes, t.server_got))
          end
        end
      end
      local parts = {}
      for _, k in ipairs({"actions", "sockets", "servers", "sends", "sents", "bytes", "cb_errors",
                          "disconnections", "verified", "udp_sockets", "udp_sends", "udp_received"}) do
        parts[#parts + 1] = k .. "=" .. stats[k]
      end
      print(string.format("FUZZ seed=%d profile=%s %s violations=%d", seed, profile,
                          table.concat(parts, " "), violations))
      -- Not error(): the handler installed above would take it for one more violation.
      if violations > 0 then os.exit(1) end
    end)
  end
end)
