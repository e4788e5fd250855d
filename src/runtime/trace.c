/*
 * trace.c — the call and event trace and the anchored report (trace.h).
 */
#include "runtime/trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timer.h"

#define MADE_KEY "netmcu.trace.made" /* registry: weak object -> "SEQ\tNAME\tWHERE" */
#define ARG_MAX 6                    /* arguments shown per line */
#define STRING_MAX 40                /* bytes of a string argument shown */

/* The modules a trace can name, in the order of the bits of `traced`. */
static const char *const module_names[] = {"adc",  "bit",  "control", "crypto", "encoder", "file",    "gpio",
                                           "http", "mqtt", "net",     "node",   "pipe",    "rtctime", "sjson",
                                           "sntp", "tls",  "tmr",     "uart",   "wifi",    NULL};
/* The objects the report follows, the method that tells whether one is still
 * anchored, and what that method's first result means. */
static const struct anchored_type {
    const char *tname, *method, *state;
} anchored_types[] = {
    {"net.server", "getaddr", "listening"}, {"net.socket", "getpeer", "connected"},
    {"tls.socket", "getpeer", "connected"}, {"net.udpsocket", "getaddr", "bound"},
    {"tmr.timer", "state", "registered"},   {"file.obj", "seek", "open"},
};
#define N_ANCHORED (sizeof anchored_types / sizeof anchored_types[0])

static unsigned traced;     /* bit i: module_names[i] prints its calls and events */
static bool report_chosen;  /* the anchored report */
static bool reporting;      /* inside the report: the methods it calls print nothing */
static unsigned made_count; /* creation order of remembered objects */

static int abs_index(lua_State *L, int idx)
{
    return idx > 0 || idx <= LUA_REGISTRYINDEX ? idx : lua_gettop(L) + idx + 1;
}

static int module_index(const char *name, size_t len)
{
    for (int i = 0; module_names[i] != NULL; i++) {
        if (strlen(module_names[i]) == len && memcmp(module_names[i], name, len) == 0)
            return i;
    }
    return -1;
}

bool nm_trace_select(const char *list, const char **bad)
{
    for (const char *p = list; *p != '\0';) {
        size_t len = strcspn(p, ",");
        int i = module_index(p, len);
        if (i >= 0)
            traced |= 1u << i;
        else if (len == 3 && memcmp(p, "all", 3) == 0)
            traced = ~0u;
        else if (len == 6 && memcmp(p, "report", 6) == 0)
            report_chosen = true;
        else if (len > 0) {
            *bad = p;
            return false;
        }
        p += len + (p[len] == ',');
    }
    return true;
}

/* "source:line" of the innermost Lua function calling us (C frames skipped). */
static void caller_line(lua_State *L, char *out, size_t size)
{
    lua_Debug ar;
    for (int level = 1; lua_getstack(L, level, &ar); level++) {
        if (lua_getinfo(L, "Sl", &ar) && ar.currentline > 0) {
            snprintf(out, size, "%s:%d", ar.short_src, ar.currentline);
            return;
        }
    }
    snprintf(out, size, "-");
}

/* The name of the report type of the value at idx, or NULL. */
static const struct anchored_type *anchored_type_of(lua_State *L, int idx)
{
    if (lua_type(L, idx) != LUA_TUSERDATA || !lua_getmetatable(L, idx))
        return NULL;
    const struct anchored_type *found = NULL;
    for (size_t i = 0; i < N_ANCHORED && found == NULL; i++) {
        lua_getfield(L, LUA_REGISTRYINDEX, anchored_types[i].tname);
        if (lua_rawequal(L, -1, -2))
            found = &anchored_types[i];
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return found;
}

/* One argument as the trace shows it: numbers and booleans as Lua prints
 * them, strings quoted (escaped, cut at STRING_MAX), other values by type. */
static void add_value(lua_State *L, int idx, luaL_Buffer *b)
{
    const struct anchored_type *t;
    switch (lua_type(L, idx)) {
    case LUA_TNUMBER:
    case LUA_TBOOLEAN:
    case LUA_TNIL:
        lua_getglobal(L, "tostring");
        lua_pushvalue(L, idx);
        lua_call(L, 1, 1);
        luaL_addvalue(b);
        return;
    case LUA_TSTRING: {
        size_t len;
        const char *s = lua_tolstring(L, idx, &len);
        luaL_addchar(b, '"');
        for (size_t i = 0; i < len && i < STRING_MAX; i++) {
            unsigned char c = (unsigned char)s[i];
            char esc[8];
            if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
                snprintf(esc, sizeof esc, "\\%u", c);
                luaL_addstring(b, esc);
            } else {
                luaL_addchar(b, (char)c);
            }
        }
        luaL_addchar(b, '"');
        if (len > STRING_MAX) {
            lua_pushfstring(L, "...(%d bytes)", (int)len);
            luaL_addvalue(b);
        }
        return;
    }
    default: t = anchored_type_of(L, idx); luaL_addstring(b, t ? t->tname : luaL_typename(L, idx));
    }
}

