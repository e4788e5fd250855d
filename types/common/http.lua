---@meta
-- LuaLS definitions of netmcu's http module (the firmware's HTTP client, both profiles).

---@alias http.callback fun(code: integer, body: string|nil, headers: table<string, string>|nil)

---@class http
---@field OK integer 0
---@field ERROR integer -1
http = {}

---@param url string
---@param headers string|nil extra header lines, each ending in "\r\n"
---@param callback? http.callback
function http.get(url, headers, callback) end

---@param url string
---@param headers string|nil
---@param body string|nil
---@param callback? http.callback
function http.post(url, headers, body, callback) end

---@param url string
---@param headers string|nil
---@param body string|nil
---@param callback? http.callback
function http.put(url, headers, body, callback) end

---@param url string
---@param headers string|nil
---@param body string|nil
---@param callback? http.callback
function http.delete(url, headers, body, callback) end

---@param url string
---@param method string
---@param headers string|nil
---@param body string|nil
---@param callback? http.callback
function http.request(url, method, headers, body, callback) end
