/*
 * encode.c — Lua values to JSON text on yajl's generator (encode.h).
 */
#include "modules/json/encode.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <yajl/yajl_gen.h>

#include "core/bytebuf.h"
#include "runtime/profile.h"

#define ONESHOT_TYPE "netmcu.json.encoder"
#define INLINE_FRAMES 32
/* yajl's generator nests at most YAJL_MAX_DEPTH (128) levels; a deeper
 * table is written by a generator of its own every GEN_SPAN levels, whose
 * finished text the outer one takes as a raw value. */
#define GEN_SPAN 100
#define GEN_LEVELS (NM_JSON_CJSON_MAX_DEPTH / GEN_SPAN + 1)
/* sjson calls a function found in the data, and again while it returns
 * functions, at most this many times. */
#define FUNCTION_CALLS 10

/* Slots of a streaming encoder's uservalue table. */
enum { UV_ROOT = 1, UV_NULL, UV_THREAD };

typedef struct enc_frame {
    lua_Integer size, index; /* array: its length and the element reached */
    bool is_array;
    bool own_gen; /* this table opened a generator of its own */
} enc_frame;

typedef struct encoder {
    yajl_gen gen; /* the generator in use: gens[ngens - 1] */
    yajl_gen gens[GEN_LEVELS];
    int ngens;
    nm_bytebuf out; /* streaming: text written and not yet read */
    nm_json_dialect dialect;
    int depth, max_depth;
    int base;     /* stack slot below the first open table (during a run) */
    int null_idx; /* stack slot of sjson's null string (during a run), 0: none */
    bool started, failed;
    enc_frame *frames;
    int frames_cap;
    enc_frame inline_frames[INLINE_FRAMES];
} encoder;

/* Raises the dialect's text for a value that cannot be written. */
static int refuse(lua_State *L, encoder *e, int idx, const char *reason)
{
    if (e->dialect == NM_JSON_CJSON)
        return luaL_error(L, "Cannot serialise %s: %s", luaL_typename(L, idx), reason);
    return luaL_error(L, "Cannot encode type %d", lua_type(L, idx));
}

static int refuse_depth(lua_State *L, encoder *e)
{
    if (e->dialect == NM_JSON_CJSON)
        return luaL_error(L, "Cannot serialise, excessive nesting (%d)", e->depth + 1);
    return luaL_error(L, "encoder stack overflow");
}

/* Checks what yajl said about the last piece written. */
static void check_gen(lua_State *L, encoder *e, yajl_gen_status st)
{
    if (st == yajl_max_depth_exceeded)
        refuse_depth(L, e);
    else if (st != yajl_gen_status_ok)
        luaL_error(L, "JSON generator error %d", (int)st);
}

/* A whole number below 10^14 prints the same under %.14g and %.19g: its
 * digits, no exponent. Writing them here skips printf's floating-point
 * conversion, twenty times the cost, for what most documents' numbers are
 * (counts, ids, readings in whole units). -0 is left to printf ("-0"). */
static bool is_small_whole(double v)
{
    return v > -1e14 && v < 1e14 && v == (double)(long long)v && !(v == 0 && signbit(v));
}

