/*
 * compat.h — the one place that knows how Lua 5.1, LuaJIT, 5.3 and 5.4 differ.
 *
 * The bindings are written against the 5.3 C API; each macro or inline below
 * supplies what an older version lacks, so no other file tests LUA_VERSION_NUM.
 */
#ifndef NETMCU_COMPAT_H
#define NETMCU_COMPAT_H

#include <string.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

/* LuaJIT 2.1 reports 5.1 but has the 5.2 auxiliary library. */
#if LUA_VERSION_NUM < 502 && defined(luaL_newlib)
#define NM_LUAJIT 1
#include <luajit.h>
#endif

#if LUA_VERSION_NUM < 502
#define lua_rawlen(L, i) lua_objlen((L), (i))
#define lua_getuservalue(L, i) lua_getfenv((L), (i))
#define lua_setuservalue(L, i) lua_setfenv((L), (i))

#ifndef luaL_newlib
/* LuaJIT 2.1 has these 5.2 functions; plain 5.1 does not. */
#define LUA_OK 0
#define luaL_newlib(L, l) (lua_newtable(L), luaL_register((L), NULL, (l)))
#define luaL_setfuncs(L, l, nup) luaL_register((L), NULL, (l))

static inline void luaL_setmetatable(lua_State *L, const char *tname)
{
    luaL_getmetatable(L, tname);
    lua_setmetatable(L, -2);
}

static inline void *luaL_testudata(lua_State *L, int i, const char *tname)
{
    void *p = lua_touserdata(L, i);
    if (p == NULL || !lua_getmetatable(L, i))
        return NULL;
    luaL_getmetatable(L, tname);
    int same = lua_rawequal(L, -1, -2);
    lua_pop(L, 2);
    return same ? p : NULL;
}

/* Asks debug.traceback for the text luaL_traceback gives from 5.2 on. */
static inline void luaL_traceback(lua_State *L, lua_State *L1, const char *msg, int level)
{
    (void)L1;
    lua_getglobal(L, "debug");
    lua_getfield(L, -1, "traceback");
    lua_remove(L, -2);
    if (msg)
        lua_pushstring(L, msg);
    else
        lua_pushnil(L);
    lua_pushinteger(L, level);
    if (lua_pcall(L, 2, 1, 0) != 0 || !lua_isstring(L, -1)) {
        lua_pop(L, 1);
        lua_pushstring(L, msg ? msg : "");
    }
}
#endif

/* 5.1 integers are doubles; the firmware's checks only need whole numbers. */
static inline int lua_isinteger(lua_State *L, int i)
{
    if (lua_type(L, i) != LUA_TNUMBER)
        return 0;
    lua_Number n = lua_tonumber(L, i);
    return n == (lua_Number)(lua_Integer)n;
}
#endif

/* 5.3 and later have an integer subtype: whole JSON numbers and counts can
 * be pushed as integers (before 5.3 every number is a double). */
#define NM_LUA_INTEGERS (LUA_VERSION_NUM >= 503)
/* The firmware built with LUA=53 (app/lua53), where it differs from its Lua
 * 5.1 build in what a script sees; the later hosts' Lua behave as 5.3. */
#define NM_FIRMWARE_LUA53 (LUA_VERSION_NUM >= 503)

/* The firmware's collector in its default mode (EGC_ALWAYS, set by lua.c of
 * 1.5, 2.2 and 3.0's LUA=53 build; 3.0's Lua 5.1 build only pauses 110 %):
 * garbage is collected before an allocation can fail, so a heap of live
 * data that fits never runs out. The nearest here: a cycle
 * starts as soon as the last ended (pause 100 %) and runs whole in one step
 * (5.1: step multiplier 0, no limit; 5.2, 5.3: a huge one; 5.4 keeps it in
 * a byte, a quarter of at most 1020). The emergency collection of 5.2 and
 * later alone is not enough: it runs no finalizer, so closed files and
 * sockets would stay until a regular cycle. */
static inline void nm_gc_like_the_firmware(lua_State *L)
{
    lua_gc(L, LUA_GCSETPAUSE, 100);
#if LUA_VERSION_NUM < 502
    lua_gc(L, LUA_GCSETSTEPMUL, 0);
#elif LUA_VERSION_NUM < 504
    lua_gc(L, LUA_GCSETSTEPMUL, 1000000);
#else
    lua_gc(L, LUA_GCSETSTEPMUL, 1000);
#endif
}

/* lua_absindex, which 5.1 lacks. */
static inline int nm_absindex(lua_State *L, int i)
{
    return i > 0 || i <= LUA_REGISTRYINDEX ? i : lua_gettop(L) + i + 1;
}

/* The name `netmcu --lua=NAME` gives this build's Lua. */
#if defined(NM_LUAJIT)
#define NM_LUA_NAME "luajit"
#elif LUA_VERSION_NUM == 501
#define NM_LUA_NAME "5.1"
#elif LUA_VERSION_NUM == 503
#define NM_LUA_NAME "5.3"
#elif LUA_VERSION_NUM == 504
#define NM_LUA_NAME "5.4"
#else
#define NM_LUA_NAME "other"
#endif

/* From 5.2 on a userdata's user value may be any value (5.4 gives each
 * userdata one by default); in 5.1 and LuaJIT it is an environment table. */
#define NM_USERVALUE_ANY (LUA_VERSION_NUM >= 502)

