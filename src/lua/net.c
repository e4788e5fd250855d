/*
 * net.c — the `net` module table: constants, constructors and net.run().
 */
#include <string.h>

#include "core/loop.h"
#include "lua/luacall.h"
#include "lua/modules.h"
#include "lua/profile.h"

#define NET_TCP 16 /* ESPCONN_TCP, the seed firmware's values */
#define NET_UDP 32

/* net.run([mode]): runs the loop ("default" until idle, "once", "nowait").
 * Raises the first unhandled callback error, so a plain `lua` exits non-zero. */
static int net_run(lua_State *L)
{
    static const char *const modes[] = {"default", "once", "nowait", NULL};
    static const uv_run_mode uv_modes[] = {UV_RUN_DEFAULT, UV_RUN_ONCE, UV_RUN_NOWAIT};
    int mode = luaL_checkoption(L, 1, "default", modes);
    int alive = nm_loop_run(uv_modes[mode]);
    if (nm_lua_failed()) {
        lua_pushstring(L, nm_lua_failure());
        nm_lua_clear_failure();
        return lua_error(L);
    }
    lua_pushboolean(L, alive != 0);
    return 1;
}

static const luaL_Reg net_functions[] = {
    {"run", net_run},
    {NULL, NULL},
};

int luaopen_net(lua_State *L)
{
    nm_lua_init(L);
    luaL_newlib(L, net_functions);
    lua_pushinteger(L, NET_TCP);
    lua_setfield(L, -2, "TCP");
    lua_pushinteger(L, NET_UDP);
    lua_setfield(L, -2, "UDP");
    lua_pushstring(L, NETMCU_VERSION);
    lua_setfield(L, -2, "version");
    return 1;
}
