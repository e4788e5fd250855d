/*
 * repl.c — the line interpreter.
 */
#include "runtime/repl.h"

#include <stdlib.h>
#include <string.h>

#include "core/bytebuf.h"
#include "core/loop.h"
#include "runtime/interrupt.h"
#include "runtime/luacall.h"
#include "runtime/output.h"
#include "runtime/profile.h"

static nm_bytebuf chunk; /* the lines of an incomplete chunk */
static nm_bytebuf input; /* node.input text not yet run */
static nm_task input_task;

/* Error reports of typed chunks: before 3.0 the firmware writes them with
 * dbg_printf straight to UART0 (1.5.4.1-final, 2.2.1: app/lua/lua.c
 * l_message), past node.output's function and whatever serial_debug says, so
 * a telnet client never sees them. 3.0 prints them (app/lua53/lua.c dojob). */
static void write_error(const char *s)
{
    if (nm_since(NM_ERA_3_0))
        nm_output_write(s, strlen(s), true);
    else
        nm_output_device(s, strlen(s));
}

/* Prints the values left above base through the global print, as lua.c does. */
static void print_results(lua_State *L, int base)
{
    int n = lua_gettop(L) - base;
    if (n == 0)
        return;
    lua_getglobal(L, "print");
    lua_insert(L, base + 1);
    if (lua_pcall(L, n, 0, 0) != LUA_OK) {
        write_error(lua_tostring(L, -1) ? lua_tostring(L, -1) : "error calling 'print'");
        write_error("\n");
    }
}

/* Compiles and runs the chunk; false when it is incomplete. */
static bool run_chunk(lua_State *L, const char *code, size_t len)
{
    int base = lua_gettop(L);
    int status = luaL_loadbuffer(L, code, len, "=stdin");
    if (status == LUA_ERRSYNTAX && nm_incomplete_chunk(lua_tostring(L, -1))) {
        lua_settop(L, base);
        return false;
    }
    if (status == LUA_OK) {
        nm_lua_push_traceback(L);
        lua_insert(L, base + 1);
        status = lua_pcall(L, 0, LUA_MULTRET, base + 1);
        lua_remove(L, base + 1);
    }
    if (status == LUA_OK) {
        print_results(L, base);
    } else if (nm_interrupted() != NM_INTERRUPT_NONE) {
        /* The run stops or the board resets: not an error of the chunk's. */
    } else if (nm_since(NM_ERA_3_0)) {
        /* 3.0 prints the error through print, after a label. */
        lua_pushliteral(L, "Lua error: ");
        lua_insert(L, -2);
        print_results(L, lua_gettop(L) - 2);
    } else {
        const char *msg = lua_tostring(L, -1);
        write_error(msg ? msg : "(error object is not a string)");
        write_error("\n");
    }
    lua_settop(L, base);
    return true;
}

void nm_repl_line(lua_State *L, const char *line, size_t len)
{
    if (chunk.len == 0 && len > 0 && line[0] == '=') {
        nm_bytebuf_append(&chunk, "return ", 7);
        line++, len--;
    }
    nm_bytebuf_append(&chunk, line, len);
    if (run_chunk(L, chunk.data, chunk.len))
        chunk.len = 0;
    else
        nm_bytebuf_append(&chunk, "\n", 1);
}

bool nm_repl_continuing(void)
{
    return chunk.len > 0;
}

void nm_repl_reset(void)
{
    chunk.len = 0;
}

static void run_line(lua_State *L, const char *line, size_t len)
{
    if (len > 0 && line[len - 1] == '\r')
        len--;
    nm_repl_line(L, line, len);
    const char *prompt = nm_repl_continuing() ? ">> " : "> ";
    nm_output_write(prompt, strlen(prompt), false);
}

/* Runs the complete lines of node.input's text; a partial line waits for
 * the rest, as in later firmware. */
static void run_input(nm_task *task)
{
    (void)task;
    lua_State *L = nm_lua_state();
    if (L == NULL)
        return;
    /* Take the text out first: a line may call node.input again. */
    nm_bytebuf lines = input;
    input = (nm_bytebuf){0};
    size_t start = 0;
    for (size_t i = 0; i < lines.len; i++) {
        if (lines.data[i] == '\n') {
            run_line(L, lines.data + start, i - start);
            start = i + 1;
        }
    }
    if (start < lines.len) {
        /* Keep the partial line ahead of any text queued meanwhile. */
        nm_bytebuf rest = {0};
        nm_bytebuf_append(&rest, lines.data + start, lines.len - start);
        if (input.len > 0)
            nm_bytebuf_append(&rest, input.data, input.len);
        nm_bytebuf_free(&input);
        input = rest;
    }
    nm_bytebuf_free(&lines);
}

void nm_repl_input(const char *text, size_t len)
{
    if (len == 0 || !nm_bytebuf_append(&input, text, len))
        return;
    /* The seed firmware runs each node.input() string as a line of its own. */
    if (!nm_since(NM_ERA_3_0) && text[len - 1] != '\n')
        nm_bytebuf_append(&input, "\n", 1);
    nm_task_post(&input_task, run_input);
}

void nm_repl_close(void)
{
    nm_task_cancel(&input_task);
    nm_bytebuf_free(&chunk);
    nm_bytebuf_free(&input);
}
