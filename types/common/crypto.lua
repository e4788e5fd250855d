---@meta
-- LuaLS definitions of netmcu's crypto module (OpenSSL 3 underneath); toHex and toBase64 of
-- the 1.5 and 2.2 profiles are in types/1.5/crypto.lua.

---@class crypto
crypto = {}

---@param s string
---@return string digest the binary SHA-1
function crypto.sha1(s) end

---@param algo string "MD5", "SHA1", "SHA256", "SHA384" or "SHA512"
---@param s string
---@return string digest
function crypto.hash(algo, s) end

---@param algo string
---@param filename string a flash file
---@return string digest
function crypto.fhash(algo, filename) end

---@param algo string
---@param s string
---@param key string
---@return string digest
function crypto.hmac(algo, s, key) end

---@param algo string
---@return crypto.hasher
function crypto.new_hash(algo) end

---@param algo string
---@param key string
---@return crypto.hasher
function crypto.new_hmac(algo, key) end

---@param algo "AES-ECB"|"AES-CBC"
---@param key string
---@param data string
---@param iv? string
---@return string
function crypto.encrypt(algo, key, data, iv) end

---@param algo "AES-ECB"|"AES-CBC"
---@param key string
---@param data string
---@param iv? string
---@return string
function crypto.decrypt(algo, key, data, iv) end

---@param s string
---@param mask string
---@return string
function crypto.mask(s, mask) end

---@class crypto.hasher
local hasher = {}

---@param s string
function hasher:update(s) end

---@return string digest
function hasher:finalize() end
