/*
 * decode.c — JSON text to Lua values on yajl (decode.h).
 *
 * During a feed the stack of the calling state holds, above `base`, one
 * slot per open container (its table) and, inside an object, the key whose
 * value is awaited. A container is put into its parent when it opens, as the
 * firmware's sjson does, so a `__newindex` sees the parent's entry before the
 * children's; a scalar when it is complete. Between two feeds of a streaming
 * decoder those slots wait on the decoder's own thread (lua_xmove).
 */
#include "modules/json/decode.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

/* Slots of the decoder's uservalue table (sjson only). */
enum { UV_NULL = 1, UV_METATABLE, UV_PATH, UV_THREAD, UV_RESULT };

#define INLINE_FRAMES 32

typedef struct frame {
    lua_Integer count; /* array: elements so far */
    bool is_map;
} frame;

typedef struct decoder {
    yajl_handle parser;
    lua_State *L; /* the state of the feed in progress */
    nm_json_dialect dialect;
    int depth, max_depth;
    int base;                       /* stack slot below the first container */
    int null_idx, mt_idx, path_idx; /* stack slots during a feed (0: none) */
    size_t fed;                     /* bytes of the chunks before this one */
    bool complete, failed, root_wanted;
    bool has_values; /* sjson with options or streaming: the uservalue table is set */
    char cancel[80]; /* why a callback stopped the parse */
    frame *frames;   /* inline or, when deeper, malloc'd */
    int frames_cap;
    frame inline_frames[INLINE_FRAMES];
} decoder;

static int cancel(decoder *d, const char *why)
{
    snprintf(d->cancel, sizeof d->cancel, "%s", why);
    return 0;
}

/* Puts the value on top into the open container below it (and its key), or
 * keeps it as the document when nothing is open. */
static int insert_value(decoder *d)
{
    lua_State *L = d->L;
    if (d->depth == 0) {
        if (d->dialect == NM_JSON_SJSON) {
            lua_pop(L, 1); /* as the firmware's: only an object or array completes a document */
            return 1;
        }
        d->complete = true;
        return 1;
    }
    frame *f = &d->frames[d->depth - 1];
    if (f->is_map) {
        if (d->mt_idx)
            lua_settable(L, -3);
        else
            lua_rawset(L, -3);
    } else if (d->mt_idx) {
        lua_pushinteger(L, ++f->count);
        lua_insert(L, -2);
        lua_settable(L, -3);
    } else {
        lua_rawseti(L, -2, (int)++f->count);
    }
    return 1;
}

static bool grow_frames(decoder *d)
{
    int cap = d->frames_cap * 2;
    frame *bigger = malloc((size_t)cap * sizeof *bigger);
    if (bigger == NULL)
        return false;
    memcpy(bigger, d->frames, (size_t)d->depth * sizeof *bigger);
    if (d->frames != d->inline_frames)
        free(d->frames);
    d->frames = bigger;
    d->frames_cap = cap;
    return true;
}

/* sjson's checkpath(table, path): path lists the keys from the root down to
 * the new table, which is on top (its key, in an object, below it). */
static bool path_wants(decoder *d, lua_Integer index)
{
    lua_State *L = d->L;
    if (d->depth > 0) {
        if (d->frames[d->depth - 1].is_map)
            lua_pushvalue(L, -2);
        else
            lua_pushinteger(L, index);
        lua_rawseti(L, d->path_idx, d->depth);
    }
    lua_getfield(L, d->mt_idx, "checkpath");
    lua_pushvalue(L, -2);
    lua_pushvalue(L, d->path_idx);
    lua_call(L, 2, 1);
    bool wanted = lua_toboolean(L, -1);
    lua_pop(L, 1);
    return wanted;
}

/* Puts the new table (on top) into its parent now, keeping it on top. */
static void attach_container(decoder *d, lua_Integer index)
{
    lua_State *L = d->L;
    if (d->frames[d->depth - 1].is_map) { /* parent key new */
        lua_pushvalue(L, -2);
        lua_pushvalue(L, -2);
        if (d->mt_idx)
            lua_settable(L, -5);
        else
            lua_rawset(L, -5);
        lua_remove(L, -2);
    } else { /* parent new */
        lua_pushinteger(L, index);
        lua_pushvalue(L, -2);
        if (d->mt_idx)
            lua_settable(L, -4);
        else
            lua_rawset(L, -4);
    }
}

