-- api.lua — the mqtt module against a real mosquitto (tests/peers/mqtt.sh
-- starts it and passes MQTT_PORT, MQTT_AUTH_PORT, MQTT_CLOSED_PORT), in the
-- era of the profile in force (ERA = 1.5, 2.2 or 3.0).
local T = require "testlib"
local PORT = tonumber(os.getenv("MQTT_PORT"))
local AUTH_PORT = tonumber(os.getenv("MQTT_AUTH_PORT"))
local CLOSED_PORT = tonumber(os.getenv("MQTT_CLOSED_PORT"))
local ERA = os.getenv("ERA") or "1.5"
local since22, since30 = ERA ~= "1.5", ERA == "3.0"
local n = 0
local function id() n = n + 1; return "api-" .. ERA .. "-" .. n end
local function topic(s) return "test/" .. ERA .. "/" .. n .. "/" .. s end

-- connect in the era's form: ok(client), fail(client, reason)
local function connect(m, port, ok, fail)
  if since30 then return m:connect("127.0.0.1", port, false, ok, fail) end
  return m:connect("127.0.0.1", port, 0, 0, ok, fail)
end

T.case("constants", function(done)
  T.eq(mqtt.CONN_FAIL_SERVER_NOT_FOUND, -5)
  T.eq(mqtt.CONN_FAIL_NOT_A_CONNACK_MSG, -4)
  T.eq(mqtt.CONN_FAIL_DNS, -3)
  T.eq(mqtt.CONN_FAIL_TIMEOUT_RECEIVING, -2)
  T.eq(mqtt.CONN_FAIL_TIMEOUT_SENDING, -1)
  T.eq(mqtt.CONNACK_ACCEPTED, 0)
  T.eq(mqtt.CONNACK_REFUSED_BAD_USER_OR_PASS, 4)
  T.eq(mqtt.CONNACK_REFUSED_NOT_AUTHORIZED, 5)
  done()
end)

T.case("bad arguments and not connected", function(done)
  local m = mqtt.Client(id(), 60)
  T.errors(function() m:publish("a", "b", 0, 0) end, "not connected")
  T.errors(function() m:subscribe("a", 0) end, "not connected")
  T.errors(function() m:unsubscribe("a") end, "not connected")
  T.errors(function() m:lwt(nil, "x") end, "need lwt topic")
  T.errors(function() m:lwt("t", {}) end, "need lwt message")
  T.errors(function() m:lwt("t", "x", 3) end, "qos must be 0, 1 or 2")
  T.errors(function() m:on("connect", nil) end, "function expected")
  if since30 then
    T.errors(function() m:on("bogus", print) end, "invalid option 'bogus'")
  else
    T.errors(function() m:on("bogus", print) end, "method not supported")
    if not since22 then T.errors(function() m:on("overflow", print) end, "method not supported") end
    T.errors(function() m:on("puback", print) end, "method not supported")
  end
  T.errors(function() m:connect(nil) end, "bad argument #1 to 'connect'")
  T.errors(function() m:connect("") end, "invalid domain")
  T.errors(function() m.connect(42, "h") end, "mqtt.socket expected")
  done()
end)

T.case("wrong argument types while connected", function(done)
  local m = mqtt.Client(id(), 60)
  connect(m, PORT, T.expect(function(c)
    T.errors(function() c:publish({}, "x", 0, 0) end, "bad argument #1 to 'publish'")
    T.errors(function() c:publish("t", {}, 0, 0) end, "bad argument #2 to 'publish'")
    T.errors(function() c:publish("t", "x", 3, 0) end, "qos must be 0, 1 or 2")
    T.errors(function() c:publish("t", "x", 0) end, "bad argument #4 to 'publish'")
    T.errors(function() c:subscribe({}) end, "no topics found")
    T.errors(function() c:subscribe({t = 7}) end, "qos must be 0, 1 or 2")
    T.errors(function() c:subscribe({[true] = 0}) end, "topics must be strings")
    T.errors(function() c:subscribe("t") end, "bad argument #2 to 'subscribe'")
    T.errors(function() c:unsubscribe({}) end, "no topics found")
    T.errors(function() c:unsubscribe(nil) end, "bad argument #1 to 'unsubscribe'")
    T.eq(c:publish("a/+", "x", 0, 0), false, "a wildcard topic is refused")
    c:close()
    done()
  end))
end)

