/*
 * repl.c — the line interpreter.
 */
#include "lua/repl.h"

#include <stdlib.h>
#include <string.h>

#include "core/loop.h"
#include "lua/luacall.h"
#include "lua/output.h"
#include "lua/profile.h"

typedef struct text_buf {
    char *data;
    size_t len, cap;
} text_buf;

static text_buf chunk; /* the lines of an incomplete chunk */
static text_buf input; /* node.input text not yet run */
static nm_task input_task;

static bool buf_add(text_buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 128;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->data, cap);
        if (p == NULL)
            return false;
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
    return true;
}

static void buf_free(text_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

static void write_str(const char *s)
{
    nm_output_write(s, strlen(s), true);
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
        write_str(lua_tostring(L, -1) ? lua_tostring(L, -1) : "error calling 'print'");
        write_str("\n");
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
    } else {
        const char *msg = lua_tostring(L, -1);
        write_str(msg ? msg : "(error object is not a string)");
        write_str("\n");
    }
    lua_settop(L, base);
    return true;
}

void nm_repl_line(lua_State *L, const char *line, size_t len)
{
    if (chunk.len == 0 && len > 0 && line[0] == '=') {
        buf_add(&chunk, "return ", 7);
        line++, len--;
    }
    buf_add(&chunk, line, len);
    if (run_chunk(L, chunk.data, chunk.len))
        chunk.len = 0;
    else
        buf_add(&chunk, "\n", 1);
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
    text_buf todo = input;
    input = (text_buf){0};
    size_t start = 0;
    for (size_t i = 0; i < todo.len; i++) {
        if (todo.data[i] == '\n') {
            run_line(L, todo.data + start, i - start);
            start = i + 1;
        }
    }
    if (start < todo.len) {
        /* Keep the partial line ahead of any text queued meanwhile. */
        text_buf rest = {0};
        buf_add(&rest, todo.data + start, todo.len - start);
        if (input.len > 0)
            buf_add(&rest, input.data, input.len);
        buf_free(&input);
        input = rest;
    }
    buf_free(&todo);
}

void nm_repl_input(const char *text, size_t len)
{
    if (len == 0 || !buf_add(&input, text, len))
        return;
    /* The seed firmware runs each node.input() string as a line of its own. */
    if (!nm_modern() && text[len - 1] != '\n')
        buf_add(&input, "\n", 1);
    nm_task_post(&input_task, run_input);
}

void nm_repl_close(void)
{
    nm_task_cancel(&input_task);
    buf_free(&chunk);
    buf_free(&input);
}