static int format_whole(double v, char *buf)
{
    char digits[16];
    unsigned long long u = (unsigned long long)(v < 0 ? -v : v);
    int n = 0, len = 0;
    do {
        digits[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    if (v < 0)
        buf[len++] = '-';
    while (n > 0)
        buf[len++] = digits[--n];
    buf[len] = '\0';
    return len;
}

/* The text of the number at idx. Integers (5.3 on) are written as such;
 * other numbers as each firmware writes them: cjson and 2.2's sjson with
 * Lua's %.14g, 3.0's sjson with %.19g (every digit of the double). */
static int format_number(lua_State *L, encoder *e, int idx, char *buf, size_t size)
{
#if NM_LUA_INTEGERS
    if (lua_isinteger(L, idx))
        return snprintf(buf, size, LUA_INTEGER_FMT, (LUA_INTEGER)lua_tointeger(L, idx));
#endif
    double v = (double)lua_tonumber(L, idx);
    if (is_small_whole(v))
        return format_whole(v, buf);
    if (e->dialect == NM_JSON_SJSON && nm_since(NM_ERA_3_0))
        return snprintf(buf, size, "%.19g", v);
    return snprintf(buf, size, "%.14g", v);
}

/* Writes the number at idx; false for NaN and infinities (nothing written). */
static bool write_number(lua_State *L, encoder *e, int idx)
{
    double v = (double)lua_tonumber(L, idx);
    if (isnan(v) || isinf(v))
        return false;
    char buf[64];
    int n = format_number(L, e, idx, buf, sizeof buf);
    check_gen(L, e, yajl_gen_number(e->gen, buf, (size_t)n));
    return true;
}

static void write_string(lua_State *L, encoder *e, int idx)
{
    size_t len;
    const char *s = lua_tolstring(L, idx, &len);
    check_gen(L, e, yajl_gen_string(e->gen, (const unsigned char *)s, len));
}

static void write_null(lua_State *L, encoder *e)
{
    check_gen(L, e, yajl_gen_null(e->gen));
}

/* A value that is not a table. */
static void write_scalar(lua_State *L, encoder *e, int idx)
{
    switch (lua_type(L, idx)) {
    case LUA_TSTRING:
        if (e->null_idx && lua_rawequal(L, idx, e->null_idx))
            write_null(L, e);
        else
            write_string(L, e, idx);
        break;
    case LUA_TNUMBER:
        if (!write_number(L, e, idx)) {
            if (e->dialect == NM_JSON_CJSON)
                refuse(L, e, idx, "must not be NaN or Infinity");
            write_null(L, e); /* sjson: as ECMA-262's JSON.stringify */
        }
        break;
    case LUA_TBOOLEAN: check_gen(L, e, yajl_gen_bool(e->gen, lua_toboolean(L, idx))); break;
    case LUA_TNIL: write_null(L, e); break;
    case LUA_TLIGHTUSERDATA:
        if (e->dialect == NM_JSON_SJSON || lua_touserdata(L, idx) == NULL) {
            write_null(L, e); /* cjson.null, sjson.NULL */
            break;
        }
        refuse(L, e, idx, "type not supported");
        break;
    case LUA_TUSERDATA:
        if (e->dialect == NM_JSON_SJSON) { /* the sjson docs: any userdata is null */
            write_null(L, e);
            break;
        }
        refuse(L, e, idx, "type not supported");
        break;
    default: refuse(L, e, idx, "type not supported");
    }
}

/* lua-cjson's test on the table on top: its length when every key is a
 * whole number >= 1, else -1; a sparse one is refused. */
static lua_Integer cjson_array_length(lua_State *L, encoder *e)
{
    lua_Integer max = 0, items = 0;
    lua_pushnil(L);
    while (lua_next(L, -2) != 0) {
        if (lua_type(L, -2) == LUA_TNUMBER) {
            double k = (double)lua_tonumber(L, -2);
            if (k >= 1 && floor(k) == k) {
                if (k > (double)max)
                    max = (lua_Integer)k;
                items++;
                lua_pop(L, 1);
                continue;
            }
        }
        lua_pop(L, 2);
        return -1;
    }
    /* lua-cjson's defaults: encode_sparse_ratio 2, encode_sparse_safe 10, no conversion */
    if (max > items * 2 && max > 10)
        refuse(L, e, -1, "excessively sparse array");
    return max;
}

/* sjson's test on the table on top: the largest key when every key is a
 * whole number >= 1 (0 for an empty table, written as []), else -1. */
static lua_Integer sjson_array_size(lua_State *L)
{
    lua_Integer max = 0;
    lua_pushnil(L);
    while (lua_next(L, -2) != 0) {
        lua_pop(L, 1);
        if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) <= 0) {
            lua_pop(L, 1);
            return -1;
        }
        if (lua_tointeger(L, -1) > max)
            max = lua_tointeger(L, -1);
    }
    return max;
}

static void push_frame(lua_State *L, encoder *e, bool is_array, lua_Integer size)
{
    if (e->depth == e->frames_cap) {
        int cap = e->frames_cap * 2;
        enc_frame *bigger = malloc((size_t)cap * sizeof *bigger);
        if (bigger == NULL)
            luaL_error(L, "not enough memory");
        memcpy(bigger, e->frames, (size_t)e->depth * sizeof *bigger);
        if (e->frames != e->inline_frames)
            free(e->frames);
        e->frames = bigger;
        e->frames_cap = cap;
    }
    e->frames[e->depth++] = (enc_frame){.size = size, .index = 0, .is_array = is_array};
}

static yajl_gen new_gen(encoder *e)
{
    yajl_gen gen = yajl_gen_alloc(NULL);
    /* lua-cjson writes "/" as "\/"; sjson leaves it. */
    if (gen != NULL && e->dialect == NM_JSON_CJSON)
        yajl_gen_config(gen, yajl_gen_escape_solidus, 1);
    return gen;
}

/* A table GEN_SPAN levels below the last generator's first gets its own. */
static bool push_gen(lua_State *L, encoder *e)
{
    if (e->depth == 0 || e->depth % GEN_SPAN != 0)
        return false;
    yajl_gen gen = new_gen(e);
    if (gen == NULL)
        luaL_error(L, "not enough memory");
    e->gen = e->gens[e->ngens++] = gen;
    return true;
}

