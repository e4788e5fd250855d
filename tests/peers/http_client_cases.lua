-- http_client_cases.lua — the http module against the origin http_client.sh
-- started (lib/http_origin.py on 127.0.0.1:ORIGIN_PORT), in the profile
-- NETMCU_COMPAT names. REFUSED_PORT is a loopback port nothing listens on.
local T = require "testlib"

local modern = os.getenv("NETMCU_COMPAT") == "3.0"
local P = modern and "http (3.0): " or "http (1.5): "
local PORT = assert(tonumber(os.getenv("ORIGIN_PORT")), "ORIGIN_PORT")
local BASE = "http://127.0.0.1:" .. PORT
local HOST = "Host: 127.0.0.1:" .. PORT .. "\r\n"

local function case(name, fn, timeout) T.case(P .. name, fn, {timeout = timeout or 10}) end

-- A callback that must not run before `armed` is set right after the call.
local function after_call(fn)
  local state = {armed = false}
  return state, function(...)
    T.check(state.armed, "the answer came inside the call")
    fn(...)
  end
end

-- Expects the failure triple (-1, nil, nil) for url.
local function fails(name, url, timeout)
  case(name .. " → -1, nil, nil", function(done)
    http.get(url, nil, T.expect(function(code, body, headers)
      T.eq(code, -1, "code")
      T.eq(body, nil, "body")
      T.eq(headers, nil, "headers")
      done()
    end))
  end, timeout)
end

case("get: the firmware's request, answered from the loop", function(done)
  local state, cb = after_call(function(code, body, headers)
    T.eq(code, 200, "code")
    T.eq(math.type and math.type(code) or "integer", "integer", "an integer code")
    T.eq(body, "GET /echo HTTP/1.1\r\n" .. HOST .. "Connection: close\r\nUser-Agent: ESP8266\r\n\r\n")
    T.eq(type(headers), "table", "headers")
    T.eq(headers["content-type"], "application/octet-stream", "lower-cased names")
    done()
  end)
  T.eq(http.get(BASE .. "/echo", nil, T.expect(cb)), nil, "returns nothing")
  state.armed = true
end)

case("post: the caller's headers, then User-Agent and Content-Length, then the body", function(done)
  http.post(BASE .. "/echo", "Content-Type: application/json\r\n", '{"a":1}', T.expect(function(code, body)
    T.eq(code, 200, "code")
    T.eq(body, "POST /echo HTTP/1.1\r\n" .. HOST .. "Connection: close\r\nContent-Type: application/json\r\n" ..
      "User-Agent: ESP8266\r\nContent-Length: 7\r\n\r\n" .. '{"a":1}')
    done()
  end))
end)

case("put and delete carry their bodies; an empty body sends Content-Length: 0", function(done)
  http.put(BASE .. "/echo", nil, "", T.expect(function(code, body)
    T.eq(code, 200)
    T.match(body, "^PUT /echo HTTP/1%.1\r\n")
    T.match(body, "Content%-Length: 0\r\n\r\n$")
    http.delete(BASE .. "/echo", "", "gone", T.expect(function(code2, body2)
      T.eq(code2, 200)
      T.match(body2, "^DELETE /echo HTTP/1%.1\r\n")
      T.match(body2, "Content%-Length: 4\r\n\r\ngone$")
      done()
    end))
  end))
end)

case("request: any method; HEAD has no body; nil body sends no Content-Length", function(done)
  http.request(BASE .. "/echo", "OPTIONS", nil, nil, T.expect(function(code, body)
    T.eq(code, 200)
    T.match(body, "^OPTIONS /echo HTTP/1%.1\r\n")
    T.check(not body:find("Content-Length", 1, true), "no Content-Length without a body")
    http.request(BASE .. "/echo", "HEAD", nil, nil, T.expect(function(code2, body2, headers)
      T.eq(code2, 200, "HEAD code")
      T.eq(body2, "", "HEAD body")
      T.check(tonumber(headers["content-length"]) > 0, "HEAD keeps the headers")
      done()
    end))
  end))
end)

case("a binary body with NUL bytes, sent and received whole", function(done)
  http.post(BASE .. "/echo", nil, "x\0y", T.expect(function(code, body)
    T.eq(code, 200)
    T.match(body, "Content%-Length: 3\r\n\r\nx%zy$")
    http.get(BASE .. "/nul", nil, T.expect(function(code2, body2)
      T.eq(code2, 200)
      T.eq(body2, "a\0b\0c")
      done()
    end))
  end))
end)

