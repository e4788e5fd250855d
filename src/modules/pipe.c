/*
 * pipe.c — the `pipe` module of the 3.0 firmware (it has no 1.5 counterpart).
 *
 * Layout, as on the device (so that #p, p:nrec() and chunk boundaries match):
 *   p[1]      the pipe's write function (p:write finds it through __index)
 *   p[2..n]   chunks: userdata of 256 bytes with a start and an end offset
 * Writing fills the last chunk and adds chunks at the end; reading takes from
 * the first chunk and removes it once empty; unread fills the first chunk
 * from its front and adds chunks there.
 *
 * The reader callback. The write function and the reader task (a closure
 * posted with node.task's queue at the pipe's priority) share a small state.
 * A write posts the task unless one is pending or the callback is running.
 * When the callback returns true or nothing, the task is posted again while
 * the pipe holds data (the firmware source's own rule: never reposted when
 * empty); false ends the chain until the next write. After an error it runs
 * again only if something was written meanwhile, so a failing reader cannot
 * spin on old data. The firmware's code also posts a task from the first
 * write while the callback runs, and for a nil result keeps reposting even
 * when the pipe is empty; both only cost calls that find nothing to read
 * (README, compatibility).
 */
#include "modules/pipe.h"

#include <string.h>

#include "modules/node.h"
#include "runtime/luacall.h"
#include "runtime/modules.h"

#define PIPE_MT "pipe.pipe"
#define CHUNK_MT "pipe.chunk"
#define CHUNK_SIZE 256 /* the firmware's LUAL_BUFFERSIZE */

typedef struct chunk {
    int start, end; /* the unread bytes are buf[start..end) */
    char buf[CHUNK_SIZE];
} chunk;

/* Shared by a pipe's write function and its reader task (their upvalue 1). */
typedef struct reader_state {
    int prio;     /* node.task priority; -1: the pipe has no reader */
    bool running; /* the callback is running */
    bool posted;  /* the reader task is queued */
    bool written; /* written to since the callback last started */
} reader_state;

/* The upvalues of the write function and of the reader task. */
#define UV_STATE lua_upvalueindex(1)
#define UV_PIPE lua_upvalueindex(2)
#define UV_TASK lua_upvalueindex(3) /* write function: the reader task */
#define UV_FN lua_upvalueindex(3)   /* reader task: the script's callback */

static int absolute(lua_State *L, int index)
{
    return index < 0 && index > LUA_REGISTRYINDEX ? lua_gettop(L) + index + 1 : index;
}

/* ---- the chunk table ------------------------------------------------------ */

static bool is_pipe(lua_State *L, int index)
{
    if (!lua_istable(L, index) || !lua_getmetatable(L, index))
        return false;
    luaL_getmetatable(L, PIPE_MT);
    bool same = lua_rawequal(L, -1, -2);
    lua_pop(L, 2);
    return same;
}

static void check_pipe(lua_State *L, int index)
{
    if (!is_pipe(L, index))
        luaL_argerror(L, index, "pipe table");
}

static int chunk_count(lua_State *L, int p)
{
    return (int)lua_rawlen(L, p) - 1;
}

/* The chunk in slot i; it stays valid while it is in the table. A slot the
 * script overwrote makes the table no pipe any more. */
static chunk *chunk_at(lua_State *L, int p, int i)
{
    lua_rawgeti(L, p, i);
    chunk *c = luaL_testudata(L, -1, CHUNK_MT);
    lua_pop(L, 1);
    if (c == NULL)
        luaL_argerror(L, 1, "pipe table");
    return c;
}

/* A new empty chunk in slot i, whose bytes will sit at offset `at`. */
static chunk *chunk_new(lua_State *L, int p, int i, int at)
{
    chunk *c = lua_newuserdata(L, sizeof(*c));
    c->start = c->end = at;
    luaL_setmetatable(L, CHUNK_MT);
    lua_rawseti(L, p, i);
    return c;
}

static int chunk_used(const chunk *c)
{
    return c->end - c->start;
}

/* Moves the slots from..n one up, leaving slot `from` to be overwritten. */
static void slots_up(lua_State *L, int p, int from)
{
    for (int i = (int)lua_rawlen(L, p); i >= from; i--) {
        lua_rawgeti(L, p, i);
        lua_rawseti(L, p, i + 1);
    }
}