/* Prints one trace line for the values at first..last. */
static void emit(lua_State *L, int module, const char *kind, const char *name, int first, int last, const char *where)
{
    if (reporting)
        return;
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (int i = first; i <= last && i < first + ARG_MAX; i++) {
        if (i > first)
            luaL_addstring(&b, ", ");
        add_value(L, i, &b);
    }
    if (last - first + 1 > ARG_MAX)
        luaL_addstring(&b, ", ...");
    luaL_pushresult(&b);
    uint64_t us = nm_uptime_us();
    fprintf(stderr, "trace\t%llu.%06llu\t%s\t%s\t%s\t%s\t%s\n", (unsigned long long)(us / 1000000),
            (unsigned long long)(us % 1000000), module_names[module], kind, name, lua_tostring(L, -1), where);
    lua_pop(L, 1);
}

/* Remembers a report object at idx, made by `name` at `where`, unless known. */
static void remember(lua_State *L, int idx, const char *name, const char *where)
{
    if (!report_chosen || anchored_type_of(L, idx) == NULL)
        return;
    idx = abs_index(L, idx);
    lua_getfield(L, LUA_REGISTRYINDEX, MADE_KEY);
    lua_pushvalue(L, idx);
    lua_rawget(L, -2);
    bool known = !lua_isnil(L, -1);
    lua_pop(L, 1);
    if (!known) {
        lua_pushvalue(L, idx);
        lua_pushfstring(L, "%d\t%s\t%s", (int)++made_count, name, where);
        lua_rawset(L, -3);
    }
    lua_pop(L, 1);
}

/* Upvalues of both wrappers: the function, its name, the module, whether it
 * prints, and (callbacks only) where it was handed over. */
enum { UP_FN = 1, UP_NAME, UP_MODULE, UP_PRINT, UP_WHERE };

static int traced_callback(lua_State *L)
{
    int n = lua_gettop(L);
    const char *name = lua_tostring(L, lua_upvalueindex(UP_NAME));
    const char *where = lua_tostring(L, lua_upvalueindex(UP_WHERE));
    int module = (int)lua_tointeger(L, lua_upvalueindex(UP_MODULE));
    if (lua_toboolean(L, lua_upvalueindex(UP_PRINT)))
        emit(L, module, "event", name, 1, n, where);
    for (int i = 1; i <= n; i++)
        remember(L, i, name, where); /* an accepted connection: made where listen was called */
    lua_pushvalue(L, lua_upvalueindex(UP_FN));
    lua_insert(L, 1);
    lua_call(L, n, LUA_MULTRET);
    return lua_gettop(L);
}

/* The event's name: the function's, and the event a string argument names
 * ("net.socket:on(receive)"). */
static void push_event_name(lua_State *L, const char *name, int n)
{
    for (int i = 1; i <= n; i++) {
        if (lua_type(L, i) == LUA_TSTRING) {
            lua_pushfstring(L, "%s(%s)", name, lua_tostring(L, i));
            return;
        }
    }
    lua_pushstring(L, name);
}

/* The function's error, as the script would see it without the trace: called
 * from here, its luaL_error finds no script line to prefix, Lua cannot name it
 * ("bad argument #1 to '?'") nor count a method's arguments from its self.
 * `as_method`: the script called us with ':'. */