T.case("two connected clients publish in turn; other userdata as self; a client after its __gc", function(done)
  local a, b = mqtt.Client(id(), 60), mqtt.Client(id(), 60)
  local up, na, nb = 0, 0, 0
  local function finish()
    T.errors(function() a.publish(io.stdout, topic("x"), "x", 0, 0) end, "mqtt.socket expected")
    T.errors(function() a.publish(nil, topic("x"), "x", 0, 0) end, "mqtt.socket expected")
    T.eq(b:publish(topic("b"), "last", 0, 0), true, "b after the wrong self")
    T.eq(a:publish(topic("a"), "last", 0, 0), true, "a after b")
    getmetatable(a).__gc(a)
    T.errors(function() a:publish(topic("a"), "x", 0, 0) end, "mqtt client is closed")
    b:close()
    done()
  end
  local function acked_a()
    na = na + 1
    if na == 10 and nb == 10 then finish() end
  end
  local function acked_b()
    nb = nb + 1
    if na == 10 and nb == 10 then finish() end
  end
  local function both()
    up = up + 1
    if up < 2 then return end
    for i = 1, 10 do
      T.eq(a:publish(topic("a"), "a" .. i, 0, 0, acked_a), true, "a publishes")
      T.eq(b:publish(topic("b"), "b" .. i, 0, 0, acked_b), true, "b publishes")
    end
  end
  connect(a, PORT, T.expect(both))
  connect(b, PORT, T.expect(both))
end)

T.case("connection refused: the failure callback with -5, no offline", function(done)
  local m = mqtt.Client(id(), 60)
  m:on("offline", T.never("offline"))
  local r = connect(m, CLOSED_PORT, T.never("connect"), T.expect(function(c, reason)
    T.eq(c, m, "client")
    T.eq(reason, mqtt.CONN_FAIL_SERVER_NOT_FOUND)
    done()
  end))
  if since30 then T.eq(r, nil, "3.0 connect returns nothing") else T.eq(r, true, "connect returns true") end
end)

