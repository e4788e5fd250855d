/*
 * luacall.h — the one way netmcu calls into Lua from the event loop.
 *
 * Every callback (net events, timers, tasks) goes through nm_lua_call: a
 * protected call with a traceback handler. An error is handed to the script's
 * own handler when it installed one (node.setonerror stores it in the registry
 * under NM_ONERROR_KEY); otherwise the message and traceback go to stderr, the
 * loop stops, and the run ends with status 1 (the runner) or net.run() raises.
 */
#ifndef NETMCU_LUACALL_H
#define NETMCU_LUACALL_H

#include <stdbool.h>

#include "runtime/compat.h"

#define NM_ONERROR_KEY "netmcu.onerror"

/* Remembers the main Lua state for callbacks; called by every luaopen_*. */
void nm_lua_init(lua_State *L);
/* The state callbacks run in, or NULL once it has been closed. */
lua_State *nm_lua_state(void);
/* Forgets the state (lua_close is about to run): later events reach no Lua. */
void nm_lua_forget(void);

/* Event code that pushes or allocates anything in Lua (received data, a new
 * object) runs as the body of a protected call, so that running out of Lua
 * memory there is an ordinary error for the policy above, never an abort.
 * Embed nm_protected first in the event's context; nm_lua_protect runs
 * body(L, ctx) inside the call, whose function and arguments body pushes and
 * calls with lua_call. Returns true when it ran without error. */
typedef struct nm_protected nm_protected;
struct nm_protected {
    void (*body)(lua_State *L, nm_protected *ctx);
};
bool nm_lua_protect(lua_State *L, nm_protected *ctx);
/* The registry reference of the function nm_lua_protect calls, for callers
 * that push further arguments: handler, dispatcher, ctx, args..., then
 * nm_lua_call_at(L, handler, 1 + nargs); body finds the args at 1, 2, ... */
int nm_lua_dispatcher(void);

/* Calls the function below nargs arguments on the stack, dropping results.
 * Returns true when it ran without error. */
bool nm_lua_call(lua_State *L, int nargs);

/* The same call for hot paths, without moving the stack: push the message
 * handler first (nm_lua_call_begin returns its index), then the function and
 * its arguments; nm_lua_call_at calls and drops everything from the handler up. */
int nm_lua_call_begin(lua_State *L);
bool nm_lua_call_at(lua_State *L, int handler, int nargs);

/* Pushes the traceback message handler used by nm_lua_call (for the runner). */
void nm_lua_push_traceback(lua_State *L);

/* Reports an error message (already carrying its traceback) by the policy above. */
void nm_lua_report(lua_State *L, const char *msg);

/* True after an unhandled callback error; the message is kept until cleared. */
bool nm_lua_failed(void);
const char *nm_lua_failure(void);
void nm_lua_clear_failure(void);

/* Registry references for callbacks: set from a stack slot, push, release. */
void nm_ref_set(lua_State *L, int *ref, int idx);
void nm_ref_clear(lua_State *L, int *ref);
static inline void nm_ref_push(lua_State *L, int ref)
{
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
}

/* The method's object when argument 1 is a userdata whose metatable is mt
 * (compared by address, taken when the type was registered), else NULL. */
static inline void *nm_is_self(lua_State *L, const void *mt)
{
    void *self = lua_touserdata(L, 1);
    if (self != NULL && lua_getmetatable(L, 1)) {
        bool same = lua_topointer(L, -1) == mt;
        lua_pop(L, 1);
        if (same)
            return self;
    }
    return NULL;
}

/* luaL_checkudata(L, 1, tname) for methods: the metatable's address is
 * compared before it is looked up by name, which a method call would
 * otherwise pay every time. */
static inline void *nm_check_self(lua_State *L, const void *mt, const char *tname)
{
    void *self = nm_is_self(L, mt);
    return self != NULL ? self : luaL_checkudata(L, 1, tname);
}

/* eLua's luaL_checkanyfunction, the callback check of the 1.5 and 2.2
 * firmware, with its text: "function or lightfunction expected, got nil". */
static inline void nm_check_any_function(lua_State *L, int arg)
{
    if (!lua_isfunction(L, arg))
        luaL_argerror(L, arg, lua_pushfstring(L, "function or lightfunction expected, got %s", luaL_typename(L, arg)));
}

/* Calls the function below nargs arguments on a later loop turn (the firmware's
 * "task" idea): used wherever a result is known inside the API call itself. */
void nm_lua_call_later(lua_State *L, int nargs);

#endif