static void remove_first_chunk(lua_State *L, int p)
{
    int n = (int)lua_rawlen(L, p);
    for (int i = 2; i < n; i++) {
        lua_rawgeti(L, p, i + 1);
        lua_rawseti(L, p, i);
    }
    lua_pushnil(L);
    lua_rawseti(L, p, n);
}

static void append(lua_State *L, int p, const char *s, size_t len)
{
    while (len > 0) {
        int n = (int)lua_rawlen(L, p);
        chunk *c = n > 1 ? chunk_at(L, p, n) : NULL;
        if (c == NULL || chunk_used(c) == CHUNK_SIZE) {
            c = chunk_new(L, p, n + 1, 0);
        } else if ((size_t)(CHUNK_SIZE - c->end) < len) { /* room only if moved to the front */
            memmove(c->buf, c->buf + c->start, (size_t)chunk_used(c));
            c->end -= c->start;
            c->start = 0;
        }
        size_t take = (size_t)(CHUNK_SIZE - c->end) < len ? (size_t)(CHUNK_SIZE - c->end) : len;
        memcpy(c->buf + c->end, s, take);
        c->end += (int)take;
        s += take;
        len -= take;
    }
}

/* Puts s back in front of the pipe, its last bytes first. */
static void prepend(lua_State *L, int p, const char *s, size_t len)
{
    while (len > 0) {
        chunk *c = chunk_count(L, p) > 0 ? chunk_at(L, p, 2) : NULL;
        if (c == NULL) {
            c = chunk_new(L, p, 2, CHUNK_SIZE);
        } else if (chunk_used(c) == CHUNK_SIZE) {
            slots_up(L, p, 2);
            c = chunk_new(L, p, 2, CHUNK_SIZE);
        } else if ((size_t)c->start < len) { /* room only if moved to the back */
            int used = chunk_used(c);
            memmove(c->buf + CHUNK_SIZE - used, c->buf + c->start, (size_t)used);
            c->start = CHUNK_SIZE - used;
            c->end = CHUNK_SIZE;
        }
        size_t take = (size_t)c->start < len ? (size_t)c->start : len;
        memcpy(c->buf + c->start - take, s + len - take, take);
        c->start -= (int)take;
        len -= take;
    }
}

/* ---- reading ---------------------------------------------------------------- */

/* What one read takes: a byte count, or up to a delimiter (kept or not). */
typedef struct read_spec {
    size_t size; /* 0: by delimiter */
    char delim;
    bool keep_delim;
} read_spec;

/* A number n > 0, a one-character delimiter with an optional "+", or nil for "\n". */
static read_spec check_read_spec(lua_State *L, int index)
{
    read_spec spec = {0, '\n', false};
    if (lua_type(L, index) == LUA_TNUMBER) {
        lua_Integer n = luaL_checkinteger(L, index);
        luaL_argcheck(L, n > 0, index, "invalid chunk size");
        spec.size = (size_t)n;
    } else if (!lua_isnoneornil(L, index)) {
        size_t len = 0;
        const char *s = lua_tolstring(L, index, &len);
        spec.keep_delim = len == 2 && s[1] == '+';
        luaL_argcheck(L, s != NULL && len == (spec.keep_delim ? 2u : 1u), index, "invalid delimiter");
        spec.delim = s[0];
    }
    return spec;
}

/* Pushes the next record of the pipe at p, or nil when it is empty. A record
 * short of its size or delimiter is still returned: it empties the pipe. */
static void read_record(lua_State *L, int p, read_spec spec)
{
    if (chunk_count(L, p) == 0) {
        lua_pushnil(L);
        return;
    }
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    size_t want = spec.size;
    bool done = false;
    while (!done && chunk_count(L, p) > 0) {
        chunk *c = chunk_at(L, p, 2);
        const char *from = c->buf + c->start;
        size_t avail = (size_t)chunk_used(c), used = avail, keep = avail;
        if (spec.size == 0) {
            const char *hit = memchr(from, spec.delim, avail);
            if (hit != NULL) {
                used = (size_t)(hit - from) + 1;
                keep = spec.keep_delim ? used : used - 1;
                done = true;
            }
        } else {
            used = keep = want < avail ? want : avail;
            want -= used;
            done = want == 0;
        }
        luaL_addlstring(&b, from, keep);
        c->start += (int)used;
        if (c->start == c->end)
            remove_first_chunk(L, p);
    }
    luaL_pushresult(&b);
}

