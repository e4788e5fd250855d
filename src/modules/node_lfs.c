/*
 * node_lfs.c — LFS, the firmware's Lua Flash Store: node.flashreload and
 * node.flashindex (2.2), node.LFS with get, list, reload, time and config
 * (3.0), node.info("lfs").
 *
 * On the device luac.cross compiles a folder's Lua files into an image of
 * ESP8266 bytecode; node.flashreload(image) writes it to the LFS partition
 * and reboots, and the modules are then found by name. No host Lua can run
 * that bytecode, so netmcu's image holds the sources instead: it is made by
 * tools/luac.cross.lua, with luac.cross's own command line, and a firmware
 * image is refused with the firmware's "Incorrect LFS header version". A
 * reload checks and compiles every module before anything is replaced (an
 * error is returned as the firmware returns it, as a string), then stores
 * the image in the board's state directory (the partition survives a reboot
 * and file.format) and reboots; each power-on compiles the stored modules.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/flash.h"
#include "core/home.h"
#include "modules/node.h"
#include "runtime/interrupt.h"
#include "runtime/output.h"
#include "runtime/profile.h"
#include "runtime/reset.h"
#include "runtime/restart.h"

#define LFS_KEY "netmcu.lfs" /* registry: the loaded store, or absent */
#define STORE_NAME "lfs.img"
#define MAPPED_BASE 0x40200000u /* where the flash appears in the address space */
#define HEADER "netmcu-lfs 1 "

/* ---- the image ----------------------------------------------------------- */

/* Reads "NUMBER<end>" at *p; false when there is none. */
static bool read_number(const char **p, const char *limit, char end, unsigned long long *out)
{
    const char *s = *p;
    unsigned long long v = 0;
    if (s >= limit || *s < '0' || *s > '9')
        return false;
    while (s < limit && *s >= '0' && *s <= '9') {
        if (v > (~0ULL - 9) / 10)
            return false;
        v = v * 10 + (unsigned)(*s++ - '0');
    }
    if (s >= limit || *s != end)
        return false;
    *out = v;
    *p = s + 1;
    return true;
}

/* Pushes the store {time, used, names = {...}, fns = {name = function}} made
 * from an image, or an error message; returns whether it is a store. */
static bool push_store(lua_State *L, const char *data, size_t len)
{
    const char *p = data, *limit = data + len;
    unsigned long long time, count;
    size_t hlen = strlen(HEADER);
    if (len < hlen || memcmp(data, HEADER, hlen) != 0) {
        lua_pushliteral(L, "Incorrect LFS header version (not an image of tools/luac.cross.lua)");
        return false;
    }
    p += hlen;
    if (!read_number(&p, limit, ' ', &time) || !read_number(&p, limit, '\n', &count) || count > len) {
        lua_pushliteral(L, "LFS length mismatch");
        return false;
    }
    lua_createtable(L, 0, 4);
    lua_newtable(L); /* names */
    lua_newtable(L); /* fns */
    for (unsigned long long i = 0; i < count; i++) {
        const char *name = p;
        const char *space = memchr(p, ' ', (size_t)(limit - p));
        unsigned long long size;
        if (space == NULL || space == name || (p = space + 1, !read_number(&p, limit, '\n', &size)) ||
            size >= (unsigned long long)(limit - p) || p[size] != '\n') {
            lua_settop(L, lua_gettop(L) - 3);
            lua_pushliteral(L, "LFS length mismatch");
            return false;
        }
        lua_pushlstring(L, name, (size_t)(space - name));
        lua_pushfstring(L, "@%s.lua", lua_tostring(L, -1));
        if (luaL_loadbuffer(L, p, (size_t)size, lua_tostring(L, -1)) != LUA_OK) {
            lua_replace(L, -6); /* the message in place of the store */
            lua_settop(L, lua_gettop(L) - 4);
            return false;
        }
        lua_remove(L, -2); /* the chunk name */
        lua_pushvalue(L, -2);
        lua_rawseti(L, -5, (int)i + 1); /* names[i] */
        lua_rawset(L, -3);              /* fns[name] = function */
        p += size + 1;
    }
    lua_setfield(L, -3, "fns");
    lua_getglobal(L, "table");
    lua_getfield(L, -1, "sort");
    lua_pushvalue(L, -3);
    lua_call(L, 1, 0); /* names in order, as node.LFS.list gives them */
    lua_pop(L, 1);
    lua_setfield(L, -2, "names");
    lua_pushnumber(L, (lua_Number)time);
    lua_setfield(L, -2, "time");
    lua_pushinteger(L, (lua_Integer)len);
    lua_setfield(L, -2, "used");
    return true;
}