case("the caller's Host and User-Agent replace the firmware's", function(done)
  http.get(BASE .. "/echo", "Host: example.test\r\nuser-agent: mine\r\nX-A: 1\r\n", T.expect(function(code, body)
    T.eq(code, 200)
    T.eq(body, "GET /echo HTTP/1.1\r\nConnection: close\r\nHost: example.test\r\nuser-agent: mine\r\nX-A: 1\r\n\r\n")
    done()
  end))
end)

case("User-Agent in other capitals: " .. (modern and "noticed (since 2.2)" or "not noticed (1.5)"), function(done)
  http.get(BASE .. "/echo", "USER-AGENT: mine\r\n", T.expect(function(code, body)
    T.eq(code, 200)
    T.eq(body:find("User-Agent: ESP8266", 1, true) == nil, modern, "the firmware's own User-Agent absent")
    done()
  end))
end)

case("response headers: names lower-cased, leading blanks dropped, the last repeat wins", function(done)
  http.get(BASE .. "/headers", nil, T.expect(function(code, body, h)
    T.eq(code, 200)
    T.eq(body, "hi")
    T.eq(h["x-mixed-case"], "one")
    T.eq(h["X-Mixed-Case"], nil, "no original spelling")
    T.eq(h["set-cookie"], "b=2")
    T.eq(h["x-spaces"], "padded")
    T.eq(h["content-length"], "2")
    done()
  end))
end)

case("chunked bodies are decoded (any capitals, extensions, trailers)", function(done)
  http.get(BASE .. "/chunked", nil, T.expect(function(code, body)
    T.eq(code, 200)
    T.eq(body, "hello chunked world")
    http.get(BASE .. "/chunked-lower", nil, T.expect(function(code2, body2)
      T.eq(code2, 200)
      T.eq(body2, "abcdefg")
      done()
    end))
  end))
end)

case("a response that arrives one byte per segment", function(done)
  http.get(BASE .. "/trickle", nil, T.expect(function(code, body, h)
    T.eq(code, 201)
    T.eq(body, "slow bytes!")
    T.eq(h["x-long-name"], "a value")
    done()
  end))
end)

