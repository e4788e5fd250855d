-- lib_types.lua — the LuaLS type definitions in types/ against the runtime of one profile
-- (run by types_defs.lua, once in each profile).
--
-- The type definitions of a profile are types/common/*.lua plus types/PROFILE/*.lua. The
-- runtime's functions are found by walking every global table that is not one
-- of Lua's own libraries, and the methods of each object class the definitions
-- declare (a `---@class X` followed by `local x = {}`), made by CONSTRUCTORS.
-- C functions carry no parameter count, so the definitions' parameter counts are checked
-- against the README's signatures of the same functions, e.g.
-- `net.createConnection(type[, secure][, fn])` or `### socket:send(data[, fn])`:
-- a definition has as many parameters as one of the documented forms.
local T = require("testlib")
local M = {}

local root = debug.getinfo(1, "S").source:match("^@(.*)tests/lua/[^/]*$") or "./"
if root == "" then root = "./" end

-- The objects the runtime makes, by class (as the type definitions name it) and the call
-- that makes one; a class missing in a profile (tls in 1.5) makes nothing there.
-- A module that adds an object type adds a row here.
local CONSTRUCTORS = {
  {"net.socket", "net.createConnection(net.TCP, 0)", function() return net.createConnection(net.TCP, 0) end},
  {"net.server", "net.createServer(net.TCP, 30)", function() return net.createServer(net.TCP, 30) end},
  {"net.udpsocket", "net.createUDPSocket()", function() return net.createUDPSocket() end},
  {"tmr.timer", "tmr.create()", function() return tmr.create() end},
  {"file.obj", "file.open()", function() return file.open("types_obj.txt", "w") end},
  {"pipe.obj", "pipe.create()", function() return pipe.create() end},
  {"gpio.pulser", "gpio.pulse.build()", function() return gpio.pulse.build({{[1] = gpio.HIGH, delay = 10}}) end},
  {"tls.socket", "tls.createConnection()", function() return tls.createConnection() end},
  {"crypto.hasher", "crypto.new_hash()", function() return crypto.new_hash("SHA1") end},
  {"sjson.encoder", "sjson.encoder()", function() return sjson.encoder({}) end},
  {"sjson.decoder", "sjson.decoder()", function() return sjson.decoder() end},
  {"mqtt.client", "mqtt.Client()", function() return mqtt.Client("types-client", 60) end},
}
local CONSTRUCTOR_OF = {}
for _, c in ipairs(CONSTRUCTORS) do CONSTRUCTOR_OF[c[1]] = c end
-- The README's names for objects, as in `### socket:send(data[, fn])`.
local README_OBJECTS = {socket = "net.socket", sck = "net.socket", server = "net.server",
  udp = "net.udpsocket", t = "tmr.timer", f = "file.obj", p = "pipe.obj"}
-- Lua's own libraries (and the runner's arg table) are not netmcu's to describe.
local LUA_LIBS = {_G = true, string = true, table = true, math = true, io = true, os = true,
  coroutine = true, debug = true, package = true, utf8 = true, bit32 = true, jit = true,
  ffi = true, arg = true}

local function read(path)
  local fh = assert(io.open(path, "r"))
  local s = fh:read("*a")
  fh:close()
  return s
end

local function list_dir(dir)
  local names = {}
  local ls = io.popen('ls "' .. dir .. '" 2>/dev/null')
  for name in ls:lines() do
    if name:match("%.lua$") then names[#names + 1] = dir .. "/" .. name end
  end
  ls:close()
  return names
end

local function count_params(params)
  local n = 0
  for _ in params:gmatch("[^,]+") do n = n + 1 end
  return n
end

-- Every type definition of a profile: name ("net.createConnection", "net.socket:send") →
-- {params = count, file = path}; and the object classes declared.
local function load_defs(profile)
  local defs, classes = {}, {}
  local files = list_dir(root .. "types/common")
  for _, f in ipairs(list_dir(root .. "types/" .. profile)) do files[#files + 1] = f end
  for _, path in ipairs(files) do
    local locals, pending = {}, nil
    for line in (read(path) .. "\n"):gmatch("([^\n]*)\n") do
      local class = line:match("^%-%-%-@class ([%w_.]+)")
      if class then pending = class end
      local var = line:match("^local ([%w_]+) = {}")
      if var and pending then locals[var] = pending; classes[pending] = true end
      if not class and not line:match("^%-%-%-") then
        if not var then pending = nil end
      end
      local name, params = line:match("^function ([%w_.:]+)%((.-)%) end")
      if name then
        local obj, method = name:match("^([%w_]+):([%w_]+)$")
        if obj then
          name = (locals[obj] or ("?" .. obj)) .. ":" .. method
        end
        defs[name] = {params = count_params(params), file = path:sub(#root + 1)}
      end
    end
  end
  return defs, classes
end

local function walk(t, prefix, out, seen)
  if seen[t] then return end
  seen[t] = true
  for k, v in pairs(t) do
    if type(k) == "string" then
      if type(v) == "function" then out[prefix .. k] = true
      elseif type(v) == "table" then walk(v, prefix .. k .. ".", out, seen) end
    end
  end
end

-- The runtime's functions: module tables, and the methods of each object class.
local function runtime_functions(classes)
  local out, seen = {}, {}
  -- The globals, and those a metatable of _G would hand out (the firmware keeps
  -- its modules in ROM behind _G's __index).
  local globals = {}
  for name, v in pairs(_G) do globals[name] = v end
  local gmt = getmetatable(_G)
  if gmt and type(gmt.__index) == "table" then
    for name, v in pairs(gmt.__index) do if globals[name] == nil then globals[name] = v end end
  end
  -- LuaJIT's own bit library (BitOp, with bit.tobit) is the interpreter's, not netmcu's.
  local function interpreters(name, v)
    return LUA_LIBS[name] or (name == "bit" and rawget(_G, "jit") ~= nil and type(v.tobit) == "function")
  end
  for name, v in pairs(globals) do
    if type(name) == "string" and type(v) == "table" and not interpreters(name, v) then
      walk(v, name .. ".", out, seen)
    end
  end
  for _, c in ipairs(CONSTRUCTORS) do
    local class = c[1]
    local ok, obj = pcall(c[3])
    if ok and obj ~= nil then
      out["class " .. class .. " (made by " .. c[2] .. ")"] = not classes[class] or nil
      local mt = getmetatable(obj)
      local index = mt and mt.__index
      if type(index) == "table" then
        for k, v in pairs(index) do
          if type(k) == "string" and type(v) == "function" and not k:match("^__") then
            out[class .. ":" .. k] = true
          end
        end
      elseif type(obj) == "table" then
        out["?" .. class] = obj -- methods only reachable through a function __index
      end
      if mt and type(index) == "table" and type(index.close) == "function" then pcall(index.close, obj) end
    end
  end
  return out
end

-- The README's signatures: name → the set of parameter counts of its documented
-- forms (overloads, and forms that differ between profiles), and one of them to quote.
local function readme_counts(defs)
  local counts, where = {}, {}
  local text = read(root .. "README.md")
  local function note(name, params, sig)
    if params:find("…", 1, true) or params:match("^%s*%.%.%.%s*$") then return end
    local plain = params:gsub("%.%.%.", "")
    if plain:match('[^%w_%[%],%s|"]') then return end -- a usage example, not a signature
    local n = count_params((plain:gsub("[%[%]]", "")))
    if not plain:match("%S") then n = 0 end
    if n > 0 then -- `f()` is as often a mention as a signature
      counts[name] = counts[name] or {}
      counts[name][n] = true
      where[name] = where[name] and where[name] .. "`, `" .. sig or sig
    end
  end
  -- Only code spans and headings: the code blocks hold calls, not signatures.
  local pieces = {}
  for span in text:gmatch("`([^`\n]+)`") do pieces[#pieces + 1] = span end
  for heading in text:gmatch("\n#+ ([^\n]+)") do pieces[#pieces + 1] = heading end
  for _, piece in ipairs(pieces) do
    for sig, name, params in piece:gmatch("(([%a_][%w_.:]*)%(([^()]*)%))") do
      local obj, method = name:match("^([%w_]+):([%w_]+)$")
      if obj and README_OBJECTS[obj] then name = README_OBJECTS[obj] .. ":" .. method end
      if defs[name] then note(name, params, sig) end
    end
  end
  return counts, where
end

function M.run(profile)
  T.case("every type definition file of the " .. profile .. " profile is a ---@meta file that Lua compiles", function(done)
    local files = list_dir(root .. "types/common")
    for _, f in ipairs(list_dir(root .. "types/" .. profile)) do files[#files + 1] = f end
    T.check(#files > 0, "no type definition files in types/common or types/" .. profile)
    for _, path in ipairs(files) do
      local text = read(path)
      T.check(text:sub(1, 9) == "---@meta\n", path:sub(#root + 1) .. " does not start with ---@meta")
      local chunk, err = loadstring and loadstring(text) or load(text)
      T.check(chunk ~= nil, tostring(err))
    end
    done()
  end)

  local defs, classes = load_defs(profile)
  local have = runtime_functions(classes)
  T.case("the runtime's objects were made (" .. profile .. ")", function(done)
    local n = 0
    for name in pairs(have) do if name:match(":") then n = n + 1 end end
    T.check(n >= 30, "only " .. n .. " object methods found: a constructor in lib_types.lua fails")
    done()
  end)

  T.case("every function of the " .. profile .. " runtime has a type definition", function(done)
    local missing = {}
    for name in pairs(have) do
      if not name:match("^%?") and not defs[name] then missing[#missing + 1] = name end
    end
    table.sort(missing)
    T.check(#missing == 0, "no type definition in types/common or types/" .. profile .. " for: "
      .. table.concat(missing, ", "))
    done()
  end)

  T.case("every type definition of the " .. profile .. " profile names a function that exists", function(done)
    local extra = {}
    for name, def in pairs(defs) do
      local class, method = name:match("^([%w_.?]+):([%w_]+)$")
      local exists = have[name]
      if class and not exists and type(have["?" .. class]) == "table" then
        exists = type(have["?" .. class][method]) == "function"
      end
      if class and not CONSTRUCTOR_OF[class] then
        extra[#extra + 1] = name .. " (" .. def.file .. ": no constructor for class " .. class
          .. " in tests/lua/lib_types.lua)"
      elseif not exists then
        extra[#extra + 1] = name .. " (" .. def.file .. ")"
      end
    end
    table.sort(extra)
    T.check(#extra == 0, "type definitions of functions the runtime does not have: " .. table.concat(extra, ", "))
    done()
  end)

  T.case("the type definitions' parameter counts are the README's (" .. profile .. ")", function(done)
    local counts, where = readme_counts(defs)
    local wrong, checked = {}, 0
    for name, def in pairs(defs) do
      if counts[name] then
        checked = checked + 1
        if not counts[name][def.params] then
          wrong[#wrong + 1] = string.format("%s has %d parameters in %s; the README documents `%s`",
            name, def.params, def.file, where[name])
        end
      end
    end
    table.sort(wrong)
    T.check(checked >= 40, "only " .. checked .. " type definitions matched a README signature")
    T.check(#wrong == 0, table.concat(wrong, "; "))
    done()
  end)

  T.run()
  os.remove("types_obj.txt")
end

return M
