/*
 * devicelua.c — the firmware's collectgarbage options and LUA=53's 5.1 names
 * (devicelua.h).
 */
#include "runtime/devicelua.h"

#include <stdbool.h>

/* The limit in bytes, as the firmware's global_State keeps it: 0 (none)
 * after power-on, as in builds without EGC_INITIAL_MEMLIMIT. */
#define MEMLIMIT_KEY "netmcu.memlimit"

static lua_Integer memlimit_get(lua_State *L)
{
    lua_getfield(L, LUA_REGISTRYINDEX, MEMLIMIT_KEY);
    lua_Integer bytes = lua_tointeger(L, -1);
    lua_pop(L, 1);
    return bytes;
}

static lua_Integer in_use(lua_State *L)
{
    return (lua_Integer)lua_gc(L, LUA_GCCOUNT, 0) * 1024 + lua_gc(L, LUA_GCCOUNTB, 0);
}

/* As lua_gc(LUA_GCSETMEMLIMIT) of the firmware: a limit below what is in
 * use first collects, and is then raised to the use rounded up to a KB.
 * The host's collector is not bound by it (memory is not scarce here); the
 * value is kept for getmemlimit. */
static lua_Integer memlimit_set(lua_State *L, lua_Integer kb)
{
    lua_Integer bytes = kb * 1024;
    if (bytes > 0 && bytes < in_use(L)) {
        lua_gc(L, LUA_GCCOLLECT, 0);
        if (bytes < in_use(L))
            bytes = (in_use(L) + 1024) & ~(lua_Integer)1023;
    }
    lua_pushinteger(L, bytes);
    lua_setfield(L, LUA_REGISTRYINDEX, MEMLIMIT_KEY);
    return bytes / 1024;
}

/* collectgarbage([opt[, arg]]) with the firmware's two extra options; the
 * original (upvalue 1) does the rest. The option is checked here, so that a
 * wrong one is reported against collectgarbage. */
static int device_collectgarbage(lua_State *L)
{
    static const char *const opts[] = {
        "stop",
        "restart",
        "collect",
        "count",
        "step",
        "setpause",
        "setstepmul",
        "setmemlimit",
        "getmemlimit",
#if LUA_VERSION_NUM >= 502
        "isrunning",
#endif
#if LUA_VERSION_NUM >= 504
        "incremental",
        "generational",
#endif
        NULL
    };
    enum { SETMEMLIMIT = 7, GETMEMLIMIT = 8 };
    int opt = luaL_checkoption(L, 1, "collect", opts);
    if (opt == SETMEMLIMIT) {
        lua_pushnumber(L, (lua_Number)memlimit_set(L, (lua_Integer)luaL_optnumber(L, 2, 0)));
        return 1;
    }
    if (opt == GETMEMLIMIT) {
        lua_pushnumber(L, (lua_Number)(memlimit_get(L) / 1024));
        return 1;
    }
    int args = lua_gettop(L);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, args, LUA_MULTRET);
    return lua_gettop(L);
}

/* Sets the field name of the global table (_G, package) to the field field
 * of the global table of, unless it is there already. */
static void alias(lua_State *L, const char *table, const char *name, const char *of, const char *field)
{
    lua_getglobal(L, table);
    if (!lua_istable(L, -1)) {
        lua_pop(L, 1);
        return;
    }
    lua_getfield(L, -1, name);
    bool present = !lua_isnil(L, -1);
    lua_pop(L, 1);
    if (!present) {
        lua_getglobal(L, of);
        if (lua_istable(L, -1))
            lua_getfield(L, -1, field);
        else
            lua_pushnil(L);
        lua_setfield(L, -3, name);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
}

/* The LUA=53 firmware keeps three 5.1 names (its luaconf.h defines
 * LUA_COMPAT_LOADERS, LUA_COMPAT_UNPACK and LUA_COMPAT_LOADSTRING): the
 * firmware's own LFS _init.lua installs its loader in package.loaders.
 * Lua 5.1 and LuaJIT have them already. */
static void open_compat_names(lua_State *L)
{
    alias(L, "package", "loaders", "package", "searchers");
    alias(L, "_G", "unpack", "table", "unpack");
    alias(L, "_G", "loadstring", "_G", "load");
}

void nm_device_lua_open(lua_State *L)
{
    open_compat_names(L);
    lua_pushinteger(L, 0);
    lua_setfield(L, LUA_REGISTRYINDEX, MEMLIMIT_KEY);
    lua_getglobal(L, "collectgarbage");
    lua_pushcclosure(L, device_collectgarbage, 1);
    lua_setglobal(L, "collectgarbage");
}
