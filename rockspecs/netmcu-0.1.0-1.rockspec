-- netmcu's rockspec: `luarocks make` in the source tree builds net.so with the
-- project's Makefile for the Lua that LuaRocks runs and installs it as "net".
-- The version is src/runtime/modules.h's NETMCU_VERSION (tests/peers/version.sh
-- checks that they agree).
rockspec_format = "3.0"
package = "netmcu"
version = "0.1.0-1"
source = {
   url = "git+file://.",
}
description = {
   summary = "NodeMCU's net module (TCP, UDP, TLS sockets, DNS, http) on libuv",
   detailed = [[
      The firmware's net module of NodeMCU for ordinary Lua: event-driven TCP,
      UDP and TLS sockets on libuv, OpenSSL and c-ares, the firmware's http
      client as require "net.http", and net.run() to run the event loop.
   ]],
   license = "none chosen yet",
   labels = { "networking", "nodemcu", "libuv" },
}
supported_platforms = { "linux" }
dependencies = {
   "lua >= 5.1, < 5.5",
}
external_dependencies = {
   LIBUV = { header = "uv.h" },
   OPENSSL = { header = "openssl/ssl.h" },
   CARES = { header = "ares.h" },
   HTTP_PARSER = { header = "http_parser.h" },
   LIBMD = { header = "sha2.h" }, -- the state directory's SHA-256 (libmd-dev)
}
build = {
   type = "make",
   build_target = "rock",
   build_variables = { ROCK_LUA_INTERP = "$(LUA)" },
   install_target = "rock-install",
   install_variables = { ROCK_LUA_INTERP = "$(LUA)", ROCK_LIBDIR = "$(LIBDIR)", ROCK_LUADIR = "$(LUADIR)" },
}
