/*
 * file.h — the `file` module (the flash file system), for the runner and node.
 */
#ifndef NETMCU_FILE_H
#define NETMCU_FILE_H

#include "runtime/compat.h"

int luaopen_file(lua_State *L);

/* The firmware's file name check of argument arg ("filename invalid"). */
const char *file_check_name(lua_State *L, int arg);

#endif
