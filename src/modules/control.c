/*
 * control.c — the `control` module: the board's control channel from Lua
 * (DESIGN §7), so a script's own tests can drop the wifi link or drive an
 * input over the real loop, with the same commands as the control socket.
 *
 *   control.send("wifi drop")  → the reply's INFO text ("" when none);
 *                                 a rejected command raises its error text
 *   control.path()             → the control socket's path, or nil
 *
 * Events a command causes (a disconnect, a pin change) arrive later from the
 * loop, never inside control.send.
 */
#include <string.h>

#include "core/control.h"
#include "runtime/luacall.h"
#include "runtime/modules.h"

static int control_send(lua_State *L)
{
    size_t len;
    const char *line = luaL_checklstring(L, 1, &len);
    char reply[NM_CONTROL_LINE_MAX + 1];
    if (nm_control_execute_bytes(line, len, reply, sizeof reply) != 0)
        return luaL_error(L, "control: %s", reply + strlen("error "));
    lua_pushstring(L, reply[2] == ' ' ? reply + 3 : "");
    return 1;
}

static int control_path(lua_State *L)
{
    const char *path = nm_control_path();
    if (path)
        lua_pushstring(L, path);
    else
        lua_pushnil(L);
    return 1;
}

static const luaL_Reg control_functions[] = {
    {"send", control_send},
    {"path", control_path},
    {NULL, NULL},
};

int luaopen_control(lua_State *L)
{
    nm_lua_init(L);
    luaL_newlib(L, control_functions);
    return 1;
}

/* require "net.control" finds this in net.so (Lua's all-in-one loader). */
int luaopen_net_control(lua_State *L)
{
    return luaopen_control(L);
}
