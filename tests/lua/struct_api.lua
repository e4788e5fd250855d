-- profile: 1.5 2.2 3.0
-- struct_api.lua — struct.pack/unpack/size with the ESP8266's type sizes,
-- the firmware's format language and its errors.
local T = require "testlib"

local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end

T.case("device_sizes_not_the_hosts", function(done)
  T.eq(struct.size("b"), 1)
  T.eq(struct.size("h"), 2)
  T.eq(struct.size("l"), 4, "long is 4 bytes on the ESP8266")
  T.eq(struct.size("L"), 4)
  T.eq(struct.size("T"), 4, "size_t too")
  T.eq(struct.size("i"), 4)
  T.eq(struct.size("i8"), 8)
  T.eq(struct.size("f"), 4)
  T.eq(struct.size("d"), 8)
  T.eq(struct.size("c10"), 10)
  T.eq(struct.size("!4 b i"), 8, "alignment")
  T.eq(struct.size("bi"), 5, "no alignment by default")
  done()
end)

T.case("pack_byte_order_and_signs", function(done)
  T.eq(hex(struct.pack(">I2", 0x1234)), "1234")
  T.eq(hex(struct.pack("<I2", 0x1234)), "3412")
  T.eq(hex(struct.pack("I2", 0x1234)), "3412", "the device is little endian")
  T.eq(hex(struct.pack(">i4", -2)), "fffffffe")
  T.eq(hex(struct.pack(">b", -1)), "ff")
  T.eq(hex(struct.pack(">I4", 4294967295)), "ffffffff", "wraps modulo 2^32")
  T.eq(hex(struct.pack("<i8", -1)), "ffffffff00000000", "integers are packed from 32 bits")
  T.eq(hex(struct.pack(">h", 1.9)), "0001", "a fraction is truncated")
  T.eq(hex(struct.pack("!4 b i", 1, 2)), "0100000002000000")
  T.eq(hex(struct.pack("bxb", 1, 2)), "010002")
  done()
end)

T.case("unpack_values_and_next_position", function(done)
  local a, b, nxt = struct.unpack(">I2 i2", "\018\052\255\254")
  T.eq(a, 0x1234)
  T.eq(b, -2)
  T.eq(nxt, 5)
  T.eq(struct.unpack(">I4", "\255\255\255\255"), 4294967295, "an unsigned 32-bit value")
  T.eq(struct.unpack("<i8", "\255\255\255\255\255\255\255\255"), -1, "8 bytes, signed")
  local v, p = struct.unpack("b", "\001\002\003", 3)
  T.eq(v, 3, "from a position")
  T.eq(p, 4)
  T.eq(select("#", struct.unpack("x", "\000")), 1, "padding gives no value")
  done()
end)

T.case("floats_strings_and_counted_strings", function(done)
  T.eq(struct.unpack("<d", struct.pack("<d", 1.5)), 1.5)
  T.eq(struct.unpack(">f", struct.pack(">f", -0.25)), -0.25)
  T.eq(hex(struct.pack(">f", 1)), "3f800000")
  T.eq(struct.pack("s", "hi"), "hi\0")
  T.eq(struct.pack("c0", "whole"), "whole")
  T.eq(struct.pack("c3", "abcdef"), "abc")
  local s, n = struct.unpack("s", "abc\0rest")
  T.eq(s, "abc")
  T.eq(n, 5)
  local body, after = struct.unpack("b c0", "\003xyzw")
  T.eq(body, "xyz", "c0 takes (and consumes) the previous value as its length")
  T.eq(after, 5)
  done()
end)

T.case("round_trip_of_a_sensor_record", function(done)
  local fmt = "<HhLbc4"
  local rec = struct.pack(fmt, 65535, -300, 123456, -5, "ABCD")
  T.eq(#rec, struct.size(fmt))
  local u, s, l, b, c, nxt = struct.unpack(fmt, rec)
  T.eq(u, 65535); T.eq(s, -300); T.eq(l, 123456); T.eq(b, -5); T.eq(c, "ABCD"); T.eq(nxt, #rec + 1)
  done()
end)

T.case("bad_formats_and_data_raise_the_firmwares_texts", function(done)
  T.errors(function() struct.pack("z", 1) end, "invalid format option 'z'")
  T.errors(function() struct.pack("i40", 1) end, "integral size 40 is larger than limit of 32")
  T.errors(function() struct.pack("!3", 1) end, "alignment 3 is not a power of 2")
  T.errors(function() struct.pack("c99999999999", "x") end, "integral size overflow")
  T.errors(function() struct.pack("c5", "ab") end, "string too short")
  T.errors(function() struct.pack("i") end, "bad argument #2")
  T.errors(function() struct.pack("i", "x") end, "number expected, got string")
  T.errors(function() struct.unpack("i", "ab") end, "data string too short")
  T.errors(function() struct.unpack("b", "a", 0) end, "data string too short")
  T.errors(function() struct.unpack("b", "a", -5) end, "data string too short")
  T.errors(function() struct.unpack("s", "abc") end, "unfinished string in data")
  T.errors(function() struct.unpack("c0", "abc") end, "format `c0' needs a previous size")
  T.errors(function() struct.unpack("b c0", "\009ab") end, "data string too short")
  T.errors(function() struct.size("s") end, "option 's' has no fixed size")
  T.errors(function() struct.size("c0") end, "option 'c0' has no fixed size")
  T.errors(function() struct.pack() end, "bad argument #1")
  done()
end)

T.case("random_formats_and_data_never_crash", function(done)
  local alphabet = "<>!xbBhHlLTiIcsfd 0123456789z"
  local seed = 12345
  local function rnd(n) seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n + 1 end
  local raised, returned = 0, 0
  for _ = 1, 3000 do
    local f = ""
    for _ = 1, rnd(8) do local k = rnd(#alphabet); f = f .. alphabet:sub(k, k) end
    local data = ""
    for _ = 1, rnd(24) - 1 do data = data .. string.char(rnd(256) - 1) end
    local args = {}
    for j = 1, rnd(6) do args[j] = (rnd(3) == 1) and data or (rnd(2) == 1 and -rnd(70000) or rnd(70000) * 65536) end
    for _, call in ipairs({
      function() return struct.pack(f, unpack and unpack(args) or table.unpack(args)) end,
      function() return struct.unpack(f, data, rnd(4) - 1) end,
      function() return struct.size(f) end,
    }) do
      local ok, err = pcall(call)
      if ok then returned = returned + 1
      elseif type(err) == "string" then raised = raised + 1
      else T.fail("a non-string error for " .. string.format("%q", f)) end
    end
  end
  T.check(raised > 100 and returned > 100, raised .. " raised, " .. returned .. " returned")
  done()
end)

T.run()