static int open_container(decoder *d, bool is_map)
{
    lua_State *L = d->L;
    if (d->depth >= d->max_depth || !lua_checkstack(L, 8)) {
        if (d->dialect == NM_JSON_SJSON)
            return cancel(d, "too deeply nested");
        snprintf(d->cancel, sizeof d->cancel, "Found too many nested data structures (%d)", d->depth + 1);
        return 0;
    }
    if (d->depth == d->frames_cap && !grow_frames(d))
        return cancel(d, "not enough memory");
    lua_Integer index = 0;
    if (d->depth > 0 && !d->frames[d->depth - 1].is_map)
        index = ++d->frames[d->depth - 1].count;
    lua_newtable(L);
    if (d->mt_idx) {
        lua_pushvalue(L, d->mt_idx);
        lua_setmetatable(L, -2);
    }
    bool wanted = d->path_idx == 0 || path_wants(d, index);
    if (d->depth == 0)
        d->root_wanted = wanted;
    else if (wanted)
        attach_container(d, index);
    else if (d->frames[d->depth - 1].is_map)
        lua_remove(L, -2); /* the key of the table nobody wants */
    d->frames[d->depth].is_map = is_map;
    d->frames[d->depth].count = 0;
    d->depth++;
    return 1;
}

static int close_container(decoder *d)
{
    if (d->path_idx) { /* the key below this table is no longer on the path */
        lua_pushnil(d->L);
        lua_rawseti(d->L, d->path_idx, d->depth);
    }
    d->depth--;
    if (d->depth > 0) {
        lua_pop(d->L, 1);
        return 1;
    }
    d->complete = true;
    if (!d->root_wanted) {
        lua_pop(d->L, 1);
        lua_pushnil(d->L);
    }
    return 1;
}

static int on_null(void *ctx)
{
    decoder *d = ctx;
    if (d->null_idx)
        lua_pushvalue(d->L, d->null_idx);
    else
        lua_pushlightuserdata(d->L, NULL);
    return insert_value(d);
}

static int on_boolean(void *ctx, int value)
{
    decoder *d = ctx;
    lua_pushboolean(d->L, value);
    return insert_value(d);
}

/* Whole numbers become integers where Lua has them and they fit; the rest
 * (and every number before 5.3) doubles, rounded by strtod. */
static void push_number_text(lua_State *L, const char *text, size_t len)
{
    char small[64];
    const char *s = text;
    if (len < sizeof small) {
        memcpy(small, text, len);
        small[len] = '\0';
        s = small;
    } else {
        lua_pushlstring(L, text, len); /* long digit strings: kept alive below the result */
        s = lua_tostring(L, -1);
    }
#if NM_LUA_INTEGERS
    if (strpbrk(s, ".eE") == NULL) {
        char *end;
        errno = 0;
        long long whole = strtoll(s, &end, 10);
        /* "-0" stays a double, as lua-cjson reads it: -0.0 */
        if (errno == 0 && *end == '\0' && !(whole == 0 && s[0] == '-')) {
            lua_pushinteger(L, (lua_Integer)whole);
            if (s != small)
                lua_remove(L, -2);
            return;
        }
    }
#endif
    lua_pushnumber(L, (lua_Number)strtod(s, NULL));
    if (s != small)
        lua_remove(L, -2);
}

static int on_number(void *ctx, const char *text, size_t len)
{
    decoder *d = ctx;
    push_number_text(d->L, text, len);
    return insert_value(d);
}

static int on_string(void *ctx, const unsigned char *text, size_t len)
{
    decoder *d = ctx;
    lua_pushlstring(d->L, (const char *)text, len);
    return insert_value(d);
}

static int on_map_key(void *ctx, const unsigned char *text, size_t len)
{
    decoder *d = ctx;
    lua_pushlstring(d->L, (const char *)text, len);
    return 1;
}

static int on_start_map(void *ctx)
{
    return open_container(ctx, true);
}

static int on_start_array(void *ctx)
{
    return open_container(ctx, false);
}

static int on_end(void *ctx)
{
    return close_container(ctx);
}

static const yajl_callbacks callbacks = {
    .yajl_null = on_null,
    .yajl_boolean = on_boolean,
    .yajl_number = on_number,
    .yajl_string = on_string,
    .yajl_start_map = on_start_map,
    .yajl_map_key = on_map_key,
    .yajl_end_map = on_end,
    .yajl_start_array = on_start_array,
    .yajl_end_array = on_end,
};

