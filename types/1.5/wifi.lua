---@meta
-- LuaLS definitions of the 1.5 profile's own wifi functions (the 1.x wifi API).

---@param wake? integer 0 or 1
---@return integer, nil
function wifi.sleep(wake) end

---`config(ssid, pwd[, auto[, bssid]])` or `config(table)`.
---@param ssid string|table
---@param pwd? string
---@param auto? integer
---@param bssid? string
---@return boolean
function wifi.sta.config(ssid, pwd, auto, bssid) end

---@param status integer
---@param fn? function|"unreg"
function wifi.sta.eventMonReg(status, fn) end

---@param interval_ms? integer
function wifi.sta.eventMonStart(interval_ms) end

---@param unregister_all? integer|string
function wifi.sta.eventMonStop(unregister_all) end