static int raise_as_untraced(lua_State *L, const char *name, bool as_method)
{
    int arg;
    if (lua_type(L, -1) != LUA_TSTRING)
        return lua_error(L);
    const char *msg = lua_tostring(L, -1);
    luaL_where(L, 1); /* the script's line, as the function's own luaL_error would give it */
    const char *where = lua_tostring(L, -1);
    if (sscanf(msg, "bad argument #%d to '?'", &arg) == 1) {
        const char *rest = strstr(msg, "'?'") + 3;
        const char *cut = strrchr(name, ':') ? strrchr(name, ':') : strrchr(name, '.');
        const char *shortname = cut ? cut + 1 : name;
        if (as_method && arg == 1)
            lua_pushfstring(L, "%scalling '%s' on bad self%s", where, shortname, rest);
        else
            lua_pushfstring(L, "%sbad argument #%d to '%s'%s", where, as_method ? arg - 1 : arg, shortname, rest);
    } else if (strncmp(msg, where, strlen(where)) != 0) {
        lua_pushfstring(L, "%s%s", where, msg);
    } else {
        lua_pushvalue(L, -2);
    }
    return lua_error(L);
}

/* True when the running C function was called with ':' (obj:method()). */
static bool called_as_method(lua_State *L)
{
    lua_Debug ar;
    return lua_getstack(L, 0, &ar) && lua_getinfo(L, "n", &ar) && ar.namewhat != NULL &&
           strcmp(ar.namewhat, "method") == 0;
}

static int traced_call(lua_State *L)
{
    int n = lua_gettop(L);
    const char *name = lua_tostring(L, lua_upvalueindex(UP_NAME));
    int module = (int)lua_tointeger(L, lua_upvalueindex(UP_MODULE));
    bool print = lua_toboolean(L, lua_upvalueindex(UP_PRINT));
    bool as_method = called_as_method(L);
    char where[256];
    caller_line(L, where, sizeof where);
    if (print)
        emit(L, module, "call", name, 1, n, where);
    for (int i = 1; i <= n; i++) {
        if (!lua_isfunction(L, i))
            continue;
        lua_pushvalue(L, i);
        push_event_name(L, name, n);
        lua_pushinteger(L, module);
        lua_pushboolean(L, print);
        lua_pushstring(L, where);
        lua_pushcclosure(L, traced_callback, 5);
        lua_replace(L, i);
    }
    lua_pushvalue(L, lua_upvalueindex(UP_FN));
    lua_insert(L, 1);
    if (lua_pcall(L, n, LUA_MULTRET, 0) != 0)
        return raise_as_untraced(L, name, as_method);
    int results = lua_gettop(L);
    for (int i = 1; i <= results; i++)
        remember(L, i, name, where);
    return results;
}

/* Wraps every function of the table at idx, naming each PREFIX SEP KEY;
 * nested tables (wifi.sta, net.dns) too, `depth` levels down. */