static int decoder_gc(lua_State *L)
{
    decoder *d = lua_touserdata(L, 1);
    if (d->parser != NULL)
        yajl_free(d->parser);
    d->parser = NULL;
    if (d->frames != d->inline_frames)
        free(d->frames);
    d->frames = d->inline_frames;
    d->frames_cap = INLINE_FRAMES;
    return 0;
}

void nm_json_decoder_register(lua_State *L, const char *tname, const luaL_Reg *methods)
{
    static const luaL_Reg none[] = {{NULL, NULL}};
    nm_register_type(L, tname, methods ? methods : none, decoder_gc);
}

/* sjson's depth option: 4 to 1000, 0 or absent for the default. */
static int option_depth(lua_State *L, int opts)
{
    lua_getfield(L, opts, "depth");
    int depth = (int)lua_tointeger(L, -1);
    lua_pop(L, 1);
    if (depth == 0)
        return NM_JSON_SJSON_DEPTH;
    return depth < 4 ? 4 : depth > 1000 ? 1000 : depth;
}

/* The uservalue of an sjson decoder: null value, metatable, the path table
 * when the metatable has checkpath; later the thread that keeps open tables
 * between feeds, and the finished document. */
static void set_sjson_values(lua_State *L, int ud, int opts)
{
    lua_createtable(L, 5, 0);
    if (opts) {
        lua_getfield(L, opts, "null"); /* a table without null: JSON null becomes nil */
        lua_rawseti(L, -2, UV_NULL);
        lua_getfield(L, opts, "metatable");
        if (lua_istable(L, -1)) {
            lua_getfield(L, -1, "checkpath");
            bool checkpath = !lua_isnil(L, -1);
            lua_pop(L, 1);
            if (checkpath) {
                lua_newtable(L);
                lua_rawseti(L, -3, UV_PATH);
            }
        }
        lua_rawseti(L, -2, UV_METATABLE);
    } else {
        lua_pushlightuserdata(L, NULL);
        lua_rawseti(L, -2, UV_NULL);
    }
    lua_setuservalue(L, ud);
}

void nm_json_decoder_new(lua_State *L, const char *tname, nm_json_dialect dialect, int opts, bool streaming)
{
    if (opts)
        opts = nm_absindex(L, opts);
    decoder *d = lua_newuserdata(L, sizeof *d);
    memset(d, 0, sizeof *d);
    d->dialect = dialect;
    d->frames = d->inline_frames;
    d->frames_cap = INLINE_FRAMES;
    d->root_wanted = true;
    d->max_depth = dialect == NM_JSON_CJSON ? NM_JSON_CJSON_MAX_DEPTH
                   : opts                   ? option_depth(L, opts)
                                            : NM_JSON_SJSON_DEPTH;
    luaL_setmetatable(L, tname);
    d->parser = yajl_alloc(&callbacks, NULL, d);
    if (d->parser == NULL)
        luaL_error(L, "not enough memory");
    /* Strings pass through byte for byte, as in both firmware parsers. */
    yajl_config(d->parser, yajl_dont_validate_strings, 1);
    /* sjson stops reading at the end of the document. */
    if (dialect == NM_JSON_SJSON) {
        yajl_config(d->parser, yajl_allow_trailing_garbage, 1);
        /* sjson.decode without options needs no Lua values of its own */
        d->has_values = streaming || opts;
        if (d->has_values)
            set_sjson_values(L, lua_gettop(L), opts);
    }
}

/* The reason yajl gives, without its "parse error: " prefix and full stop. */
static void push_parse_error(lua_State *L, decoder *d)
{
    if (d->cancel[0] != '\0') {
        lua_pushstring(L, d->cancel);
        return;
    }
    unsigned char *text = yajl_get_error(d->parser, 0, NULL, 0);
    const char *reason = text ? (const char *)text : "invalid JSON";
    const char *colon = strstr(reason, "error: ");
    if (colon != NULL)
        reason = colon + 7;
    size_t n = strcspn(reason, "\n");
    while (n > 0 && (reason[n - 1] == '.' || reason[n - 1] == ' '))
        n--;
    lua_pushlstring(L, reason, n);
    if (text)
        yajl_free_error(d->parser, text);
}

static int raise_parse_error(lua_State *L, decoder *d, size_t at)
{
    push_parse_error(L, d);
    const char *reason = lua_tostring(L, -1);
    if (d->dialect == NM_JSON_SJSON)
        return luaL_error(L, "JSON parse error: %s", reason);
    return luaL_error(L, "%s at character %d", reason, (int)at);
}

