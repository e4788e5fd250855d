-- lib_crypto.lua — crypto cases of both profiles (crypto_api.lua, crypto_compat30.lua).
-- The digests below are the published test vectors (FIPS 180, RFC 1321,
-- RFC 4231, FIPS 197 / SP 800-38A); tests/peers/crypto_openssl.sh checks the
-- same functions against the openssl command on random data.
local T = require "testlib"
local M = {}

local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
local function unhex(h) return (h:gsub("..", function(x) return string.char(tonumber(x, 16)) end)) end

function M.run()
  T.case("hashes_of_the_published_vectors", function(done)
    T.eq(hex(crypto.hash("md5", "abc")), "900150983cd24fb0d6963f7d28e17f72")
    T.eq(hex(crypto.hash("SHA1", "abc")), "a9993e364706816aba3e25717850c26c9cd0d89d")
    T.eq(hex(crypto.hash("sha256", "abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    T.eq(#crypto.hash("Sha384", ""), 48)
    T.eq(#crypto.hash("sha512", ""), 64)
    T.eq(hex(crypto.sha1("abc")), "a9993e364706816aba3e25717850c26c9cd0d89d")
    done()
  end)

  T.case("hmac_of_rfc_4231_case_2", function(done)
    T.eq(hex(crypto.hmac("sha256", "what do ya want for nothing?", "Jefe")),
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    T.eq(#crypto.hmac("md5", "x", ""), 16, "an empty key")
    done()
  end)

  T.case("hash_and_hmac_objects_update_and_finalize", function(done)
    local h = crypto.new_hash("SHA256")
    h:update("a"); h:update("bc")
    T.eq(hex(h:finalize()), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    h:update("d")
    T.eq(h:finalize(), crypto.hash("sha256", "abcd"), "finalize leaves the object usable")
    local m = crypto.new_hmac("sha256", "Jefe")
    m:update("what do ya want ")
    m:update("for nothing?")
    T.eq(m:finalize(), crypto.hmac("sha256", "what do ya want for nothing?", "Jefe"))
    h, m = nil, nil
    collectgarbage("collect")
    done()
  end)

  T.case("aes_ecb_and_cbc_with_the_firmwares_zero_padding", function(done)
    local key = unhex("2b7e151628aed2a6abf7158809cf4f3c")
    local block = unhex("6bc1bee22e409f96e93d7e117393172a")
    T.eq(hex(crypto.encrypt("AES-ECB", key, block)), "3ad77bb40d7a3660a89ecaf32466ef97")
    local iv = unhex("000102030405060708090a0b0c0d0e0f")
    T.eq(hex(crypto.encrypt("aes-cbc", key, block, iv)), "7649abac8119b246cee98e9b12e9197d")
    T.eq(crypto.decrypt("AES-CBC", key, unhex("7649abac8119b246cee98e9b12e9197d"), iv), block)
    local c = crypto.encrypt("AES-ECB", "1234567890abcdef", "Hi, I'm secret!")
    T.eq(#c, 16, "15 bytes pad to one block")
    T.eq(crypto.decrypt("AES-ECB", "1234567890abcdef", c), "Hi, I'm secret!\0")
    T.eq(crypto.encrypt("AES-ECB", key, ""), "", "nothing in, nothing out")
    T.eq(crypto.encrypt("AES-CBC", key, "x"), crypto.encrypt("AES-CBC", key, "x", ("\0"):rep(16)),
      "no IV is the zero IV")
    T.eq(crypto.encrypt("AES-CBC", key, "x", "\1"), crypto.encrypt("AES-CBC", key, "x", "\1" .. ("\0"):rep(15)),
      "a short IV is zero-extended")
    T.eq(#crypto.encrypt("AES-ECB", ("k"):rep(32), "x"), 16, "a 32-byte key is AES-256")
    done()
  end)

  T.case("mask_repeats_the_whole_mask", function(done)
    T.eq(crypto.mask("\0\0\0\0\0", "ab"), "ababa")
    T.eq(crypto.mask(crypto.mask("some message", "X0Y7"), "X0Y7"), "some message")
    T.eq(crypto.mask("", "k"), "")
    T.errors(function() crypto.mask("abc", "") end, "invalid argument: mask")
    done()
  end)

  T.case("fhash_reads_a_flash_file", function(done)
    local f = file.open("data.bin", "w")
    f:write(("0123456789"):rep(1000))
    f:close()
    T.eq(crypto.fhash("sha1", "data.bin"), crypto.hash("sha1", ("0123456789"):rep(1000)))
    T.errors(function() crypto.fhash("sha1", "missing.bin") end, "file does not exist")
    file.remove("data.bin")
    done()
  end)

  T.case("wrong_arguments_raise_the_firmwares_texts", function(done)
    T.errors(function() crypto.hash("MD2", "x") end, "unknown hash mech")
    T.errors(function() crypto.hash("sha3-256", "x") end, "unknown hash mech")
    T.errors(function() crypto.new_hash("nope") end, "unknown hash mech")
    T.errors(function() crypto.hmac("sha1", "x") end, "bad argument #3")
    T.errors(function() crypto.new_hmac("sha1") end, "bad argument #2")
    T.errors(function() crypto.hash() end, "bad argument #1")
    T.errors(function() crypto.encrypt("DES", "k", "x") end, "unknown cipher: DES")
    T.errors(function() crypto.encrypt("AES-ECB", "short", "x") end, "crypto op failed")
    T.errors(function() crypto.decrypt("AES-ECB", ("k"):rep(16)) end, "bad argument #3")
    local h = crypto.new_hash("md5")
    T.errors(function() h.update("x") end, "bad argument #1")
    T.errors(function() h:update() end, "string expected, got no value")
    T.errors(function() h.finalize({}) end, "bad argument #1")
    done()
  end)
end

M.hex = hex
return M