/* True when a syntax error only says that the chunk ended too early, so an
 * interpreter should read another line: 5.2+ end the message with <eof>,
 * 5.1 and LuaJIT with '<eof>'. */
static inline int nm_incomplete_chunk(const char *msg)
{
    if (msg == NULL)
        return 0;
    size_t n = strlen(msg);
    if (n > 0 && msg[n - 1] == '\'')
        n--;
    return n >= 5 && memcmp(msg + n - 5, "<eof>", 5) == 0;
}

/* Lets a count hook interrupt any running Lua code (Ctrl-C in the console).
 * LuaJIT's compiled traces never call hooks, so there the JIT is turned off;
 * the console trades JIT speed for a working Ctrl-C. */
#ifdef NM_LUAJIT
static inline void nm_make_interruptible(lua_State *L)
{
    luaJIT_setmode(L, 0, LUAJIT_MODE_ENGINE | LUAJIT_MODE_OFF);
}
#else
static inline void nm_make_interruptible(lua_State *L)
{
    (void)L;
}
#endif

/* A metatable for a userdata type. Without __name, tostring() shows
 * "userdata: 0x…" as on the firmware (5.3+ would show the type name). */
static inline void nm_newmetatable(lua_State *L, const char *tname)
{
    luaL_newmetatable(L, tname);
    lua_pushnil(L);
    lua_setfield(L, -2, "__name");
}

/* Registers a userdata type: its methods as __index and its __gc. Returns
 * the metatable's address, which the checks of `self` compare against. */
static inline const void *nm_register_type(lua_State *L, const char *tname, const luaL_Reg *methods, lua_CFunction gc)
{
    nm_newmetatable(L, tname);
    const void *mt = lua_topointer(L, -1);
    lua_newtable(L);
    luaL_setfuncs(L, methods, 0);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, gc);
    lua_setfield(L, -2, "__gc");
    lua_pop(L, 1);
    return mt;
}

/* Runs fn when the state closes: the __gc of a userdata kept in the registry
 * under key, so a module can release what it holds outside Lua. */
static inline void nm_on_state_close(lua_State *L, const char *key, lua_CFunction fn)
{
    lua_newuserdata(L, 1);
    lua_newtable(L);
    lua_pushcfunction(L, fn);
    lua_setfield(L, -2, "__gc");
    lua_setmetatable(L, -2);
    lua_setfield(L, LUA_REGISTRYINDEX, key);
}

/* package.searchers (5.2+) is package.loaders in 5.1 and LuaJIT; a searcher's
 * "not found" text starts with "\n\t" before 5.4, which adds that itself. */
#if LUA_VERSION_NUM >= 502
#define NM_SEARCHERS "searchers"
#else
#define NM_SEARCHERS "loaders"
#endif
#if LUA_VERSION_NUM >= 504
#define NM_NOT_FOUND_SEP ""
#else
#define NM_NOT_FOUND_SEP "\n\t"
#endif

/* lua_dump with stripped debug information where the version can strip. */
static inline int nm_dump(lua_State *L, lua_Writer writer, void *data, int strip)
{
#if LUA_VERSION_NUM >= 503
    return lua_dump(L, writer, data, strip);
#else
    (void)strip;
    return lua_dump(L, writer, data);
#endif
}

/* loadfile's environment argument (5.2+: the loaded chunk's first upvalue;
 * 5.1's loadfile has none). */
static inline void nm_set_chunk_env(lua_State *L, int env)
{
#if LUA_VERSION_NUM >= 502
    lua_pushvalue(L, env);
    if (!lua_setupvalue(L, -2, 1))
        lua_pop(L, 1);
#else
    (void)L;
    (void)env;
#endif
}

/* The main thread, which outlives every coroutine a callback could run in. */
static inline lua_State *nm_main_thread(lua_State *L)
{
#if LUA_VERSION_NUM >= 502
    lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_MAINTHREAD);
    lua_State *main = lua_tothread(L, -1);
    lua_pop(L, 1);
    return main;
#else
    return L; /* 5.1 opens modules from the main thread */
#endif
}

/* luaL_checkinteger in fewer API calls when the argument is a number, for
 * methods called once per message; anything else goes through
 * luaL_checkinteger, its conversions and its errors included. */
static inline lua_Integer nm_checkinteger(lua_State *L, int arg)
{
#if LUA_VERSION_NUM >= 502
    int isnum;
    lua_Integer v = lua_tointegerx(L, arg, &isnum);
    return isnum ? v : luaL_checkinteger(L, arg);
#else
    /* lua_tointeger gives 0 for a non-number too. */
    lua_Integer v = lua_tointeger(L, arg);
    return v != 0 || lua_type(L, arg) == LUA_TNUMBER ? v : luaL_checkinteger(L, arg);
#endif
}

/* luaL_checkinteger as the device's Lua 5.1 has it: any number, a fraction
 * truncated toward zero (5.3 refuses 1.5), clamped to the 32-bit range of
 * the device's lua_Integer. Same error texts for a non-number. */
static inline long nm_check_int32(lua_State *L, int arg)
{
    lua_Number n = luaL_checknumber(L, arg);
    if (!(n > -2147483648.0))
        return n != n ? 0 : -2147483647L - 1;
    return n >= 2147483647.0 ? 2147483647L : (long)n;
}

#endif
