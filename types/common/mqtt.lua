---@meta
-- LuaLS definitions of netmcu's mqtt module (a client on libmosquitto); m:connect differs per
-- profile (types/1.5/mqtt.lua for 1.5 and 2.2, types/3.0/mqtt.lua).

---@class mqtt
mqtt = {}

---@param clientid? string
---@param keepalive? integer seconds
---@param user? string
---@param password? string
---@param cleansession? integer
---@param max_message_length? integer
---@return mqtt.client
function mqtt.Client(clientid, keepalive, user, password, cleansession, max_message_length) end

---@class mqtt.client
local client = {}

function client:close() end

---@param topic string
---@param message string
---@param qos? integer
---@param retain? integer
function client:lwt(topic, message, qos, retain) end

---@param event "connect"|"connfail"|"offline"|"message"|"overflow"|"puback"|"suback"|"unsuback"
---@param fn function
function client:on(event, fn) end

---@param topic string
---@param payload string
---@param qos integer
---@param retain integer
---@param fn? fun(client: mqtt.client)
---@return boolean
function client:publish(topic, payload, qos, retain, fn) end

---`subscribe(topic, qos[, fn])` or `subscribe({topic = qos, …}[, fn])`.
---@param topic string|table<string, integer>
---@param qos? integer|function
---@param fn? fun(client: mqtt.client)
---@return boolean
function client:subscribe(topic, qos, fn) end

---@param topic string|table
---@param fn? fun(client: mqtt.client)
---@return boolean
function client:unsubscribe(topic, fn) end
