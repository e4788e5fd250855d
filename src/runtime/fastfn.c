/*
 * fastfn.c — LuaJIT's string-making fast functions wrapped so that an
 * out-of-memory error inside them cannot overwrite a live stack slot.
 */
#include "runtime/fastfn.h"

#ifdef NM_LUAJIT

/* A C function call is what makes LuaJIT store the stack top: calling this
 * one (it does nothing else) puts the top above the wrapper's own slots. */
static int set_stack_top(lua_State *L)
{
    (void)L;
    return 0;
}

/* The wrapper is a vararg Lua function ending in a tail call: the original
 * then runs in the wrapper's place, below the top set_stack_top left, and
 * takes its name for error messages from the script's own call. */
static const char wrapper_chunk[] = "local set_top, original = ...\n"
                                    "return function(...) set_top() return original(...) end\n";

/* Replaces table[name] with a wrapper made by the loaded wrapper chunk. */
static void wrap_field(lua_State *L, int chunk, int table, const char *name)
{
    lua_pushvalue(L, chunk);
    lua_pushcfunction(L, set_stack_top);
    lua_getfield(L, table, name);
    lua_call(L, 2, 1);
    lua_setfield(L, table, name);
}

void nm_fastfn_guard(lua_State *L)
{
    static const char *const string_fns[] = {"char", "sub", "lower", "upper", "reverse"};
    if (luaL_loadbuffer(L, wrapper_chunk, sizeof wrapper_chunk - 1, "=[netmcu fastfn]") != 0)
        lua_error(L);
    int chunk = lua_gettop(L);
    wrap_field(L, chunk, LUA_GLOBALSINDEX, "tostring");
    lua_getglobal(L, "string");
    for (size_t i = 0; i < sizeof string_fns / sizeof string_fns[0]; i++)
        wrap_field(L, chunk, chunk + 1, string_fns[i]);
    lua_pop(L, 2);
}

#else

void nm_fastfn_guard(lua_State *L)
{
    (void)L;
}

#endif
