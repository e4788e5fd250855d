/*
 * luacall.c — protected calls, the error policy, and callback references.
 */
#include "runtime/luacall.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/loop.h"
#include "runtime/interrupt.h"
#include "runtime/output.h"
#include "runtime/shared_ref.h"

static lua_State *main_state;
static char *failure;
/* The message handler and the protected-body dispatcher as Lua values made
 * once: in 5.1 and LuaJIT pushing a C function allocates a closure, which an
 * event path must not do outside a protected call. */
static int traceback_ref = LUA_NOREF, dispatch_ref = LUA_NOREF;

static int traceback(lua_State *L);
static void push_traceback(lua_State *L);

/* Runs ctx->body with the call's other arguments at 1, 2, ... */
static int dispatch(lua_State *L)
{
    nm_protected *ctx = lua_touserdata(L, 1);
    lua_remove(L, 1);
    ctx->body(L, ctx);
    return 0;
}

static void keep_function(lua_State *L, int *ref, lua_CFunction fn)
{
    if (*ref != LUA_NOREF) {
        nm_ref_push(L, *ref);
        bool same = lua_tocfunction(L, -1) == fn;
        lua_pop(L, 1);
        if (same)
            return;
    }
    lua_pushcfunction(L, fn);
    *ref = luaL_ref(L, LUA_REGISTRYINDEX);
}

void nm_lua_init(lua_State *L)
{
    lua_State *main = nm_main_thread(L);
    if (main != main_state)
        nm_shared_refs_reset(); /* references of a closed state (a restart) */
    main_state = main;
    /* luaL_unref runs outside protected calls (a completed write releases
     * its string). 5.1 to 5.4.2 keep the free list's head at registry[0]
     * (5.4.3 on elsewhere; the slot is then unused); a head that is never
     * nil stays in the table, so that releasing never allocates. A 0 head
     * means an empty list to luaL_ref. */
    lua_rawgeti(L, LUA_REGISTRYINDEX, 0);
    bool absent = lua_isnil(L, -1);
    lua_pop(L, 1);
    if (absent) {
        lua_pushinteger(L, 0);
        lua_rawseti(L, LUA_REGISTRYINDEX, 0);
    }
    /* A new state (node.restart, or a second require) gets its own copies. */
    keep_function(L, &traceback_ref, traceback);
    keep_function(L, &dispatch_ref, dispatch);
}

lua_State *nm_lua_state(void)
{
    return main_state;
}

void nm_lua_forget(void)
{
    main_state = NULL;
}

static int traceback(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);
    if (msg == NULL) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
            return 1;
        msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    luaL_traceback(L, L, msg, 1);
    return 1;
}

void nm_lua_push_traceback(lua_State *L)
{
    push_traceback(L);
}

static void record_failure(const char *msg)
{
    if (failure == NULL)
        failure = strdup(msg);
    uv_stop(nm_loop());
}

static void push_traceback(lua_State *L)
{
    if (traceback_ref != LUA_NOREF)
        nm_ref_push(L, traceback_ref);
    else
        lua_pushcfunction(L, traceback);
}

/* Hands the error value (argument 1) to the script's handler, if it set one.
 * Runs protected: the lookup and the call may need memory that is not there. */
typedef struct onerror_call {
    nm_protected base;
    bool handled;
} onerror_call;

static void call_onerror(lua_State *L, nm_protected *ctx)
{
    lua_getfield(L, LUA_REGISTRYINDEX, NM_ONERROR_KEY);
    if (!lua_isfunction(L, -1))
        return;
    lua_pushvalue(L, 1);
    lua_call(L, 1, 0);
    ((onerror_call *)ctx)->handled = true;
}

static void report_default(const char *msg)
{
    nm_output_error("netmcu: ", msg);
    record_failure(msg);
}

/* Reports the error value at idx without copying it: the report must work
 * when the error is that Lua has no memory left. */
static void report_at(lua_State *L, int idx)
{
    if (nm_interrupted() != NM_INTERRUPT_NONE) {
        /* The error that takes Lua back from a stopping run or a reset
         * board: nothing of the script's to report or to hand to it. */
        uv_stop(nm_loop());
        return;
    }
    const char *msg = lua_tostring(L, idx);
    if (msg == NULL)
        msg = "(error without a message)";
    int top = lua_gettop(L);
    if (dispatch_ref == LUA_NOREF || !lua_checkstack(L, 4)) {
        report_default(msg);
        return;
    }
    onerror_call call = {{call_onerror}, false};
    push_traceback(L);
    nm_ref_push(L, dispatch_ref);
    lua_pushlightuserdata(L, &call);
    lua_pushvalue(L, idx);
    int status = lua_pcall(L, 2, 0, top + 1);
    if (status != LUA_OK) {
        /* The handler itself failed: the default policy, with its error too. */
        const char *inner = lua_tostring(L, -1);
        nm_output_error("netmcu: error in the error handler: ", inner ? inner : "?");
        record_failure(inner ? inner : "error in the error handler");
        nm_output_error("netmcu: ", msg);
    } else if (!call.handled) {
        report_default(msg);
    }
    lua_settop(L, top);
}

