---@meta
-- LuaLS definitions of netmcu's wifi module, a simulated radio on the host's network
-- (both profiles; the profiles' own functions are in types/1.5 and types/3.0).

---@class wifi
---@field NULLMODE integer
---@field STATION integer
---@field SOFTAP integer
---@field STATIONAP integer
---@field PHYMODE_B integer
---@field PHYMODE_G integer
---@field PHYMODE_N integer
---@field NONE_SLEEP integer
---@field LIGHT_SLEEP integer
---@field MODEM_SLEEP integer
---@field STA_IDLE integer
---@field STA_CONNECTING integer
---@field STA_WRONGPWD integer
---@field STA_APNOTFOUND integer
---@field STA_FAIL integer
---@field STA_GOTIP integer
wifi = {}

---@param mode integer
---@param save? boolean
---@return integer
function wifi.setmode(mode, save) end

---@return integer
function wifi.getmode() end

---@return integer
function wifi.getdefaultmode() end

---@return integer
function wifi.getchannel() end

---@param mode integer
---@return integer
function wifi.setphymode(mode) end

---@return integer
function wifi.getphymode() end

---@param type? integer
---@return integer
function wifi.sleeptype(type) end

---@param enable? boolean
---@return boolean
function wifi.nullmodesleep(enable) end

---@class wifi.sta
wifi.sta = {}

---@param fn? function
function wifi.sta.connect(fn) end

---@param fn? function
function wifi.sta.disconnect(fn) end

---@param auto integer 0 or 1
function wifi.sta.autoconnect(auto) end

---@return integer
function wifi.sta.status() end

---@return string|nil ip, string|nil netmask, string|nil gateway
function wifi.sta.getip() end

---@return string|nil
function wifi.sta.getbroadcast() end

---@param cfg {ip: string, netmask: string, gateway: string}
---@return boolean
function wifi.sta.setip(cfg) end

---@return string
function wifi.sta.getmac() end

---@param mac string
---@return boolean
function wifi.sta.setmac(mac) end

---@param as_table? boolean
---@return any ...
function wifi.sta.getconfig(as_table) end

---@param as_table? boolean
---@return any ...
function wifi.sta.getdefaultconfig(as_table) end

---@return string
function wifi.sta.gethostname() end

---@param name string
---@return boolean|nil
function wifi.sta.sethostname(name) end

---@return integer|nil
function wifi.sta.getrssi() end

---`getap([[cfg,] format,] fn)`: scans and calls `fn(list)`.
---@param cfg table|integer|function
---@param format? integer|function
---@param fn? function
function wifi.sta.getap(cfg, format, fn) end

---@return table
function wifi.sta.getapinfo() end

---@param n integer
---@return boolean
function wifi.sta.setaplimit(n) end

---@param n integer
---@return boolean
function wifi.sta.changeap(n) end

---@return integer
function wifi.sta.getapindex() end

---@param type? integer
---@return integer
function wifi.sta.sleeptype(type) end

---@class wifi.ap
wifi.ap = {}

---@param cfg table
---@return boolean
function wifi.ap.config(cfg) end

---@param as_table? boolean
---@return any ...
function wifi.ap.getconfig(as_table) end

---@param as_table? boolean
---@return any ...
function wifi.ap.getdefaultconfig(as_table) end

---@return string|nil ip, string|nil netmask, string|nil gateway
function wifi.ap.getip() end

---@param cfg {ip: string, netmask: string, gateway: string}
---@return boolean
function wifi.ap.setip(cfg) end

---@return string|nil
function wifi.ap.getbroadcast() end

---@return string|nil
function wifi.ap.getmac() end

---@param mac string
---@return boolean
function wifi.ap.setmac(mac) end

---@return table<string, string>
function wifi.ap.getclient() end

---@param mac? string
---@return boolean
function wifi.ap.deauth(mac) end

---@class wifi.ap.dhcp
wifi.ap.dhcp = {}

---@param cfg {start: string}
---@return string start, string last
function wifi.ap.dhcp.config(cfg) end

---@return boolean
function wifi.ap.dhcp.start() end

---@return boolean
function wifi.ap.dhcp.stop() end

---@class wifi.eventmon
wifi.eventmon = {}

---@param event integer wifi.eventmon.STA_CONNECTED, …
---@param fn? fun(info: table)
function wifi.eventmon.register(event, fn) end

---@param event integer
function wifi.eventmon.unregister(event) end
