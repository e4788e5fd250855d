/*
 * lazy_modules.c — the crypto and encoder modules in the runner, whose code
 * is in the ssl plugin (runtime/plugin.h).
 *
 * The board opens every module as a global at start, so the runner's
 * luaopen_crypto and luaopen_encoder cannot load the plugin: they make the
 * module's table with the same names, each a forwarder that, on the first
 * call of any, loads the plugin and opens the real module (kept in the
 * registry), then runs the real function of that name in its own frame
 * (argument errors name the function as always). A script sees the same
 * table (pairs, type, the calls) as with the module linked in.
 *
 * The real modules' functions are plain C functions without upvalues, as
 * luaL_newlib makes them; tests/lua/lazy_modules.lua checks that the names
 * here are the real modules' names.
 */
#include <stdio.h>

#include "runner/forward.h"
#include "runtime/modules.h"
#include "runtime/plugin.h"
#include "runtime/profile.h"

#define REAL_MODULES_KEY "netmcu.plugin_modules" /* registry: module name -> real table */

/* The real module `module` on the stack, opened on the first call of any of
 * its functions (`name`, which a failure to load the plugin names). */
static void push_real_module(lua_State *L, const char *module, const char *name)
{
    lua_getfield(L, LUA_REGISTRYINDEX, REAL_MODULES_KEY);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_setfield(L, LUA_REGISTRYINDEX, REAL_MODULES_KEY);
    }
    lua_getfield(L, -1, module);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_pushfstring(L, "%s.%s", module, name);
        nm_plugin_need(L, NM_PLUGIN_SSL, lua_tostring(L, -1));
        lua_pop(L, 1);
        char open[64];
        snprintf(open, sizeof open, "luaopen_%s", module);
        lua_pushcfunction(L, (lua_CFunction)nm_plugin_entry(NM_PLUGIN_SSL, open));
        lua_call(L, 0, 1);
        lua_pushvalue(L, -1);
        lua_setfield(L, -3, module);
    }
    lua_remove(L, -2);
}

/* A forwarder: upvalues are the module's name and the function's. */
static int forward(lua_State *L)
{
    const char *module = lua_tostring(L, lua_upvalueindex(1));
    const char *name = lua_tostring(L, lua_upvalueindex(2));
    push_real_module(L, module, name);
    lua_getfield(L, -1, name);
    lua_CFunction real = lua_tocfunction(L, -1);
    lua_pop(L, 2);
    if (real == NULL)
        return luaL_error(L, "%s.%s: not in the ssl plugin's %s module", module, name, module);
    return real(L);
}

static void add_forwarders(lua_State *L, const char *module, const char *const *names)
{
    for (int i = 0; names[i] != NULL; i++) {
        lua_pushstring(L, module);
        lua_pushstring(L, names[i]);
        lua_pushcclosure(L, forward, 2);
        lua_setfield(L, -2, names[i]);
    }
}

int luaopen_crypto(lua_State *L)
{
    static const char *const names[] = {"sha1",     "hash",    "fhash",   "new_hash", "hmac",
                                        "new_hmac", "encrypt", "decrypt", "mask",     NULL};
    static const char *const encoders[] = {"toHex", "toBase64", NULL}; /* 3.0 moved them to encoder */
    lua_newtable(L);
    add_forwarders(L, "crypto", names);
    if (!nm_since(NM_ERA_3_0))
        add_forwarders(L, "crypto", encoders);
    return 1;
}

int luaopen_encoder(lua_State *L)
{
    static const char *const names[] = {"toBase64", "fromBase64", "toHex", "fromHex", NULL};
    lua_newtable(L);
    add_forwarders(L, "encoder", names);
    return 1;
}