/* The inner generator's text becomes one value of the outer one. */
static void pop_gen(lua_State *L, encoder *e)
{
    const unsigned char *text;
    size_t len;
    yajl_gen inner = e->gens[--e->ngens];
    e->gen = e->gens[e->ngens - 1];
    yajl_gen_get_buf(inner, &text, &len);
    yajl_gen_status st = yajl_gen_number(e->gen, (const char *)text, len);
    yajl_gen_free(inner);
    check_gen(L, e, st);
}

/* The table on top opens: it stays there, with its key slot above it. */
static void open_table(lua_State *L, encoder *e)
{
    if (e->depth >= e->max_depth || !lua_checkstack(L, 8))
        refuse_depth(L, e);
    lua_Integer size = e->dialect == NM_JSON_CJSON ? cjson_array_length(L, e) : sjson_array_size(L);
    bool is_array = e->dialect == NM_JSON_CJSON ? size > 0 : size >= 0;
    bool own_gen = push_gen(L, e);
    check_gen(L, e, is_array ? yajl_gen_array_open(e->gen) : yajl_gen_map_open(e->gen));
    push_frame(L, e, is_array, size);
    e->frames[e->depth - 1].own_gen = own_gen;
    lua_pushnil(L);
}

/* Writes the value on top and pops it (a table stays, opened). */
static void write_value(lua_State *L, encoder *e)
{
    if (e->dialect == NM_JSON_SJSON)
        for (int n = FUNCTION_CALLS; n > 0 && lua_isfunction(L, -1); n--)
            lua_call(L, 0, 1);
    if (lua_istable(L, -1)) {
        open_table(L, e);
        return;
    }
    write_scalar(L, e, -1);
    lua_pop(L, 1);
}

/* The key on top, as an object's key. */
static void write_key(lua_State *L, encoder *e)
{
    int t = lua_type(L, -1);
    if (t == LUA_TSTRING) {
        write_string(L, e, -1);
    } else if (t == LUA_TNUMBER && e->dialect == NM_JSON_CJSON) {
        char buf[64];
        double v = (double)lua_tonumber(L, -1);
        if (isnan(v) || isinf(v))
            refuse(L, e, -1, "must not be NaN or Infinity");
        int n = format_number(L, e, -1, buf, sizeof buf);
        check_gen(L, e, yajl_gen_string(e->gen, (const unsigned char *)buf, (size_t)n));
    } else if (t == LUA_TNUMBER) {
        lua_pushvalue(L, -1); /* a copy: tostring must not change the key next() needs */
        write_string(L, e, -1);
        lua_pop(L, 1);
    } else {
        refuse(L, e, -1, "table key must be a number or string");
    }
}

static void close_table(lua_State *L, encoder *e, bool is_array)
{
    check_gen(L, e, is_array ? yajl_gen_array_close(e->gen) : yajl_gen_map_close(e->gen));
    lua_pop(L, 2);
    e->depth--;
    if (e->frames[e->depth].own_gen)
        pop_gen(L, e);
}

/* One step of the walk: the next element of the innermost open table, or its end. */
static void step(lua_State *L, encoder *e)
{
    enc_frame *f = &e->frames[e->depth - 1];
    int table = e->base + 2 * e->depth - 1, key = table + 1;
    if (f->is_array) {
        if (f->index >= f->size) {
            close_table(L, e, true);
            return;
        }
        lua_rawgeti(L, table, (int)++f->index);
        write_value(L, e);
        return;
    }
    lua_pushvalue(L, key);
    if (!lua_next(L, table)) {
        close_table(L, e, false);
        return;
    }
    lua_pushvalue(L, -2);
    write_key(L, e);
    lua_replace(L, key);
    lua_remove(L, -2);
    write_value(L, e);
}

static int encoder_gc(lua_State *L)
{
    encoder *e = lua_touserdata(L, 1);
    while (e->ngens > 0)
        yajl_gen_free(e->gens[--e->ngens]);
    e->gen = NULL;
    nm_bytebuf_free(&e->out);
    if (e->frames != e->inline_frames)
        free(e->frames);
    e->frames = e->inline_frames;
    e->frames_cap = INLINE_FRAMES;
    return 0;
}

void nm_json_encoder_register(lua_State *L, const char *tname, const luaL_Reg *methods)
{
    static const luaL_Reg none[] = {{NULL, NULL}};
    nm_register_type(L, tname, methods ? methods : none, encoder_gc);
}

static int option_depth(lua_State *L, int opts)
{
    if (!opts)
        return NM_JSON_SJSON_DEPTH;
    lua_getfield(L, opts, "depth");
    int depth = (int)lua_tointeger(L, -1);
    lua_pop(L, 1);
    if (depth == 0)
        return NM_JSON_SJSON_DEPTH;
    return depth < 4 ? 4 : depth > 1000 ? 1000 : depth;
}