static int pipe_read(lua_State *L)
{
    check_pipe(L, 1);
    read_spec spec = check_read_spec(L, 2);
    read_record(L, 1, spec);
    return 1;
}

/* An iterator over the pipe's records: upvalues the pipe and the read argument. */
static int reader_next(lua_State *L)
{
    read_record(L, lua_upvalueindex(1), check_read_spec(L, lua_upvalueindex(2)));
    return 1;
}

static int pipe_reader(lua_State *L)
{
    check_pipe(L, 1);
    lua_settop(L, 2);
    check_read_spec(L, 2);
    lua_pushcclosure(L, reader_next, 2);
    return 1;
}

/* The string argument of write and unread; numbers are taken as their text. */
static const char *check_text(lua_State *L, int index, size_t *len)
{
    const char *s = lua_type(L, index) == LUA_TSTRING || lua_type(L, index) == LUA_TNUMBER
                        ? lua_tolstring(L, index, len)
                        : NULL;
    if (s == NULL)
        luaL_argerror(L, index, "must be a string");
    return s;
}

static int pipe_unread(lua_State *L)
{
    check_pipe(L, 1);
    size_t len;
    const char *s = check_text(L, 2, &len);
    prepend(L, 1, s, len);
    return 0;
}

static int pipe_nrec(lua_State *L)
{
    check_pipe(L, 1);
    lua_pushinteger(L, chunk_count(L, 1));
    return 1;
}

/* ---- writing and the reader task ----------------------------------------- */

/* Posts the reader task on top of the stack (popped). */
static bool post_reader(lua_State *L, reader_state *r)
{
    r->posted = node_post_task(L, r->prio);
    return r->posted;
}

/* p:write(s), the function in p[1] (upvalues: state, pipe, reader task). */
static int pipe_write(lua_State *L)
{
    luaL_argcheck(L, lua_rawequal(L, 1, UV_PIPE), 1, "pipe table");
    size_t len;
    const char *s = check_text(L, 2, &len);
    if (len == 0)
        return 0;
    append(L, 1, s, len);
    reader_state *r = lua_touserdata(L, UV_STATE);
    if (r->prio >= 0) {
        r->written = true;
        lua_pushvalue(L, UV_TASK);
        if (!r->running && !r->posted && !post_reader(L, r))
            return luaL_error(L, "Task queue overflow. Task not posted");
    }
    return 0;
}

enum { VERDICT_ERROR = -2, VERDICT_NONE = -1, VERDICT_FALSE = 0, VERDICT_TRUE = 1 };

/* Calls fn(pipe) and records whether it returned a boolean (args: fn, pipe, verdict*). */
static int call_reader(lua_State *L)
{
    int *verdict = lua_touserdata(L, 3);
    lua_settop(L, 2);
    lua_call(L, 1, 1);
    *verdict = lua_isboolean(L, -1) ? lua_toboolean(L, -1) : VERDICT_NONE;
    return 0;
}

/* The reader task (upvalues: state, pipe, callback): runs the callback
 * through the one protected call, then decides on reposting. The task itself
 * must not fail, or the state would stay "running" and the reader dead. */
static int reader_task(lua_State *L)
{
    reader_state *r = lua_touserdata(L, UV_STATE);
    int verdict = VERDICT_ERROR; /* until call_reader returns */
    r->posted = false;
    r->running = true;
    r->written = false;
    lua_pushcfunction(L, call_reader);
    lua_pushvalue(L, UV_FN);
    lua_pushvalue(L, UV_PIPE);
    lua_pushlightuserdata(L, &verdict);
    nm_lua_call(L, 3);
    r->running = false;
    bool repost = verdict == VERDICT_ERROR   ? r->written
                  : verdict == VERDICT_FALSE ? false
                                             : chunk_count(L, UV_PIPE) > 0;
    if (repost && !r->posted) {
        /* This closure, found as the write function's upvalue (p[1]). */
        lua_rawgeti(L, UV_PIPE, 1);
        lua_getupvalue(L, -1, 3);
        post_reader(L, r);
    }
    return 0;
}

void pipe_append(lua_State *L, int index, const char *text, size_t len)
{
    index = absolute(L, index);
    lua_rawgeti(L, index, 1);
    lua_pushvalue(L, index);
    lua_pushlstring(L, text, len);
    lua_call(L, 2, 0);
}

/* ---- metamethods and the module -------------------------------------------- */

