---@meta
-- LuaLS definitions of netmcu's net module (both profiles). See the README's "The net API".

---@class net
---@field TCP integer 16
---@field UDP integer 32
net = {}

---A TCP client socket (`secure` 1: TLS), or with `net.UDP` a UDP socket.
---@param type integer net.TCP or net.UDP
---@param secure? integer 0 plain, 1 TLS
---@param fn? fun(sock: net.socket) called with the new socket on the next loop turn
---@return net.socket
function net.createConnection(type, secure, fn) end

---A TCP server (`timeout` 1-28800 s, default 30), or with `net.UDP` a UDP server.
---@param type integer
---@param timeout? integer
---@param fn? function
---@return net.server
function net.createServer(type, timeout, fn) end

---A UDP socket.
---@return net.udpsocket
function net.createUDPSocket() end

---Runs the event loop (from a plain Lua interpreter): "default", "once" or "nowait".
---@param mode? "default"|"once"|"nowait"
---@return boolean alive handles are still active
function net.run(mode) end

---Joins a multicast group on the interface `if_ip` ("any" for all).
---@param if_ip string
---@param group string
function net.multicastJoin(if_ip, group) end

---Leaves a multicast group.
---@param if_ip string
---@param group string
function net.multicastLeave(if_ip, group) end

---@class net.dns
net.dns = {}

---Looks `host` up; `fn(sk, ip)` (3.0: `fn(nil, ip)`) answers from the loop.
---@param host string
---@param fn fun(sk: net.socket|nil, ip: string|nil)
function net.dns.resolve(host, fn) end

---The DNS server at `index` (0 or 1).
---@param index? integer
---@return string
function net.dns.getdnsserver(index) end

---Sets the DNS server at `index` (0 or 1).
---@param ip string
---@param index? integer
function net.dns.setdnsserver(ip, index) end

---@class net.cert
net.cert = {}

---Stores a CA certificate (PEM), turns verification on/off (`true`/`false`), or "system".
---@param arg string|boolean
---@return boolean
function net.cert.verify(arg) end

---Stores the client certificate and key (PEM), or turns client auth on/off.
---@param arg string|boolean
---@param key? string
---@return boolean
function net.cert.auth(arg, key) end

---A TCP (or TLS) client or accepted socket.
---@class net.socket
local socket = {}

---@param port integer
---@param host? string
---@param fn? fun(sock: net.socket)
function socket:connect(port, host, fn) end

---@param event "connection"|"reconnection"|"disconnection"|"receive"|"sent"|"dns"
---@param fn function|nil
function socket:on(event, fn) end

---@param data string|number
---@param fn? fun(sock: net.socket)
function socket:send(data, fn) end

function socket:close() end
function socket:hold() end
function socket:unhold() end

---@return string|integer|nil, integer|string|nil
function socket:getpeer() end

---@return integer|nil port, string|nil ip
function socket:getaddr() end

---@param host string
---@param fn? fun(sock: net.socket, ip: string|nil)
function socket:dns(host, fn) end

---A TCP server.
---@class net.server
local server = {}

---@param port integer
---@param ip? string
---@param fn? fun(conn: net.socket)
function server:listen(port, ip, fn) end

---@return integer|nil port, string|nil ip
function server:getaddr() end

function server:close() end

---UDP servers only; a TCP server raises `method not supported`.
---@param event string
---@param fn function|nil
function server:on(event, fn) end

---UDP servers only; a TCP server raises `tcp server send not supported`.
---@param port integer|string
---@param ip? string
---@param data? string
---@param fn? function
function server:send(port, ip, data, fn) end

---A UDP socket (net.createUDPSocket(), or net.createConnection/createServer with net.UDP).
---@class net.udpsocket
local udp = {}

---@param port? integer
---@param ip? string
function udp:listen(port, ip) end

---@param port integer
---@param host? string
function udp:connect(port, host) end

---`send(data[, fn])` when connected, or `send(port, ip, data[, fn])`.
---@param port integer|string
---@param ip? string|function
---@param data? string
---@param fn? function
function udp:send(port, ip, data, fn) end

---@param event "receive"|"sent"|"dns"
---@param fn function|nil
function udp:on(event, fn) end

function udp:close() end

---@return string|integer|nil, integer|string|nil
function udp:getpeer() end

---@return integer|nil port, string|nil ip
function udp:getaddr() end

---@param ttl? integer
---@return integer
function udp:ttl(ttl) end

---@param host string
---@param fn? function
function udp:dns(host, fn) end

function udp:hold() end
function udp:unhold() end
