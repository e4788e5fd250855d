/*
 * fastfn.h — LuaJIT's string-making fast functions, made safe to run out of
 * memory in.
 *
 * LuaJIT's interpreter runs tostring (of a number), string.char, string.sub,
 * string.lower, string.upper and string.reverse inline, and calls the C
 * routine that makes their string without setting the state's stack top. When
 * that allocation fails, LuaJIT pushes "not enough memory" at the stale top,
 * which can be a live slot of a calling Lua frame (its return link): the error
 * unwinder then follows a string as a frame and crashes (LuaJIT 2.1 up to
 * its current branch; tests/peers/oom.sh reproduces it for each of the six).
 * The runner's heap budget makes that allocation fail on purpose, so
 * on LuaJIT each of those functions is replaced by a wrapper that first calls
 * a C function (which sets the stack top) and then tail-calls the original,
 * so the error lands above every live frame. Results and error messages are
 * the original's. Nothing on other Lua versions.
 */
#ifndef NETMCU_FASTFN_H
#define NETMCU_FASTFN_H

#include "runtime/compat.h"

/* Wraps those functions in L's globals; call right after luaL_openlibs. */
void nm_fastfn_guard(lua_State *L);

#endif