static encoder *new_encoder(lua_State *L, const char *tname, nm_json_dialect dialect, int opts)
{
    encoder *e = lua_newuserdata(L, sizeof *e);
    memset(e, 0, sizeof *e);
    e->dialect = dialect;
    e->frames = e->inline_frames;
    e->frames_cap = INLINE_FRAMES;
    e->max_depth = dialect == NM_JSON_CJSON ? NM_JSON_CJSON_MAX_DEPTH : option_depth(L, opts);
    luaL_getmetatable(L, tname);
    if (lua_isnil(L, -1)) { /* the one-shot type, registered on first use */
        lua_pop(L, 1);
        nm_json_encoder_register(L, tname, NULL);
        luaL_getmetatable(L, tname);
    }
    lua_setmetatable(L, -2);
    e->gen = new_gen(e);
    if (e->gen == NULL)
        luaL_error(L, "not enough memory");
    e->gens[e->ngens++] = e->gen;
    return e;
}

/* The text the outermost generator holds. */
static size_t gen_text(encoder *e, const char **text)
{
    const unsigned char *buf;
    size_t len;
    yajl_gen_get_buf(e->gens[0], &buf, &len);
    *text = (const char *)buf;
    return len;
}

/* Walks until want bytes are waiting or the text is complete. The outermost
 * generator keeps the text in its buffer; a streaming read moves it out. */
static void run(lua_State *L, encoder *e, size_t want)
{
    const char *text;
    if (want == SIZE_MAX) {
        while (e->depth > 0)
            step(L, e);
        return;
    }
    while (e->depth > 0 && e->out.len + gen_text(e, &text) < want)
        step(L, e);
    size_t len = gen_text(e, &text);
    if (!nm_bytebuf_append(&e->out, text, len))
        luaL_error(L, "not enough memory");
    yajl_gen_clear(e->gens[0]);
}

void nm_json_encode(lua_State *L, nm_json_dialect dialect, int value, int opts)
{
    value = nm_absindex(L, value);
    opts = opts ? nm_absindex(L, opts) : 0;
    encoder *e = new_encoder(L, ONESHOT_TYPE, dialect, opts);
    int ud = lua_gettop(L);
    if (opts) {
        lua_getfield(L, opts, "null");
        e->null_idx = lua_type(L, -1) == LUA_TSTRING ? lua_gettop(L) : 0;
    }
    e->base = lua_gettop(L);
    lua_pushvalue(L, value);
    write_value(L, e);
    run(L, e, SIZE_MAX);
    const char *text;
    size_t len = gen_text(e, &text);
    lua_pushlstring(L, text, len);
    lua_replace(L, ud);
    lua_settop(L, ud);
}

void nm_json_encoder_new(lua_State *L, const char *tname, int value, int opts)
{
    value = nm_absindex(L, value);
    opts = opts ? nm_absindex(L, opts) : 0;
    new_encoder(L, tname, NM_JSON_SJSON, opts);
    lua_createtable(L, 3, 0);
    lua_pushvalue(L, value);
    lua_rawseti(L, -2, UV_ROOT);
    if (opts) {
        lua_getfield(L, opts, "null");
        lua_rawseti(L, -2, UV_NULL);
    }
    lua_newthread(L);
    lua_rawseti(L, -2, UV_THREAD);
    lua_setuservalue(L, -2);
}

/* Moves n values between the walk's stack and the encoder's thread. */
static void move_slots(lua_State *L, lua_State *from, lua_State *to, int n)
{
    if (n > 0) {
        if (!lua_checkstack(to, n + LUA_MINSTACK))
            luaL_error(L, "not enough memory");
        lua_xmove(from, to, n);
    }
}

bool nm_json_encoder_read(lua_State *L, int ud, size_t size)
{
    ud = nm_absindex(L, ud);
    encoder *e = lua_touserdata(L, ud);
    if (e->failed)
        luaL_error(L, "encoder failed in a previous call");
    lua_getuservalue(L, ud);
    int uv = lua_gettop(L);
    lua_rawgeti(L, uv, UV_NULL);
    e->null_idx = lua_type(L, -1) == LUA_TSTRING ? lua_gettop(L) : 0;
    lua_rawgeti(L, uv, UV_THREAD);
    lua_State *T = lua_tothread(L, -1);
    e->base = lua_gettop(L);
    move_slots(L, T, L, lua_gettop(T));
    e->failed = true; /* until the walk returns: an error in it leaves it so */
    if (!e->started) {
        e->started = true;
        lua_rawgeti(L, uv, UV_ROOT);
        write_value(L, e);
    }
    run(L, e, size);
    e->failed = false;
    move_slots(L, L, T, lua_gettop(L) - e->base);
    lua_settop(L, uv - 1);
    if (e->out.len == 0)
        return false;
    size_t n = e->out.len < size ? e->out.len : size;
    lua_pushlstring(L, e->out.data, n);
    nm_bytebuf_consume(&e->out, n);
    return true;
}
