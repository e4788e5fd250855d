-- luac.cross.lua — builds netmcu's LFS image from Lua files, with the
-- command line of the firmware's luac.cross:
--
--   netmcu tools/luac.cross.lua -f -o lfs.img *.lua
--   (or any Lua 5.1-5.4 / LuaJIT: lua5.1 tools/luac.cross.lua -f -o lfs.img *.lua)
--
-- The firmware's image holds ESP8266 bytecode that no host Lua can run, so
-- netmcu's image holds the sources: each file becomes the module named by
-- its base name without extension (init.lua -> "init"), checked for syntax
-- here and compiled again when node.flashreload() loads it. The format is
-- one header line "netmcu-lfs 1 TIME COUNT", then per module a line
-- "NAME LENGTH" followed by LENGTH bytes of source and a newline.
local out, files, flash = "luac.out", {}, false
local i = 1
while i <= #arg do
  local a = arg[i]
  if a == "-f" then flash = true
  elseif a == "-o" then i = i + 1; out = arg[i]
  elseif a == "-s" or a == "-p" then -- stripping: the image keeps sources
  elseif a == "-m" or a == "-a" then i = i + 1 -- size and address: the device's layout
  elseif a:sub(1, 1) == "-" and a ~= "-" then
    io.stderr:write("luac.cross.lua: unknown option '" .. a .. "'\n"); os.exit(1)
  else files[#files + 1] = a end
  i = i + 1
end
if not flash or not out or #files == 0 then
  io.stderr:write("usage: luac.cross.lua -f -o IMAGE file.lua...\n"); os.exit(1)
end

local load_source = loadstring or load
local names, parts = {}, {}
for _, path in ipairs(files) do
  local f, err = io.open(path, "rb")
  if not f then io.stderr:write("luac.cross.lua: " .. err .. "\n"); os.exit(1) end
  -- luac.cross reads each file with luaL_loadfile, which skips a first line
  -- starting with '#' (a "#!/usr/bin/lua" script); the line stays, empty, so
  -- that line numbers in messages match the file.
  local source = f:read("*a"):gsub("^#[^\n]*", "", 1)
  f:close()
  local name = path:match("([^/]+)$"):gsub("%.[^.]*$", "")
  if name == "" or name:find("[%s%c]") then
    io.stderr:write("luac.cross.lua: " .. path .. ": not a module name\n"); os.exit(1)
  end
  if names[name] then
    io.stderr:write("luac.cross.lua: " .. path .. ": module '" .. name .. "' given twice\n"); os.exit(1)
  end
  local ok, why = load_source(source, "@" .. path:match("([^/]+)$"))
  if not ok then io.stderr:write("luac.cross.lua: " .. why .. "\n"); os.exit(1) end
  names[name] = true
  parts[#parts + 1] = name .. " " .. #source .. "\n" .. source .. "\n"
end
local f, err = io.open(out, "wb")
if not f then io.stderr:write("luac.cross.lua: " .. err .. "\n"); os.exit(1) end
f:write(("netmcu-lfs 1 %d %d\n"):format(os.time(), #parts), table.concat(parts))
f:close()