case("a 1 MiB body (the device's 8 KiB limit is not the host's)", function(done)
  http.get(BASE .. "/big?n=1048576", nil, T.expect(function(code, body)
    T.eq(code, 200)
    T.eq(#body, 1048576, "length")
    T.eq(body:sub(1, 16), "0000000\n0000001\n", "start")
    T.eq(body:sub(8192 * 127 + 1, 8192 * 127 + 16), "0000000\n0000001\n", "a later repeat")
    done()
  end))
end)

case("a body that runs to the server's close", function(done)
  http.get(BASE .. "/untilclose?n=100000", nil, T.expect(function(code, body)
    T.eq(code, 200)
    T.eq(#body, 100000)
    done()
  end))
end)

case("an interim 100 Continue is skipped", function(done)
  http.get(BASE .. "/continue", nil, T.expect(function(code, body)
    T.eq(code, 200)
    T.eq(body, "after continue")
    done()
  end))
end)

case("status codes are passed: 404 and 500 with their bodies", function(done)
  http.get(BASE .. "/nothing-here", nil, T.expect(function(code, body)
    T.eq(code, 404)
    T.eq(body, "not found")
    http.get(BASE .. "/status?code=500", nil, T.expect(function(code2, body2)
      T.eq(code2, 500)
      T.eq(body2, "status 500")
      done()
    end))
  end))
end)

case("redirects: five 302 hops end at the target", function(done)
  http.get(BASE .. "/redirect?n=5", nil, T.expect(function(code, body)
    T.eq(code, 200)
    T.eq(body, "arrived GET ")
    done()
  end))
end)

case("redirects keep the method and body (303 too, as the firmware)", function(done)
  http.post(BASE .. "/redirect?n=2&code=303", nil, "data", T.expect(function(code, body)
    T.eq(code, 200)
    T.eq(body, "arrived POST data")
    done()
  end))
end)

case("twenty redirects are followed, the twenty-first fails", function(done)
  http.get(BASE .. "/redirect?n=20", nil, T.expect(function(code, body)
    T.eq(code, 200, "20 hops")
    T.eq(body, "arrived GET ")
    http.get(BASE .. "/redirect?n=21", nil, T.expect(function(code2, body2)
      T.eq(code2, -1, "21 hops")
      T.eq(body2, nil)
      done()
    end))
  end))
end)

fails("an endless redirect loop", BASE .. "/loop")

case("a relative Location is taken from the current path's folder", function(done)
  http.get(BASE .. "/dir/a/page", nil, T.expect(function(code, body)
    T.eq(code, 200)
    T.eq(body, "relative /dir/a/next")
    done()
  end))
end)

case("an absolute Location is a new URL", function(done)
  http.get(BASE .. "/absolute", nil, T.expect(function(code, body)
    T.eq(code, 200)
    T.match(body, "^GET /echo HTTP/1%.1\r\n")
    done()
  end))
end)

case("LOCATION in capitals: " .. (modern and "followed (since 2.2)" or "not followed (1.5)"), function(done)
  http.get(BASE .. "/upper-location", nil, T.expect(function(code)
    T.eq(code, modern and 200 or 302)
    done()
  end))
end)

case("a 3xx without Location is passed as it is", function(done)
  http.get(BASE .. "/nolocation", nil, T.expect(function(code, body)
    T.eq(code, 301)
    T.eq(body, "moved, but where")
    done()
  end))
end)

case("a slow server (1.5 s) is waited for", function(done)
  http.get(BASE .. "/slow?ms=1500", nil, T.expect(function(code, body)
    T.eq(code, 200)
    T.eq(body, "slow")
    done()
  end))
end)

fails("a malformed status line", BASE .. "/badstatus")
fails("HTTP/2.0 in the status line", BASE .. "/http2")
fails("bytes that are not HTTP", BASE .. "/garbage")
fails("a close without a byte", BASE .. "/empty")
fails("a body shorter than its Content-Length", BASE .. "/truncated")
fails("a reset in the middle of the body", BASE .. "/reset")
fails("a refused connection", "http://127.0.0.1:" .. os.getenv("REFUSED_PORT") .. "/")
fails("a URL that is not http(s)", "ftp://127.0.0.1/")
fails("a port that is not a number", "http://127.0.0.1:x/")
fails("a port out of range", "http://127.0.0.1:99999/")
fails("a host name of 128 characters", "http://" .. string.rep("a", 128) .. "/")
fails("an empty host", "http:///path")

case("argument errors name the function and the argument", function(done)
  T.errors(function() http.get() end, "bad argument #1 to 'get'")
  T.errors(function() http.get({}) end, "bad argument #1 to 'get'")
  T.errors(function() http.post(nil, nil, "x") end, "bad argument #1 to 'post'")
  T.errors(function() http.request(BASE) end, "bad argument #2 to 'request'")
  T.eq(http.OK, 0, "http.OK")
  T.eq(http.ERROR, -1, "http.ERROR")
  done()
end)

case("one callback slot: the first answer goes to the latest callback, the next to none", function(done)
  local first = T.never("the first call's callback")
  local second = T.expect(function(code, body)
    T.eq(code, 201, "the fast (first) request's answer")
    T.eq(body, "status 201")
  end, 1, "the second call's callback")
  http.get(BASE .. "/status?code=201", nil, first)
  http.get(BASE .. "/slow?ms=300", nil, second)
  tmr.create():alarm(1200, tmr.ALARM_SINGLE, done) -- the slow answer arrives and reaches no one
end)

case("a call without a callback keeps the slot", function(done)
  local cb = T.expect(function(code) T.eq(code, 201) end, 1, "the slot's callback")
  http.get(BASE .. "/slow?ms=300", nil, cb)
  http.get(BASE .. "/status?code=201", nil, nil)
  tmr.create():alarm(1200, tmr.ALARM_SINGLE, done)
end)

case("a callback that starts the next request (a chain of 20)", function(done)
  local n = 0
  local function step(code, body)
    n = n + 1
    T.eq(code, 200)
    if n < 20 then http.get(BASE .. "/echo", nil, step) else done() end
  end
  http.get(BASE .. "/echo", nil, step)
end)

case("requests kept in flight by callbacks that each start one: every answer is delivered", function(done)
  local answers, started = 0, 0
  local function cb(code)
    answers = answers + 1
    T.eq(code, 200)
    if started < 40 then
      started = started + 1
      http.get(BASE .. "/echo", nil, cb)
    end
    if answers == 30 then done() end -- the last few find the slot empty
  end
  for _ = 1, 8 do started = started + 1; http.get(BASE .. "/echo", nil, cb) end
end)

T.run()