/* p.write is p[1]; the other methods come from the table in the upvalue. */
static int pipe_index(lua_State *L)
{
    if (lua_type(L, 2) == LUA_TSTRING && strcmp(lua_tostring(L, 2), "write") == 0) {
        lua_rawgeti(L, 1, 1);
        return 1;
    }
    lua_pushvalue(L, 2);
    lua_rawget(L, lua_upvalueindex(1));
    return 1;
}

/* #p is the table's length (chunks + 1), #p[i] the bytes chunk i holds. */
static int pipe_len(lua_State *L)
{
    if (lua_istable(L, 1))
        lua_pushinteger(L, (lua_Integer)lua_rawlen(L, 1));
    else
        lua_pushinteger(L, chunk_used(luaL_checkudata(L, 1, CHUNK_MT)));
    return 1;
}

static int pipe_tostring(lua_State *L)
{
    if (lua_istable(L, 1)) {
        lua_pushfstring(L, "Pipe: %p", lua_topointer(L, 1));
    } else {
        chunk *c = luaL_checkudata(L, 1, CHUNK_MT);
        lua_pushlstring(L, c->buf + c->start, (size_t)chunk_used(c));
    }
    return 1;
}

static const luaL_Reg pipe_methods[] = {
    {"read", pipe_read}, {"reader", pipe_reader}, {"unread", pipe_unread},
    {"nrec", pipe_nrec}, {"__len", pipe_len},     {"__tostring", pipe_tostring},
    {NULL, NULL},
};

static void register_types(lua_State *L)
{
    if (luaL_newmetatable(L, PIPE_MT)) {
        lua_pushnil(L);
        lua_setfield(L, -2, "__name");
        luaL_newlib(L, pipe_methods);
        lua_pushcclosure(L, pipe_index, 1);
        lua_setfield(L, -2, "__index");
        lua_pushcfunction(L, pipe_len);
        lua_setfield(L, -2, "__len");
        lua_pushcfunction(L, pipe_tostring);
        lua_setfield(L, -2, "__tostring");
    }
    lua_pop(L, 1);
    if (luaL_newmetatable(L, CHUNK_MT)) {
        lua_pushnil(L);
        lua_setfield(L, -2, "__name");
        lua_pushcfunction(L, pipe_len);
        lua_setfield(L, -2, "__len");
        lua_pushcfunction(L, pipe_tostring);
        lua_setfield(L, -2, "__tostring");
    }
    lua_pop(L, 1);
}

void pipe_push_new(lua_State *L, int fn_index, int prio)
{
    fn_index = fn_index ? absolute(L, fn_index) : 0;
    register_types(L);
    lua_createtable(L, 1, 0);
    int p = lua_gettop(L);
    luaL_setmetatable(L, PIPE_MT);

    reader_state *r = lua_newuserdata(L, sizeof(*r));
    *r = (reader_state){.prio = fn_index ? prio : -1};
    int state = lua_gettop(L);
    lua_pushvalue(L, state);
    lua_pushvalue(L, p);
    if (fn_index)
        lua_pushvalue(L, fn_index);
    else
        lua_pushnil(L);
    lua_pushcclosure(L, reader_task, 3);
    int task = lua_gettop(L);

    lua_pushvalue(L, state);
    lua_pushvalue(L, p);
    lua_pushvalue(L, task);
    lua_pushcclosure(L, pipe_write, 3);
    lua_rawseti(L, p, 1);
    lua_settop(L, p);
}

/* pipe.create([fn[, priority]]) */
static int pipe_create(lua_State *L)
{
    lua_settop(L, 2);
    if (lua_isnil(L, 1)) {
        pipe_push_new(L, 0, 0);
        return 1;
    }
    luaL_checktype(L, 1, LUA_TFUNCTION);
    lua_Integer prio = NM_TASK_MEDIUM;
    if (!lua_isnil(L, 2)) {
        prio = luaL_checkinteger(L, 2);
        luaL_argcheck(L, prio >= NM_TASK_LOW && prio <= NM_TASK_HIGH, 2, "invalid priority");
    }
    pipe_push_new(L, 1, (int)prio);
    return 1;
}

int luaopen_pipe(lua_State *L)
{
    register_types(L);
    lua_newtable(L);
    lua_pushcfunction(L, pipe_create);
    lua_setfield(L, -2, "create");
    return 1;
}

/* require "net.pipe" finds this in net.so (Lua's all-in-one loader). */
int luaopen_net_pipe(lua_State *L)
{
    return nm_require_board_module(L, "pipe");
}
