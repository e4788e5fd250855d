/*
 * output.c — console output and its redirection by node.output.
 */
#include "runtime/output.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytebuf.h"
#include "core/loop.h"
#include "runtime/luacall.h"

static int redirect_ref = LUA_NOREF;
static bool also_serial = true;
static bool in_redirect; /* the redirection function is running */
static nm_output_hook hook;
static nm_device_writer text_sink, raw_sink; /* the serial console's, instead of stdout */
static nm_output_sink sink;                  /* the 3.0 redirection, instead of redirect_ref */
static lua_State *printing;                  /* the thread inside print, for the sink */

/* Text waiting for the redirection function. */
static nm_bytebuf pending; /* redirected output not yet handed to the script */
static nm_task flush_task;

static void to_stdout(const char *text, size_t len)
{
    if (hook)
        hook(true);
    fwrite(text, 1, len, stdout);
    fflush(stdout);
    if (hook)
        hook(false);
}

void nm_output_error(const char *prefix, const char *msg)
{
    if (hook)
        hook(true);
    fprintf(stderr, "%s%s\n", prefix, msg);
    fflush(stderr);
    if (hook)
        hook(false);
}

static void to_terminal(const char *text, size_t len)
{
    if (text_sink)
        text_sink(text, len);
    else
        to_stdout(text, len);
}

void nm_output_device(const char *text, size_t len)
{
    to_terminal(text, len);
}

void nm_output_raw(const char *bytes, size_t len)
{
    if (raw_sink)
        raw_sink(bytes, len);
    else
        to_stdout(bytes, len);
}

void nm_output_set_device(nm_device_writer text, nm_device_writer raw)
{
    text_sink = text;
    raw_sink = raw;
}

/* The text becomes a Lua string inside the protected call (it may not fit). */
static void redirect_body(lua_State *L, nm_protected *ctx)
{
    (void)ctx;
    nm_ref_push(L, redirect_ref);
    lua_pushlstring(L, pending.data, pending.len);
    pending.len = 0;
    lua_call(L, 1, 0);
}

static void flush_pending(nm_task *task)
{
    (void)task;
    lua_State *L = nm_lua_state();
    if (L == NULL || redirect_ref == LUA_NOREF || pending.len == 0) {
        pending.len = 0;
        return;
    }
    nm_protected call = {redirect_body};
    in_redirect = true;
    if (!nm_lua_protect(L, &call))
        pending.len = 0; /* no memory for it: the text is dropped, the error reported */
    in_redirect = false;
}

void nm_output_write(const char *text, size_t len, bool terminal)
{
    if (sink != NULL) {
        lua_State *L = printing ? printing : nm_lua_state();
        if (L != NULL)
            sink(L, text, len);
        if (terminal && also_serial)
            to_terminal(text, len);
        return;
    }
    bool redirected = redirect_ref != LUA_NOREF && !in_redirect;
    if (redirected && nm_bytebuf_append(&pending, text, len))
        nm_task_post(&flush_task, flush_pending);
    if (terminal && (!redirected || also_serial))
        to_terminal(text, len);
}

void nm_output_redirect(lua_State *L, int fn_index, bool serial)
{
    sink = NULL;
    if (fn_index != 0 && lua_isfunction(L, fn_index)) {
        nm_ref_set(L, &redirect_ref, fn_index);
        also_serial = serial;
    } else {
        nm_ref_clear(L, &redirect_ref);
        also_serial = true;
        pending.len = 0;
    }
}

void nm_output_redirect_sink(nm_output_sink to, bool serial)
{
    lua_State *L = nm_lua_state();
    if (L != NULL)
        nm_ref_clear(L, &redirect_ref);
    pending.len = 0;
    sink = to;
    also_serial = to == NULL || serial;
}

bool nm_output_redirected(void)
{
    return redirect_ref != LUA_NOREF || sink != NULL;
}

void nm_output_set_hook(nm_output_hook fn)
{
    hook = fn;
}

/* print(...) as Lua's own, through tostring, ending with a newline. The line
 * is assembled first so that a redirection receives it in one piece. */
int nm_output_print(lua_State *L)
{
    int n = lua_gettop(L);
    luaL_Buffer b;
    lua_getglobal(L, "tostring");
    int tostring = lua_gettop(L);
    luaL_buffinit(L, &b);
    for (int i = 1; i <= n; i++) {
        if (i > 1)
            luaL_addchar(&b, '\t');
        lua_pushvalue(L, tostring);
        lua_pushvalue(L, i);
        lua_call(L, 1, 1);
        if (!lua_isstring(L, -1))
            return luaL_error(L, "'tostring' must return a string to 'print'");
        luaL_addvalue(&b);
    }
    luaL_addchar(&b, '\n');
    luaL_pushresult(&b);
    size_t len;
    const char *line = lua_tolstring(L, -1, &len);
    lua_State *outer = printing;
    printing = L;
    nm_output_write(line, len, true);
    printing = outer;
    return 0;
}

void nm_output_close(lua_State *L)
{
    nm_ref_clear(L, &redirect_ref);
    sink = NULL;
    printing = NULL;
    nm_task_cancel(&flush_task);
    nm_bytebuf_free(&pending);
}
