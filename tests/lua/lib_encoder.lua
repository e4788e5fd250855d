-- lib_encoder.lua — the encoder cases, the same in both firmware eras
-- (encoder_api.lua runs them under 1.5, encoder_compat30.lua under 3.0).
local T = require "testlib"

local vectors = { -- RFC 4648 §10
  {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"},
  {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
}

local function all_bytes()
  local t = {}
  for i = 0, 255 do t[#t + 1] = string.char(i) end
  return table.concat(t)
end

T.case("base64_rfc4648_vectors", function(done)
  for _, v in ipairs(vectors) do
    T.eq(encoder.toBase64(v[1]), v[2], "toBase64(" .. v[1] .. ")")
    T.eq(encoder.fromBase64(v[2]), v[1], "fromBase64(" .. v[2] .. ")")
  end
  T.eq(encoder.toBase64("\255\254\253"), "//79", "the alphabet's last characters")
  T.eq(encoder.toBase64(123), "MTIz", "a number is taken as its string")
  done()
end)

T.case("base64_round_trip_binary_and_large", function(done)
  local bytes = all_bytes()
  T.eq(encoder.fromBase64(encoder.toBase64(bytes)), bytes, "every byte value")
  -- larger than one OpenSSL slice (3 MiB in, 4 MiB out) and not a multiple of 3
  local big = string.rep(bytes, 3 * 5000) .. "xy"
  local b64 = encoder.toBase64(big)
  T.eq(#b64, math.floor((#big + 2) / 3) * 4, "encoded length")
  T.eq(b64:sub(-4), "eHk=", "the tail's padding")
  T.check(encoder.fromBase64(b64) == big, "a 3.7 MiB string comes back unchanged")
  done()
end)

T.case("base64_bad_input_raises_the_firmware_text", function(done)
  for _, bad in ipairs({"Q", "QQ=", "QQ=A", "Q===", "====", "QU=D", " QUJD", "QUJD\n", "QU JD\n\n\n",
                        "QUJ*", "QUJD====", "QUJ\0"}) do
    T.errors(function() encoder.fromBase64(bad) end, "Invalid base64 string", string.format("%q", bad))
  end
  local ok, err = pcall(encoder.fromBase64, "QQ=")
  T.eq(err, "Invalid base64 string", "no position prefix, as from the firmware's C")
  -- the firmware ignores bits left over in the last character
  T.eq(encoder.fromBase64("QR=="), "A", "leftover bits")
  T.eq(encoder.fromBase64("QUJ="), "AB", "one '='")
  T.errors(function() encoder.fromBase64() end, "bad argument #1 to 'fromBase64'", "no argument")
  T.errors(function() encoder.toBase64({}) end, "bad argument #1 to 'toBase64'", "a table")
  done()
end)

T.case("hex_both_ways", function(done)
  T.eq(encoder.toHex(""), "", "empty")
  T.eq(encoder.toHex("\0\1\171\255jj"), "0001abff6a6a", "lower case")
  T.eq(encoder.fromHex("6A6a00fF"), "jj\0\255", "either case in")
  T.eq(encoder.fromHex(""), "", "empty in")
  local bytes = all_bytes()
  T.eq(encoder.fromHex(encoder.toHex(bytes)), bytes, "every byte value")
  T.eq(#encoder.toHex(bytes), 512, "two characters a byte")
  done()
end)

T.case("hex_bad_input_raises_the_firmware_text", function(done)
  for _, bad in ipairs({"6", "6g", "0x", "6a6", "6a\0\0", "6a:6b", " 6a", "6a\n"}) do
    T.errors(function() encoder.fromHex(bad) end, "Invalid hex string", string.format("%q", bad))
  end
  local _, err = pcall(encoder.fromHex, "zz")
  T.eq(err, "Invalid hex string", "no position prefix")
  T.errors(function() encoder.toHex() end, "bad argument #1 to 'toHex'", "no argument")
  T.errors(function() encoder.fromHex(nil) end, "bad argument #1 to 'fromHex'", "nil")
  -- a failed decode leaves nothing on OpenSSL's error queue for the TLS code to trip on
  T.eq(encoder.fromHex("41"), "A", "works after errors")
  done()
end)

return T
