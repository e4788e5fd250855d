/*
 * input.c — console input as the firmware's UART input driver takes it.
 */
#include "runtime/input.h"

#include <string.h>

#include "core/bytebuf.h"
#include "runtime/luacall.h"
#include "runtime/output.h"
#include "runtime/profile.h"
#include "runtime/repl.h"

/* The firmware's input buffer (LUA_MAXINPUT): the longest held piece, and one
 * more than the longest typed line. */
#define PIECE_MAX 256

static int receiver = LUA_NOREF; /* the uart.on("data") function */
static bool run_input = true, echo = true;
static nm_input_split split = {0, -1};
static nm_bytebuf line; /* the line being typed, or the held piece */
static char last_end;   /* the line end just seen, to join CR LF and LF CR */

static const char *current_prompt(lua_State *L)
{
    bool first = !nm_repl_continuing();
    lua_getglobal(L, first ? "_PROMPT" : "_PROMPT2");
    const char *p = lua_tostring(L, -1);
    lua_pop(L, 1); /* the string stays alive: it is a global's value */
    return p ? p : first ? "> " : ">> ";
}

void nm_input_prompt(void)
{
    lua_State *L = nm_lua_state();
    if (L == NULL)
        return;
    const char *p = current_prompt(L);
    nm_output_write(p, strlen(p), true);
}

/* Hands bytes to the uart.on function, through the one protected call. */
static void deliver(const char *bytes, size_t len)
{
    lua_State *L = nm_lua_state();
    if (L == NULL || receiver == LUA_NOREF)
        return;
    nm_ref_push(L, receiver);
    lua_pushlstring(L, bytes, len);
    nm_lua_call(L, 1);
}

/* A line ends: the uart.on function sees it first (1.5 skips empty
 * lines), then the interpreter runs it. */
static void line_done(const char *text, size_t len)
{
    if (len > 0 || nm_since(NM_ERA_3_0))
        deliver(text, len);
    lua_State *L = nm_lua_state();
    if (L != NULL && len > 0)
        nm_repl_line(L, text, len);
}

/* ---- held input (run_input 0) -------------------------------------------- */

static void deliver_piece(void)
{
    /* The function may change the mode or send more input: take the piece out first. */
    nm_bytebuf piece = line;
    line = (nm_bytebuf){0};
    deliver(piece.data, piece.len);
    nm_bytebuf_free(&piece);
}

static bool piece_done(char ch)
{
    if (line.len >= PIECE_MAX)
        return true;
    if (!nm_since(NM_ERA_3_0))
        return (split.data_len != 0 && line.len >= (size_t)split.data_len) ||
               (split.end_char >= 0 && (unsigned char)ch == (unsigned char)split.end_char);
    if (split.data_len >= 0)
        return line.len >= (size_t)split.data_len;
    return ch == (char)split.end_char;
}

static void held_byte(char ch)
{
    if (receiver == LUA_NOREF)
        return; /* 3.0 drops held input without a function; 1.5 cannot get here */
    nm_bytebuf_append(&line, &ch, 1);
    if (piece_done(ch))
        deliver_piece();
}

/* 1.5 hands over what a read brought when no length or end character is set. */
static void held_batch_end(void)
{
    if (!run_input && !nm_since(NM_ERA_3_0) && line.len > 0 && split.data_len == 0 && split.end_char < 0)
        deliver_piece();
}

/* ---- running input ------------------------------------------------------- */

static void echo_text(const char *text, size_t len)
{
    if (echo)
        nm_output_device(text, len);
}

static void typed_byte(char ch)
{
    if ((ch == '\r' && last_end == '\n') || (ch == '\n' && last_end == '\r')) {
        last_end = 0;
        return;
    }
    last_end = 0;
    if (ch == 0x7f || ch == 0x08) {
        if (line.len > 0) {
            echo_text("\b \b", 3);
            line.len--;
        }
        return;
    }
    if (ch == '\r' || ch == '\n') {
        last_end = ch;
        echo_text("\n", 1);
        nm_bytebuf typed = line;
        line = (nm_bytebuf){0};
        line_done(typed.data ? typed.data : "", typed.len);
        bool empty = typed.len == 0;
        nm_bytebuf_free(&typed);
        if (empty && nm_since(NM_ERA_3_0)) {
            /* 3.0 writes this prompt straight to the UART, past node.output. */
            lua_State *L = nm_lua_state();
            const char *p = L ? current_prompt(L) : "> ";
            nm_output_device(p, strlen(p));
        } else {
            nm_input_prompt();
        }
        return;
    }
    echo_text(&ch, 1);
    /* The firmware's buffer: a byte that would leave no room for the line end
     * drops what was typed, and the line starts over with it (still echoed). */
    if (line.len + 1 >= PIECE_MAX)
        line.len = 0;
    nm_bytebuf_append(&line, &ch, 1);
}

void nm_input_bytes(const char *bytes, size_t len)
{
    for (size_t i = 0; i < len && nm_lua_state() != NULL; i++) {
        if (run_input)
            typed_byte(bytes[i]);
        else
            held_byte(bytes[i]);
    }
    held_batch_end();
}

void nm_input_line(const char *text, size_t len)
{
    if (run_input) {
        line_done(text, len);
        return;
    }
    for (size_t i = 0; i < len; i++)
        held_byte(text[i]);
    held_byte('\n');
    held_batch_end();
}

/* ---- uart.on and uart.setup ---------------------------------------------- */

void nm_input_receive(lua_State *L, int fn_index, nm_input_split how, bool run)
{
    if (fn_index != 0) {
        nm_ref_set(L, &receiver, fn_index);
    } else {
        nm_ref_clear(L, &receiver);
        run = true;
    }
    /* A piece or line in progress carries over, as in the firmware's buffer. */
    split = how;
    run_input = run;
}

void nm_input_set_echo(bool on)
{
    echo = on;
}

bool nm_input_running(void)
{
    return run_input;
}

void nm_input_close(lua_State *L)
{
    nm_ref_clear(L, &receiver);
    nm_bytebuf_free(&line);
    run_input = echo = true;
    split = (nm_input_split){0, -1};
    last_end = 0;
}
