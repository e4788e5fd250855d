/*
 * devicelua.h — what the firmware's Lua adds to the host's standard library.
 *
 * The firmware runs eLua-patched Lua 5.1 (and 5.3 with LUA=53), whose
 * collectgarbage also takes "setmemlimit" and "getmemlimit" (the emergency
 * collector's limit, in KB), and whose LUA=53 build keeps the 5.1 names
 * package.loaders, unpack and loadstring. The runner opens this after the standard
 * libraries; the README lists the rest of the device's Lua and how netmcu
 * stands to it.
 */
#ifndef NETMCU_DEVICELUA_H
#define NETMCU_DEVICELUA_H

#include "runtime/compat.h"

/* Replaces the global collectgarbage with one that also knows the
 * firmware's options and hands every other option to the original; on a
 * later Lua than 5.1, adds the 5.1 names the LUA=53 firmware keeps. */
void nm_device_lua_open(lua_State *L);

#endif