static void wrap_table(lua_State *L, int idx, const char *prefix, const char *sep, int module, bool print, int depth)
{
    idx = abs_index(L, idx);
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        if (lua_type(L, -2) == LUA_TSTRING && lua_isfunction(L, -1)) {
            lua_pushvalue(L, -2); /* key */
            lua_pushvalue(L, -2); /* fn */
            lua_pushfstring(L, "%s%s%s", prefix, sep, lua_tostring(L, -2));
            lua_pushinteger(L, module);
            lua_pushboolean(L, print);
            lua_pushcclosure(L, traced_call, 4);
            lua_rawset(L, idx); /* replacing an existing key's value keeps lua_next valid */
        } else if (lua_type(L, -2) == LUA_TSTRING && lua_istable(L, -1) && depth > 0) {
            lua_pushfstring(L, "%s%s%s", prefix, sep, lua_tostring(L, -2));
            wrap_table(L, -2, lua_tostring(L, -1), ".", module, print, depth - 1);
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
}

/* The methods of the objects of module m: the __index tables of the
 * metatables registered as "MODULE.something". */
static void wrap_methods(lua_State *L, int m, bool print)
{
    size_t len = strlen(module_names[m]);
    lua_pushnil(L);
    while (lua_next(L, LUA_REGISTRYINDEX)) {
        const char *key = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
        if (key != NULL && strncmp(key, module_names[m], len) == 0 && key[len] == '.' && lua_istable(L, -1)) {
            lua_getfield(L, -1, "__index");
            if (lua_istable(L, -1))
                wrap_table(L, -1, key, ":", m, print, 0);
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
}

void nm_trace_install(lua_State *L)
{
    if (traced == 0 && !report_chosen)
        return;
    if (report_chosen) {
        lua_newtable(L);
        lua_newtable(L);
        lua_pushliteral(L, "k");
        lua_setfield(L, -2, "__mode");
        lua_setmetatable(L, -2);
        lua_setfield(L, LUA_REGISTRYINDEX, MADE_KEY);
    }
    for (int m = 0; module_names[m] != NULL; m++) {
        bool print = (traced >> m) & 1u;
        /* the report needs the modules that make its objects, printing or not */
        bool makes = strcmp(module_names[m], "net") == 0 || strcmp(module_names[m], "tmr") == 0 ||
                     strcmp(module_names[m], "file") == 0 || strcmp(module_names[m], "tls") == 0;
        if (!print && !(report_chosen && makes))
            continue;
        lua_getglobal(L, module_names[m]);
        if (lua_istable(L, -1)) {
            wrap_table(L, -1, module_names[m], ".", m, print, 2);
            wrap_methods(L, m, print);
        }
        lua_pop(L, 1);
    }
}

/* One report line for the remembered object at obj, when its type's method
 * says it is still anchored. */
static void report_one(lua_State *L, int obj, const char *info)
{
    const struct anchored_type *t = anchored_type_of(L, obj);
    if (t == NULL || !lua_getmetatable(L, obj))
        return;
    lua_getfield(L, -1, "__index");
    lua_getfield(L, -1, t->method);
    lua_pushvalue(L, obj);
    int results = lua_gettop(L) - 1; /* where the two results (or the error) land */
    if (lua_pcall(L, 1, 2, 0) == 0 && !lua_isnil(L, results)) {
        luaL_Buffer b;
        luaL_buffinit(L, &b);
        luaL_addstring(&b, t->state);
        for (int i = results; i <= results + 1; i++) {
            int type = lua_type(L, i);
            if (type == LUA_TNUMBER || type == LUA_TSTRING || type == LUA_TBOOLEAN) {
                luaL_addchar(&b, ' ');
                add_value(L, i, &b);
            }
        }
        luaL_pushresult(&b);
        const char *tab = strchr(info, '\t'); /* after the sequence number */
        fprintf(stderr, "anchored\t%s\t%s\t%s\n", t->tname, lua_tostring(L, -1), tab ? tab + 1 : info);
        lua_pop(L, 1);
    }
    lua_settop(L, results - 3); /* the metatable and __index too */
}

/* Orders the remembered objects by creation, so the report reads as the script. */
static int by_sequence(lua_State *L)
{
    lua_rawgeti(L, 1, 2);
    lua_rawgeti(L, 2, 2);
    lua_pushboolean(L, atoi(lua_tostring(L, -2)) < atoi(lua_tostring(L, -1)));
    return 1;
}

void nm_trace_report(lua_State *L)
{
    if (!report_chosen)
        return;
    int top = lua_gettop(L);
    lua_getfield(L, LUA_REGISTRYINDEX, MADE_KEY);
    if (!lua_istable(L, -1)) {
        lua_settop(L, top);
        return;
    }
    int made = lua_gettop(L);
    lua_newtable(L); /* {{object, info}, ...} */
    int list = made + 1, n = 0;
    lua_pushnil(L);
    while (lua_next(L, made)) {
        lua_createtable(L, 2, 0);
        lua_pushvalue(L, -3);
        lua_rawseti(L, -2, 1);
        lua_pushvalue(L, -2);
        lua_rawseti(L, -2, 2);
        lua_rawseti(L, list, ++n);
        lua_pop(L, 1);
    }
    lua_getglobal(L, "table");
    lua_getfield(L, -1, "sort");
    lua_pushvalue(L, list);
    lua_pushcfunction(L, by_sequence);
    bool sorted = lua_pcall(L, 2, 0, 0) == 0;
    lua_settop(L, list);
    reporting = true;
    for (int i = 1; sorted && i <= n; i++) {
        lua_rawgeti(L, list, i);
        lua_rawgeti(L, -1, 1);
        lua_rawgeti(L, -2, 2);
        report_one(L, lua_gettop(L) - 1, lua_tostring(L, -1));
        lua_settop(L, list);
    }
    reporting = false;
    lua_settop(L, top);
}
