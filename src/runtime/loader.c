/*
 * loader.c — Lua chunks from the flash (see loader.h).
 */
#include "runtime/loader.h"

#include <stdlib.h>
#include <string.h>

#include "core/flash.h"
#include "runtime/profile.h"

#define LOADER_INSTALLED "netmcu.loader.installed"

int nm_load_flash(lua_State *L, const char *name)
{
    char *data;
    size_t len;
    if (nm_flash_slurp(name, &data, &len) != 0) {
        /* 3.0 formats strerror(), which the device's libc leaves empty */
        lua_pushfstring(L, nm_since(NM_ERA_3_0) ? "cannot open %s: " : "cannot open %s", name);
        return LUA_ERRFILE;
    }
    /* A first line starting with '#' is skipped, keeping line numbers. */
    size_t skip = 0;
    if (len > 0 && data[0] == '#') {
        while (skip < len && data[skip] != '\n')
            skip++;
    }
    lua_pushfstring(L, "@%s", name);
    int status = luaL_loadbuffer(L, data + skip, len - skip, lua_tostring(L, -1));
    lua_remove(L, -2);
    free(data);
    return status;
}

/* The device has no standard input to read a chunk from: every firmware
 * (1.5 to 3.0, Lua 5.1 and 5.3) raises this for a missing name. Published
 * routers pass a table lookup that found nothing (loadfile(routes[method]))
 * and rely on the error; reading the host's stdin would take the console's
 * input instead. */
static int no_name(lua_State *L)
{
    return luaL_error(L, "filename is NULL");
}

static int flash_dofile(lua_State *L)
{
    if (lua_isnoneornil(L, 1))
        return no_name(L);
    const char *name = luaL_checkstring(L, 1);
    lua_settop(L, 1);
    if (nm_load_flash(L, name) != LUA_OK)
        return lua_error(L);
    lua_call(L, 0, LUA_MULTRET);
    return lua_gettop(L) - 1;
}

static int flash_loadfile(lua_State *L)
{
    if (lua_isnoneornil(L, 1))
        return no_name(L);
    const char *name = luaL_checkstring(L, 1);
    bool env = !lua_isnone(L, 3);
    if (nm_load_flash(L, name) != LUA_OK) {
        lua_pushnil(L);
        lua_insert(L, -2);
        return 2;
    }
    if (env)
        nm_set_chunk_env(L, 3);
    return 1;
}

/* package.searchers entry: "name.lc", then "name.lua" in the flash, with
 * dots in the module name standing for '/' as require does. */
static int flash_searcher(lua_State *L)
{
    const char *module = luaL_checkstring(L, 1);
    const char *base = luaL_gsub(L, module, ".", "/");
    static const char *const suffixes[] = {".lc", ".lua"};
    luaL_Buffer missing;
    luaL_buffinit(L, &missing);
    for (int i = 0; i < 2; i++) {
        const char *name = lua_pushfstring(L, "%s%s", base, suffixes[i]);
        if (nm_flash_name_ok(name) && nm_flash_size(name) >= 0) {
            if (nm_load_flash(L, name) != LUA_OK)
                return luaL_error(L, "error loading module '%s' from file '%s':\n\t%s", module, name,
                                  lua_tostring(L, -1));
            lua_pushstring(L, name);
            return 2;
        }
        lua_pop(L, 1);
        luaL_addstring(&missing, i == 0 ? NM_NOT_FOUND_SEP : "\n\t");
        lua_pushfstring(L, "no file '%s%s' in the flash", base, suffixes[i]);
        luaL_addvalue(&missing);
    }
    luaL_pushresult(&missing);
    return 1;
}

static void add_searcher(lua_State *L)
{
    lua_getglobal(L, "package");
    lua_getfield(L, -1, NM_SEARCHERS);
    if (!lua_istable(L, -1)) {
        lua_pop(L, 2);
        return;
    }
    int n = (int)lua_rawlen(L, -1);
    for (int i = n; i >= 2; i--) { /* make room at 2, after package.preload */
        lua_rawgeti(L, -1, i);
        lua_rawseti(L, -2, i + 1);
    }
    lua_pushcfunction(L, flash_searcher);
    lua_rawseti(L, -2, 2);
    lua_pop(L, 2);
}

void nm_loader_install(lua_State *L)
{
    lua_getfield(L, LUA_REGISTRYINDEX, LOADER_INSTALLED);
    bool done = lua_toboolean(L, -1);
    lua_pop(L, 1);
    if (done)
        return;
    lua_pushboolean(L, 1);
    lua_setfield(L, LUA_REGISTRYINDEX, LOADER_INSTALLED);
    lua_pushcfunction(L, flash_dofile);
    lua_setglobal(L, "dofile");
    lua_pushcfunction(L, flash_loadfile);
    lua_setglobal(L, "loadfile");
    add_searcher(L);
}
