-- profile: 1.5 2.2
-- crypto_api.lua — crypto in the 1.5 and 2.2 profiles: the shared cases, and toHex/toBase64.
local T = require "testlib"
require("lib_crypto").run()

T.case("tohex_and_tobase64_are_in_crypto_before_3_0", function(done)
  T.eq(crypto.toHex("\1\171\255"), "01abff")
  T.eq(crypto.toBase64("hi!?"), "aGkhPw==")
  T.eq(crypto.toHex(crypto.sha1("")), "da39a3ee5e6b4b0d3255bfef95601890afd80709")
  T.errors(function() crypto.toHex() end, "bad argument #1")
  done()
end)

T.run()