void nm_lua_report(lua_State *L, const char *msg)
{
    lua_pushstring(L, msg);
    report_at(L, lua_gettop(L));
    lua_pop(L, 1);
}

int nm_lua_call_begin(lua_State *L)
{
    push_traceback(L);
    return lua_gettop(L);
}

bool nm_lua_call_at(lua_State *L, int handler, int nargs)
{
    int status = lua_pcall(L, nargs, 0, handler);
    if (status != LUA_OK)
        report_at(L, lua_gettop(L));
    lua_settop(L, handler - 1);
    return status == LUA_OK;
}

int nm_lua_dispatcher(void)
{
    return dispatch_ref;
}

static bool protect_inside(lua_State *L, nm_protected *ctx)
{
    int handler = nm_lua_call_begin(L);
    nm_ref_push(L, dispatch_ref);
    lua_pushlightuserdata(L, ctx);
    return nm_lua_call_at(L, handler, 1);
}

#ifdef NM_LUAJIT
/* LuaJIT grows a stack on any push, and its collector shrinks idle stacks:
 * even the pushes that start the protected call may need memory, so they
 * run inside lua_cpcall, which calls a C function without making a closure. */
static bool protect_result;

static int protect_entry(lua_State *L)
{
    nm_protected *ctx = lua_touserdata(L, 1);
    lua_pop(L, 1);
    protect_result = protect_inside(L, ctx);
    return 0;
}

bool nm_lua_protect(lua_State *L, nm_protected *ctx)
{
    protect_result = false;
    if (lua_cpcall(L, protect_entry, ctx) != 0) {
        const char *msg = lua_tostring(L, -1);
        report_default(msg ? msg : "not enough memory");
        lua_pop(L, 1);
        return false;
    }
    return protect_result;
}
#else
bool nm_lua_protect(lua_State *L, nm_protected *ctx)
{
    return protect_inside(L, ctx);
}
#endif

bool nm_lua_call(lua_State *L, int nargs)
{
    int handler = lua_gettop(L) - nargs;
    push_traceback(L);
    lua_insert(L, handler);
    return nm_lua_call_at(L, handler, nargs);
}

bool nm_lua_failed(void)
{
    return failure != NULL;
}

const char *nm_lua_failure(void)
{
    return failure;
}

void nm_lua_clear_failure(void)
{
    free(failure);
    failure = NULL;
}

void nm_ref_set(lua_State *L, int *ref, int idx)
{
    lua_pushvalue(L, idx);
    if (*ref != LUA_NOREF && *ref != LUA_REFNIL)
        lua_rawseti(L, LUA_REGISTRYINDEX, *ref);
    else
        *ref = luaL_ref(L, LUA_REGISTRYINDEX);
}

void nm_ref_clear(lua_State *L, int *ref)
{
    if (*ref != LUA_NOREF && *ref != LUA_REFNIL)
        luaL_unref(L, LUA_REGISTRYINDEX, *ref);
    *ref = LUA_NOREF;
}

typedef struct later_call {
    nm_task task;
    int packed_ref; /* registry ref of {fn, arg1, ...} */
    int nargs;
} later_call;

typedef struct later_body {
    nm_protected base;
    later_call *call;
} later_body;

static void unpack_and_call(lua_State *L, nm_protected *ctx)
{
    later_call *call = ((later_body *)ctx)->call;
    nm_ref_push(L, call->packed_ref);
    for (int i = 1; i <= call->nargs + 1; i++)
        lua_rawgeti(L, -1 - (i - 1), i);
    lua_remove(L, -(call->nargs + 2));
    lua_call(L, call->nargs, 0);
}

static void run_later_call(nm_task *task)
{
    later_call *call = (later_call *)task;
    lua_State *L = main_state;
    if (L != NULL) {
        later_body body = {{unpack_and_call}, call};
        nm_lua_protect(L, &body.base);
        nm_ref_clear(L, &call->packed_ref);
    }
    free(call);
}

void nm_lua_call_later(lua_State *L, int nargs)
{
    later_call *call = malloc(sizeof(*call));
    if (call == NULL)
        luaL_error(L, "not enough memory");
    memset(&call->task, 0, sizeof(call->task));
    call->nargs = nargs;
    call->packed_ref = LUA_NOREF;
    lua_createtable(L, nargs + 1, 0);
    lua_insert(L, -(nargs + 2));
    for (int i = nargs + 1; i >= 1; i--)
        lua_rawseti(L, -(i + 1), i);
    call->packed_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    nm_task_post(&call->task, run_later_call);
}