/* Brings the tables of an unfinished document back from the thread. */
static void unpark(lua_State *L, int thread_idx)
{
    lua_State *T = lua_tothread(L, thread_idx);
    int n = T ? lua_gettop(T) : 0;
    if (n > 0) {
        if (!lua_checkstack(L, n + LUA_MINSTACK))
            luaL_error(L, "not enough memory");
        lua_xmove(T, L, n);
    }
}

static void park(lua_State *L, int uv, int thread_idx, int base)
{
    int n = lua_gettop(L) - base;
    if (n > 0 && !lua_isthread(L, thread_idx)) { /* the first time anything waits */
        lua_newthread(L);
        lua_replace(L, thread_idx);
        lua_pushvalue(L, thread_idx);
        lua_rawseti(L, uv, UV_THREAD);
    }
    lua_State *T = lua_tothread(L, thread_idx);
    if (n > 0) {
        if (!lua_checkstack(T, n + LUA_MINSTACK))
            luaL_error(L, "not enough memory");
        lua_xmove(L, T, n);
    }
}

/* Sets the stack slots the callbacks use; returns the uservalue's slot (0 for cjson). */
static int prepare_slots(lua_State *L, decoder *d, int ud)
{
    d->null_idx = d->mt_idx = d->path_idx = 0;
    if (!d->has_values)
        return 0;
    lua_getuservalue(L, ud);
    int uv = lua_gettop(L);
    lua_rawgeti(L, uv, UV_NULL);
    d->null_idx = lua_gettop(L);
    lua_rawgeti(L, uv, UV_METATABLE);
    d->mt_idx = lua_istable(L, -1) ? lua_gettop(L) : 0;
    lua_rawgeti(L, uv, UV_PATH);
    d->path_idx = lua_istable(L, -1) ? lua_gettop(L) : 0;
    lua_rawgeti(L, uv, UV_THREAD);
    return uv;
}

bool nm_json_decoder_feed(lua_State *L, int ud, const char *text, size_t len, bool last)
{
    ud = nm_absindex(L, ud);
    decoder *d = lua_touserdata(L, ud);
    if (d->failed)
        luaL_error(L, "JSON parse error: previous call");
    if (d->complete)
        return nm_json_decoder_result(L, ud);
    /* The firmware's cjson tells UTF-16 and UTF-32 text by a NUL in the first two bytes. */
    if (d->dialect == NM_JSON_CJSON && len >= 2 && (text[0] == '\0' || text[1] == '\0'))
        luaL_error(L, "JSON parser does not support UTF-16 or UTF-32");
    int uv = prepare_slots(L, d, ud);
    int thread_idx = uv ? lua_gettop(L) : 0;
    d->base = lua_gettop(L);
    if (thread_idx)
        unpark(L, thread_idx);
    d->L = L;
    d->failed = true; /* until yajl returns: a Lua error in a callback leaves it so */
    yajl_status st = yajl_parse(d->parser, (const unsigned char *)text, len);
    size_t at = d->fed + yajl_get_bytes_consumed(d->parser);
    d->fed += len;
    if (st == yajl_status_ok && last && d->dialect == NM_JSON_CJSON) {
        st = yajl_complete_parse(d->parser); /* a number at the very end, or text missing */
        at = d->fed + 1;                     /* lua-cjson's place for the end of the text */
    }
    if (st != yajl_status_ok)
        raise_parse_error(L, d, at);
    if (!d->complete) {
        if (thread_idx && !last)
            park(L, uv, thread_idx, d->base);
        d->failed = false;
        lua_settop(L, uv ? uv - 1 : d->base);
        return false;
    }
    d->failed = false;
    if (uv) { /* keep the document for result(), and leave only it where the slots began */
        lua_pushvalue(L, d->base + 1);
        lua_rawseti(L, uv, UV_RESULT);
        lua_replace(L, uv);
        lua_settop(L, uv);
    }
    return true;
}

bool nm_json_decoder_result(lua_State *L, int ud)
{
    decoder *d = lua_touserdata(L, ud);
    if (!d->complete || !d->has_values)
        return false;
    lua_getuservalue(L, ud);
    lua_rawgeti(L, -1, UV_RESULT);
    lua_remove(L, -2);
    return true;
}