/* Writes the image where the next power-on finds it (whole or not at all). */
static int store_image(const char *data, size_t len)
{
    char path[4096], tmp[4200];
    int rc = nm_home_path(STORE_NAME, path, sizeof path);
    if (rc != 0)
        return rc;
    snprintf(tmp, sizeof tmp, "%s.new", path);
    FILE *f = fopen(tmp, "wb");
    if (f == NULL)
        return -errno;
    bool ok = fwrite(data, 1, len, f) == len;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return -EIO;
    }
    return 0;
}

/* Loads the stored image into the registry, when there is one. */
static void load_stored(lua_State *L)
{
    char path[4096];
    lua_pushnil(L);
    lua_setfield(L, LUA_REGISTRYINDEX, LFS_KEY);
    if (nm_home_find(STORE_NAME, path, sizeof path) != 0)
        return;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return;
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        luaL_addlstring(&b, chunk, n);
    fclose(f);
    luaL_pushresult(&b);
    size_t len;
    const char *data = lua_tolstring(L, -1, &len);
    if (push_store(L, data, len)) {
        lua_setfield(L, LUA_REGISTRYINDEX, LFS_KEY);
    } else {
        fprintf(stderr, "netmcu: the stored LFS image (%s) is not loaded: %s\n", path, lua_tostring(L, -1));
        lua_pop(L, 1);
    }
    lua_pop(L, 1); /* the image's text */
}

/* Pushes the loaded store; false (nothing pushed) when there is none. */
static bool push_loaded(lua_State *L)
{
    lua_getfield(L, LUA_REGISTRYINDEX, LFS_KEY);
    if (lua_istable(L, -1))
        return true;
    lua_pop(L, 1);
    return false;
}

/* ---- the functions --------------------------------------------------------- */

/* node.flashreload(image) / node.LFS.reload(image): an error string, or the
 * board reboots with the new store and the call never returns: the Lua 5.1
 * firmware spins until its watchdog resets the chip (nothing after the call
 * runs, a pcall around it included), the LUA=53 firmware schedules the
 * restart and raises "system restarting". */
static int lfs_reload(lua_State *L)
{
    const char *name = lua_tostring(L, 1);
    char *data = NULL;
    size_t len = 0;
    if (name == NULL || nm_flash_slurp(name, &data, &len) != 0) {
        lua_pushliteral(L, "LFS image file not found");
        return 1;
    }
    if (len > NM_LFS_SIZE) {
        free(data);
        lua_pushliteral(L, "LFS Image too big for configured LFS region");
        return 1;
    }
    bool ok = push_store(L, data, len);
    int rc = ok ? store_image(data, len) : 0;
    free(data);
    if (!ok)
        return 1;
    if (rc != 0) {
        lua_pushfstring(L, "cannot store the LFS image: %s", strerror(-rc));
        return 1;
    }
    static const char done[] = "LFS region updated.  Restarting.\n";
    nm_output_write(done, sizeof done - 1, true);
    nm_reset_request(NM_RESET_SOFT_WATCHDOG); /* the firmware loops until the watchdog bites */
    nm_request_restart(NM_EXIT_RESTART, "node.flashreload()");
    if (NM_FIRMWARE_LUA53)
        return luaL_error(L, "system restarting");
    nm_interrupt_raise(NM_INTERRUPT_WATCHDOG); /* takes Lua back, quietly */
    return 0;
}

/* Pushes the module's function, or nil. */
static void push_module(lua_State *L, int name_index)
{
    const char *name = lua_tostring(L, name_index);
    if (name == NULL || !push_loaded(L)) {
        lua_pushnil(L);
        return;
    }
    lua_getfield(L, -1, "fns");
    lua_getfield(L, -1, name);
    lua_replace(L, -3);
    lua_pop(L, 1);
}