T.case("a name is looked up (localhost)", function(done)
  local m = mqtt.Client(id(), 60)
  local args = since30 and {"localhost", PORT, false} or {"localhost", PORT, 0, 0}
  args[#args + 1] = T.expect(function(c) c:close() done() end)
  args[#args + 1] = function(c, r) T.fail("failed " .. r) done() end
  m:connect((unpack or table.unpack)(args))
end)

T.case("QoS 0, 1, 2 publish and subscribe of a table, one suback, one puback each", function(done)
  local m = mqtt.Client(id(), 60)
  local got, pubacks = {}, 0
  m:on("message", function(c, t, d) got[#got + 1] = t .. "=" .. tostring(d)
    if #got == 3 then
      table.sort(got)
      T.eq(table.concat(got, ","), topic("0") .. "=zero," .. topic("1") .. "=one," .. topic("2") .. "=two")
      T.eq(pubacks, 3, "pubacks")
      c:close()
      done()
    end
  end)
  connect(m, PORT, T.expect(function(c)
    local subs = {[topic("0")] = 0, [topic("1")] = 1, [topic("2")] = 2}
    T.eq(c:subscribe(subs, T.expect(function(c2)
      local cb = function() pubacks = pubacks + 1 end
      T.eq(c2:publish(topic("0"), "zero", 0, 0, cb), true)
      T.eq(c2:publish(topic("1"), "one", 1, 0, cb), true)
      T.eq(c2:publish(topic("2"), "two", 2, 0, cb), true)
      T.eq(pubacks, 0, "no puback inside publish")
    end)), true)
  end), function(c, r) T.fail("connect failed " .. r) done() end)
end)

T.case("an empty payload: message without its third argument; a number payload", function(done)
  local m = mqtt.Client(id(), 60)
  local seen = 0
  m:on("message", function(c, t, d, extra)
    seen = seen + 1
    if seen == 1 then T.eq(select("#", c, t, d), 3); T.eq(d, nil, "payload") end
    if seen == 2 then T.eq(d, "42") c:close() done() end
  end)
  connect(m, PORT, function(c)
    c:subscribe(topic("e"), 0, function(c2)
      c2:publish(topic("e"), "", 0, 0)
      c2:publish(topic("e"), 42, 0, 0)
    end)
  end)
end)

T.case("retained message reaches a later subscriber; unsubscribe stops delivery", function(done)
  local m = mqtt.Client(id(), 60)
  local t = topic("r")
  m:on("message", T.expect(function(c, tp, d)
    T.eq(d, "kept")
    c:unsubscribe({[t] = true}, T.expect(function(c2)
      T.sh("mosquitto_pub -h 127.0.0.1 -p " .. PORT .. " -t " .. t .. " -m late")
      tmr.create():alarm(300, tmr.ALARM_SINGLE, function() c2:close() done() end)
    end))
  end))
  connect(m, PORT, function(c)
    c:publish(t, "kept", 1, 1, function(c2) c2:subscribe(t, 1) end)
  end)
end)

T.case("credentials: accepted, and refused with the CONNACK's code", function(done)
  local good = mqtt.Client(id(), 60, "alice", "secret")
  connect(good, AUTH_PORT, T.expect(function(c)
    c:close()
    local bad = mqtt.Client(id(), 60, "alice", "wrong")
    bad:on("offline", T.never("offline"))
    connect(bad, AUTH_PORT, T.never("connect"), T.expect(function(c2, reason)
      T.check(reason == mqtt.CONNACK_REFUSED_BAD_USER_OR_PASS or reason == mqtt.CONNACK_REFUSED_NOT_AUTHORIZED,
        "reason " .. tostring(reason))
      done()
    end))
  end), function(c, r) T.fail("good login failed " .. r) done() end)
end)

T.case("close inside the connect callback, twice, then use", function(done)
  local m = mqtt.Client(id(), 60)
  local offline = 0
  m:on("offline", function() offline = offline + 1 end)
  connect(m, PORT, T.expect(function(c)
    local r1 = c:close()
    local r2 = c:close()
    if since30 then T.eq(r1, nil) else T.eq(r1, true, "first close"); T.eq(r2, false, "second close") end
    T.errors(function() c:publish("a", "b", 0, 0) end, "not connected")
    tmr.create():alarm(300, tmr.ALARM_SINGLE, function()
      T.eq(offline, since30 and 1 or 0, "offline after close() (3.0 only)")
      -- reusable afterwards
      connect(m, PORT, T.expect(function(c2) c2:close() done() end))
    end)
  end))
end)

T.case("close() while connecting: the attempt goes on, as on the firmware", function(done)
  local m = mqtt.Client(id(), 60)
  connect(m, PORT, T.expect(function(c) c:close() done() end))
  local r = m:close()
  if since30 then T.eq(r, nil) else T.eq(r, false, "close() returns false when not connected") end
end)

T.case("connect while connecting or connected: already connected", function(done)
  local m = mqtt.Client(id(), 60)
  connect(m, PORT, T.expect(function(c)
    T.errors(function() connect(c, PORT) end, "already connected")
    c:close()
    done()
  end))
  T.errors(function() connect(m, PORT) end, "already connected")
end)

T.case("a client the script dropped stays connected and gets its messages", function(done)
  local t = topic("gc")
  do
    local m = mqtt.Client(id(), 60)
    m:on("message", T.expect(function(c, tp, d) T.eq(d, "still here") c:close() done() end))
    connect(m, PORT, function(c) c:subscribe(t, 1, function() collectgarbage() collectgarbage()
      T.sh("mosquitto_pub -h 127.0.0.1 -p " .. PORT .. " -q 1 -t " .. t .. " -m 'still here'") end) end)
  end
  collectgarbage()
end)

if since22 then
  T.case("a message over max_message_length goes to overflow, truncated; the next one arrives", function(done)
    local m = mqtt.Client(id(), 60, "user", "pass", 1, 100)
    local t = topic("big")
    m:on("overflow", T.expect(function(c, tp, d)
      T.eq(tp, t)
      -- 100 bytes of packet: 3 of fixed header, 2 + #topic, 2 of packet id
      T.eq(#d, 100 - 3 - 2 - #t - 2, "truncated length")
      T.eq(d, string.rep("x", #d))
    end))
    m:on("message", T.expect(function(c, tp, d) T.eq(d, "small") c:close() done() end))
    connect(m, PORT, function(c)
      c:subscribe(t, 1, function(c2)
        c2:publish(t, string.rep("x", 500), 1, 0)
        c2:publish(t, "small", 1, 0)
      end)
    end)
  end)
end

if since30 then
  T.case("3.0: a 1.5-style connect shifts its callbacks (ok becomes the failure callback)", function(done)
    local m = mqtt.Client(id(), 60)
    m:connect("127.0.0.1", CLOSED_PORT, 0, 1, T.expect(function(c, reason)
      T.eq(reason, mqtt.CONN_FAIL_SERVER_NOT_FOUND, "called as the failure callback")
      done()
    end), T.never("fail"))
  end)
  T.case("3.0: connfail, suback, unsuback and puback through on()", function(done)
    local m = mqtt.Client(id(), 60)
    local t = topic("on")
    m:on("connfail", T.never("connfail"))
    m:on("suback", T.expect(function(c) c:publish(t, "p", 1, 0) end))
    m:on("puback", T.expect(function(c) c:unsubscribe(t) end))
    m:on("unsuback", T.expect(function(c) c:close() done() end))
    m:on("connect", T.expect(function(c) c:subscribe(t, 0) end))
    m:connect("127.0.0.1", PORT, false)
  end)
end

T.run()
