-- profile: 1.5 3.0
-- wifi_events.lua — the station's life in both profiles: status and events in the
-- firmware's order, the host's real address, disconnect, and faults injected
-- through the control module (tests/peers/wifi.sh runs it again with --ip).
local T = require "testlib"
local ev = wifi.eventmon

local function unregister_all()
  for id = 0, ev.EVENT_MAX do ev.unregister(id) end
end

T.case("connect_order_and_address", function(done)
  local seen, inside = {}, true
  wifi.setmode(wifi.STATION, false)
  T.eq(wifi.sta.status(), wifi.STA_IDLE)
  ev.register(ev.STA_CONNECTED, T.expect(function(t)
    seen[#seen + 1] = "connected"
    T.check(not inside, "not inside config()")
    T.eq(t.SSID, "lab"); T.match(t.BSSID, "^%x%x:%x%x:%x%x:%x%x:%x%x:%x%x$")
    T.eq(t.channel, wifi.getchannel())
    T.eq(wifi.sta.status(), wifi.STA_CONNECTING, "still no address")
    T.eq(wifi.sta.getip(), nil)
  end))
  ev.register(ev.STA_GOT_IP, T.expect(function(t)
    seen[#seen + 1] = "got_ip"
    T.eq(wifi.sta.status(), wifi.STA_GOTIP)
    local ip, mask, gw = wifi.sta.getip()
    T.eq(t.IP, ip); T.eq(t.netmask, mask); T.eq(t.gateway, gw)
    T.match(ip, "^%d+%.%d+%.%d+%.%d+$")
    if os.getenv("WANT_IP") then T.eq(ip, os.getenv("WANT_IP"), "the chosen address") end
    T.match(wifi.sta.getbroadcast(), "^%d+%.%d+%.%d+%.%d+$")
    local rssi = wifi.sta.getrssi()
    T.check(type(rssi) == "number" and rssi < 0, "rssi while associated")
    T.eq(table.concat(seen, ","), "connected,got_ip")
    unregister_all()
    done()
  end))
  T.eq(wifi.sta.config({ssid = "lab", pwd = "password", save = false}), true)
  T.eq(wifi.sta.status(), wifi.STA_CONNECTING, "connecting at once")
  inside = false
end)

T.case("disconnect_event", function(done)
  ev.register(ev.STA_DISCONNECTED, T.expect(function(t)
    T.eq(t.reason, ev.reason.ASSOC_LEAVE); T.eq(t.SSID, "lab")
    T.eq(wifi.sta.status(), wifi.STA_IDLE); T.eq(wifi.sta.getip(), nil)
    unregister_all()
    done()
  end))
  wifi.sta.disconnect()
  T.eq(wifi.sta.status(), wifi.STA_IDLE)
end)

T.case("drop_and_restore_through_control", function(done)
  local step = "connect"
  ev.register(ev.STA_GOT_IP, function()
    if step == "connect" then
      step = "drop"
      T.match(control.send("wifi drop"), "^link down status 1 ip %-$")
      T.eq(wifi.sta.getip(), nil, "no address once dropped")
    elseif step == "restore" then
      T.eq(wifi.sta.status(), wifi.STA_GOTIP)
      T.check(wifi.sta.getip() ~= nil, "address back")
      unregister_all()
      done()
    end
  end)
  ev.register(ev.STA_DISCONNECTED, function(t)
    if step == "drop" then
      T.eq(t.reason, ev.reason.BEACON_TIMEOUT)
      step = "searching"
    elseif step == "searching" then
      T.eq(t.reason, ev.reason.NO_AP_FOUND, "the retry finds no AP")
      T.eq(wifi.sta.status(), wifi.STA_APNOTFOUND)
      step = "restore"
      control.send("wifi restore")
    end
  end)
  wifi.sta.connect()
end)

T.case("wrong_password_through_control", function(done)
  ev.register(ev.STA_DISCONNECTED, T.expect(function(t)
    if t.reason == ev.reason.AUTH_EXPIRE then return end
    T.eq(t.reason, ev.reason.AUTH_FAIL)
    T.eq(wifi.sta.status(), wifi.STA_WRONGPWD)
    control.send("wifi restore")
    wifi.sta.disconnect()
    unregister_all()
    done()
  end, 2))
  T.match(control.send("wifi wrongpwd"), "^link wrongpwd")
  T.eq(control.send("wifi status"), "link wrongpwd status 1 ip -", "the link went, reconnecting")
end)

T.case("control_wifi_rejects_bad_commands", function(done)
  T.errors(function() control.send("wifi") end, "control: usage: wifi drop|restore|wrongpwd|status")
  T.errors(function() control.send("wifi fly") end, "control: unknown wifi command 'fly'")
  T.errors(function() control.send("wifi drop now") end, "control: usage:")
  T.match(control.send("help"), "wifi")
  done()
end)

T.case("static_ip_after_setip", function(done)
  wifi.sta.setip({ip = "10.9.8.7", netmask = "255.255.255.0", gateway = "10.9.8.1"})
  ev.register(ev.STA_GOT_IP, T.expect(function(t)
    T.eq(t.IP, "10.9.8.7")
    T.eq(select(3, wifi.sta.getip()), "10.9.8.1")
    T.eq(wifi.sta.getbroadcast(), "10.9.8.255")
    wifi.sta.disconnect()
    unregister_all()
    done()
  end))
  wifi.sta.connect()
end)

if wifi.sta.eventMonReg then
  T.case("status_monitor_1_5", function(done)
    local seen = {}
    wifi.sta.config("mon", "password", 0)
    wifi.sta.eventMonReg(wifi.STA_CONNECTING, function(prev) seen[#seen + 1] = "1<" .. prev end)
    wifi.sta.eventMonReg(wifi.STA_GOTIP, T.expect(function(prev)
      seen[#seen + 1] = "5<" .. prev
      T.eq(table.concat(seen, ","), "1<0,5<1")
      wifi.sta.eventMonStop("unregister")
      wifi.sta.disconnect()
      done()
    end))
    wifi.sta.eventMonStart(20)
    wifi.sta.connect()
  end)
end

T.run()
