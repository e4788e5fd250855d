---@meta
-- LuaLS definitions of the 2.x wifi functions, in the 2.2 and 3.0 profiles.

---@return {country: string, start_ch: integer, end_ch: integer, policy: integer}
function wifi.getcountry() end

---@param cfg table
---@return boolean
function wifi.setcountry(cfg) end

---@param power integer 0-82
---@return integer
function wifi.setmaxtxpower(power) end

---Raises `wifi.suspend is unavailable`, as a firmware built without PMSLEEP_ENABLE.
---@param cfg? table
function wifi.suspend(cfg) end

---Raises `wifi.resume is unavailable`, as a firmware built without PMSLEEP_ENABLE.
---@param fn? function
function wifi.resume(fn) end

---@param station_config {ssid: string, pwd?: string, auto?: boolean, bssid?: string, save?: boolean, connected_cb?: function, disconnected_cb?: function, authmode_change_cb?: function, got_ip_cb?: function, dhcp_timeout_cb?: function}
---@return boolean
function wifi.sta.config(station_config) end

---@return boolean
function wifi.sta.clearconfig() end