/* 3.0: node.flashindex(name), node.LFS.get(name): the function or nil. */
static int lfs_get(lua_State *L)
{
    push_module(L, 1);
    return 1;
}

static void push_names(lua_State *L)
{
    lua_getfield(L, -1, "names");
    lua_newtable(L);
    int n = (int)lua_rawlen(L, -2);
    for (int i = 1; i <= n; i++) {
        lua_rawgeti(L, -2, i);
        lua_rawseti(L, -2, i);
    }
    lua_remove(L, -2);
}

/* 2.2: node.flashindex(name): the function; without LFS nil, base, mapped
 * address; for an unknown name the store's time, base, mapped address,
 * size and module list. */
static int lfs_index_22(lua_State *L)
{
    if (!push_loaded(L)) {
        lua_pushnil(L);
        lua_pushinteger(L, NM_LFS_ADDR);
        lua_pushinteger(L, MAPPED_BASE + NM_LFS_ADDR);
        return 3;
    }
    push_module(L, 1);
    if (!lua_isnil(L, -1))
        return 1;
    lua_pop(L, 1);
    lua_getfield(L, -1, "time");
    lua_pushinteger(L, NM_LFS_ADDR);
    lua_pushinteger(L, MAPPED_BASE + NM_LFS_ADDR);
    lua_pushinteger(L, NM_LFS_SIZE);
    lua_pushvalue(L, -5);
    push_names(L);
    lua_remove(L, -2);
    return 5;
}

/* node.LFS.list(): the module names in order, nil without LFS. */
static int lfs_list(lua_State *L)
{
    if (!push_loaded(L))
        return lua_pushnil(L), 1;
    push_names(L);
    return 1;
}

/* Pushes node.info("lfs") / node.LFS.config. */
static int lfs_config(lua_State *L)
{
    lua_Integer used = 0;
    if (push_loaded(L)) {
        lua_getfield(L, -1, "used");
        used = lua_tointeger(L, -1);
        lua_pop(L, 2);
    }
    lua_createtable(L, 0, 4);
    lua_pushinteger(L, MAPPED_BASE + NM_LFS_ADDR);
    lua_setfield(L, -2, "lfs_mapped");
    lua_pushinteger(L, NM_LFS_ADDR);
    lua_setfield(L, -2, "lfs_base");
    lua_pushinteger(L, NM_LFS_SIZE);
    lua_setfield(L, -2, "lfs_size");
    lua_pushinteger(L, used);
    lua_setfield(L, -2, "lfs_used");
    return 1;
}

int nm_node_lfs_push_config(lua_State *L)
{
    return lfs_config(L);
}

/* node.LFS.NAME: "config", "time", or a module. */
static int lfs_field(lua_State *L)
{
    const char *key = lua_tostring(L, 2);
    if (key != NULL && strcmp(key, "config") == 0)
        return lfs_config(L);
    if (key != NULL && strcmp(key, "time") == 0) {
        if (!push_loaded(L))
            return lua_pushnil(L), 1;
        lua_getfield(L, -1, "time");
        return 1;
    }
    push_module(L, 2);
    return 1;
}

static void add_lfs_table(lua_State *L)
{
    static const luaL_Reg functions[] = {{"get", lfs_get}, {"list", lfs_list}, {"reload", lfs_reload}, {NULL, NULL}};
    luaL_newlib(L, functions);
    lua_createtable(L, 0, 1);
    lua_pushcfunction(L, lfs_field);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, -2);
    lua_setfield(L, -2, "LFS");
}

void nm_node_lfs_open(lua_State *L)
{
    if (!nm_since(NM_ERA_2_2))
        return; /* LFS came with the 2.x firmware */
    load_stored(L);
    lua_pushcfunction(L, lfs_reload);
    lua_setfield(L, -2, "flashreload");
    lua_pushcfunction(L, nm_since(NM_ERA_3_0) ? lfs_get : lfs_index_22);
    lua_setfield(L, -2, "flashindex");
    if (nm_since(NM_ERA_3_0))
        add_lfs_table(L);
}
