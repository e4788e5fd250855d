---@meta
-- LuaLS definitions of the sjson module (2.2 and 3.0 profiles): JSON, also in pieces.

---@class sjson
---@field NULL lightuserdata JSON's null
sjson = {}

---@param table table
---@param opts? {depth?: integer, null?: any}
---@return string
function sjson.encode(table, opts) end

---@param text string
---@param opts? {depth?: integer, null?: any, metatable?: table}
---@return any
function sjson.decode(text, opts) end

---An encoder that hands out the JSON of `table` in pieces.
---@param table table
---@param opts? {depth?: integer, null?: any}
---@return sjson.encoder
function sjson.encoder(table, opts) end

---A decoder fed the JSON text in pieces.
---@param opts? {depth?: integer, null?: any, metatable?: table}
---@return sjson.decoder
function sjson.decoder(opts) end

---@class sjson.encoder
local encoder = {}

---@param n? integer
---@return string|nil
function encoder:read(n) end

---@class sjson.decoder
local decoder = {}

---@param chunk string
---@return any|nil
function decoder:write(chunk) end

---@return any
function decoder:result() end
