-- profile: 3.0
-- crypto_compat30.lua — crypto in the 3.0 profile: the shared cases; toHex
-- and toBase64 have moved to encoder.
local T = require "testlib"
require("lib_crypto").run()

T.case("tohex_and_tobase64_moved_to_encoder", function(done)
  T.eq(crypto.toHex, nil)
  T.eq(crypto.toBase64, nil)
  T.eq(encoder.toHex(crypto.hash("md5", "")), "d41d8cd98f00b204e9800998ecf8427e")
  done()
end)

T.run()
