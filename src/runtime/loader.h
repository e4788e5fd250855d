/*
 * loader.h — Lua chunks from the flash: dofile, loadfile and require.
 *
 * On the device dofile("x.lua"), loadfile and require read the flash file
 * system, and require looks for "name.lc" then "name.lua" there. The runner
 * makes the same names reach the flash folder (core/flash.h): dofile and
 * loadfile of a name read it from the flash (without a name they raise the
 * firmware's "filename is NULL"), and a searcher for the flash comes right after
 * package.preload, ahead of the host's package.path.
 */
#ifndef NETMCU_LOADER_H
#define NETMCU_LOADER_H

#include "runtime/compat.h"

/* Loads a chunk (text or compiled) from the flash as luaL_loadfile does;
 * on failure pushes the firmware's message ("cannot open NAME"). */
int nm_load_flash(lua_State *L, const char *name);

/* Replaces dofile and loadfile and adds the flash searcher. */
void nm_loader_install(lua_State *L);

#endif
