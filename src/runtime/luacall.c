/*
 * luacall.c — protected calls, the error policy, and callback references.
 */
#include "runtime/luacall.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/loop.h"
#include "runtime/output.h"

static lua_State *main_state;
static char *failure;

void nm_lua_init(lua_State *L)
{
    main_state = nm_main_thread(L);
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
    lua_pushcfunction(L, traceback);
}

static void record_failure(const char *msg)
{
    if (failure == NULL)
        failure = strdup(msg);
    uv_stop(nm_loop());
}

void nm_lua_report(lua_State *L, const char *msg)
{
    lua_getfield(L, LUA_REGISTRYINDEX, NM_ONERROR_KEY);
    if (lua_isfunction(L, -1)) {
        lua_pushstring(L, msg);
        lua_pushcfunction(L, traceback);
        lua_insert(L, -3);
        int status = lua_pcall(L, 1, 0, -3);
        if (status == LUA_OK) {
            lua_pop(L, 1);
            return;
        }
        /* The handler itself failed: fall back to the default policy with its error. */
        const char *inner = lua_tostring(L, -1);
        nm_output_error("netmcu: error in the error handler: ", inner ? inner : "?");
        record_failure(inner ? inner : "error in the error handler");
        lua_pop(L, 2);
        nm_output_error("netmcu: ", msg);
        return;
    }
    lua_pop(L, 1);
    nm_output_error("netmcu: ", msg);
    record_failure(msg);
}

int nm_lua_call_begin(lua_State *L)
{
    lua_pushcfunction(L, traceback);
    return lua_gettop(L);
}

bool nm_lua_call_at(lua_State *L, int handler, int nargs)
{
    int status = lua_pcall(L, nargs, 0, handler);
    if (status != LUA_OK) {
        const char *msg = lua_tostring(L, -1);
        nm_lua_report(L, msg ? msg : "(error without a message)");
    }
    lua_settop(L, handler - 1);
    return status == LUA_OK;
}

bool nm_lua_call(lua_State *L, int nargs)
{
    int handler = lua_gettop(L) - nargs;
    lua_pushcfunction(L, traceback);
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

static void run_later_call(nm_task *task)
{
    later_call *call = (later_call *)task;
    lua_State *L = main_state;
    if (L != NULL) {
        nm_ref_push(L, call->packed_ref);
        for (int i = 1; i <= call->nargs + 1; i++)
            lua_rawgeti(L, -1 - (i - 1), i);
        lua_remove(L, -(call->nargs + 2));
        nm_ref_clear(L, &call->packed_ref);
        nm_lua_call(L, call->nargs);
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
