---@meta
-- LuaLS definitions of the tls module, in the 2.2 and 3.0 profiles.

---@class tls
tls = {}

---A TLS socket (arguments ignored).
---@return tls.socket
function tls.createConnection() end

---Accepts a number and does nothing (mbedTLS's debug output has no OpenSSL equivalent).
---@param n integer
function tls.setDebug(n) end

---@class tls.cert
tls.cert = {}

---PEM, boolean (deprecated forms) or a function asked for the trusted CAs.
---@param arg string|boolean|fun(index: integer): string|nil
---@return boolean
function tls.cert.verify(arg) end

---PEM, boolean (deprecated forms) or a function asked for the client key and certificate.
---@param arg string|boolean|fun(index: integer): string|nil
---@return boolean
function tls.cert.auth(arg) end

---@class tls.socket
local s = {}

---@param port integer
---@param host? string
function s:connect(port, host) end

---@param event "connection"|"reconnection"|"disconnection"|"receive"|"sent"|"dns"
---@param fn function|nil
function s:on(event, fn) end

---@param data string
function s:send(data) end

function s:close() end
function s:hold() end
function s:unhold() end

---@return string|nil ip, integer|nil port
function s:getpeer() end
