/*
 * modules.c — what the runtime knows about the set of modules (modules.h).
 */
#include "runtime/modules.h"

#include <stdbool.h>

void nm_push_module_list(lua_State *L)
{
    static const char *const names[] = {"adc",   "bit",  "crypto", "encoder", "file", "gpio",
                                        "mqtt",  "net",  "node",   "pipe",    "rtctime",
                                        "sjson", "sntp", "tls",    "tmr",     "uart", "wifi", NULL};
    luaL_Buffer b;
    bool first = true;
    luaL_buffinit(L, &b);
    for (int i = 0; names[i] != NULL; i++) {
        lua_getglobal(L, names[i]);
        bool present = lua_istable(L, -1);
        lua_pop(L, 1);
        if (!present)
            continue;
        if (!first)
            luaL_addchar(&b, ',');
        luaL_addstring(&b, names[i]);
        first = false;
    }
    luaL_pushresult(&b);
}
