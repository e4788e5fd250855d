/*
 * file.c — the `file` module over the flash folder (core/flash.h).
 *
 * Both models of the firmware: the basic one, where file.read() and friends
 * work on the file opened last, and file objects, several open at once. The
 * 2.2 profile adds stat and list(pattern), reads lines in 1024-byte chunks,
 * and its read returns nil at the end where 1.5 returns nothing; 3.0 adds
 * getcontents and putcontents. Argument checks,
 * error texts and quiet failures (nil, false) follow app/modules/file.c of
 * each era; README.md lists where netmcu differs.
 */
#include <stdlib.h>
#include <string.h>

#include "core/flash.h"
#include "modules/file.h"
#include "runtime/loader.h"
#include "runtime/luacall.h"
#include "runtime/modules.h"
#include "runtime/output.h"
#include "runtime/profile.h"

#define FILE_MT "file.obj"
#define DEFAULT_KEY "netmcu.file.default" /* registry: the file opened last */
#define READ_CHUNK 1024                   /* FILE_READ_CHUNK */
#define READLINE_15 256                   /* LUAL_BUFFERSIZE of the 1.5 firmware */

typedef struct file_ud {
    nm_flash_file *f; /* NULL once closed */
} file_ud;

/* ---- names --------------------------------------------------------------- */

/* The firmware's check: the part after the last '/' (or ':') fits a SPIFFS
 * name and the string holds no NUL; `whole` checks all of it (file.stat). */
static const char *check_name(lua_State *L, int arg, bool whole)
{
    size_t len;
    const char *name = luaL_checklstring(L, arg, &len);
    const char *base = name;
    if (!whole) {
        const char *cut = strrchr(name, '/');
        if (cut == NULL)
            cut = strrchr(name, ':');
        if (cut != NULL)
            base = cut + 1;
    }
    luaL_argcheck(L, strlen(base) <= NM_FLASH_NAME_MAX && strlen(name) == len, arg, "filename invalid");
    return name;
}

const char *file_check_name(lua_State *L, int arg)
{
    return check_name(L, arg, false);
}

/* ---- the default file and file objects ----------------------------------- */

static void set_default(lua_State *L, int idx)
{
    lua_pushvalue(L, idx);
    lua_setfield(L, LUA_REGISTRYINDEX, DEFAULT_KEY);
}

static void forget_default(lua_State *L)
{
    lua_pushnil(L);
    lua_setfield(L, LUA_REGISTRYINDEX, DEFAULT_KEY);
}

static file_ud *default_file(lua_State *L)
{
    lua_getfield(L, LUA_REGISTRYINDEX, DEFAULT_KEY);
    file_ud *ud = luaL_testudata(L, -1, FILE_MT);
    lua_pop(L, 1);
    return ud;
}

/* The file a function works on: a file object as first argument (then its
 * own arguments start at 2), else the file opened last. */
static file_ud *target(lua_State *L, int *argpos)
{
    if (lua_type(L, 1) == LUA_TUSERDATA) {
        *argpos = 2;
        return luaL_checkudata(L, 1, FILE_MT);
    }
    *argpos = 1;
    return default_file(L);
}

static nm_flash_file *open_file(lua_State *L, file_ud *ud)
{
    if (ud == NULL || ud->f == NULL)
        luaL_error(L, "open a file first");
    return ud->f;
}

/* Opens name and pushes the file object (made the default) or nil. */
static void push_opened(lua_State *L, const char *name, const char *mode)
{
    int flags = nm_flash_mode_flags(mode);
    file_ud *ud = lua_newuserdata(L, sizeof *ud);
    ud->f = NULL;
    luaL_setmetatable(L, FILE_MT);
    ud->f = nm_flash_open(name, flags);
    if (ud->f == NULL && nm_flash_open_count() >= NM_FLASH_MAX_OPEN) {
        /* Files the script dropped without closing still count against the
         * device's four: its collector would have closed them by now. */
        lua_gc(L, LUA_GCCOLLECT, 0);
        ud->f = nm_flash_open(name, flags);
    }
    if (ud->f == NULL) {
        lua_pop(L, 1);
        lua_pushnil(L);
        return;
    }
    set_default(L, -1);
}

/* file.open(name[, mode]) */
static int file_open(lua_State *L)
{
    forget_default(L);
    const char *name = check_name(L, 1, false);
    const char *mode = luaL_optstring(L, 2, "r");
    push_opened(L, name, mode);
    return 1;
}

/* file.close() / obj:close() */
static int file_close(lua_State *L)
{
    file_ud *ud = lua_type(L, 1) == LUA_TUSERDATA ? luaL_checkudata(L, 1, FILE_MT) : default_file(L);
    if (ud != NULL && ud->f != NULL) {
        nm_flash_close(ud->f);
        ud->f = NULL;
    }
    if (ud == default_file(L))
        forget_default(L);
    return 0;
}

static int file_gc(lua_State *L)
{
    file_ud *ud = luaL_checkudata(L, 1, FILE_MT);
    if (ud->f != NULL) {
        nm_flash_close(ud->f);
        ud->f = NULL;
    }
    return 0;
}

/* ---- reading and writing ------------------------------------------------- */

/* Reads up to n bytes, stopping after end_char (-1: none), into a string on
 * the stack; returns the number of bytes. */
static size_t read_upto(lua_State *L, nm_flash_file *f, size_t n, int end_char)
{
    luaL_Buffer b;
    char chunk[512];
    size_t total = 0;
    luaL_buffinit(L, &b);
    while (total < n) {
        size_t want = n - total < sizeof chunk ? n - total : sizeof chunk;
        ssize_t got = nm_flash_read(f, chunk, want);
        if (got <= 0)
            break;
        size_t keep = (size_t)got;
        if (end_char >= 0) {
            char *hit = memchr(chunk, end_char, (size_t)got);
            if (hit != NULL) {
                keep = (size_t)(hit - chunk) + 1;
                nm_flash_seek(f, (int64_t)keep - got, SEEK_CUR, false);
            }
        }
        luaL_addlstring(&b, chunk, keep);
        total += keep;
        if (keep < want)
            break;
    }
    luaL_pushresult(&b);
    return total;
}

/* The firmware's end of a read: 1.5 returns nothing, 2.2 on nil, when no byte came. */
static int read_result(lua_State *L, size_t got)
{
    if (got > 0)
        return 1;
    lua_pop(L, 1);
    if (!nm_since(NM_ERA_2_2))
        return 0;
    lua_pushnil(L);
    return 1;
}

static int do_read(lua_State *L, file_ud *ud, lua_Integer n, int end_char)
{
    nm_flash_file *f = open_file(L, ud);
    if (nm_since(NM_ERA_3_0)) {
        /* 3.0 reads (int)(unsigned)n bytes: none for 0 or less, and says "". */
        if ((int)n <= 0) {
            lua_pushliteral(L, "");
            return 1;
        }
    } else if ((int)n <= 0) {
        n = READ_CHUNK;
    }
    return read_result(L, read_upto(L, f, (size_t)(int)n, end_char));
}

/* file.read([n_or_char]) / obj:read([n_or_char]) */
static int file_read(lua_State *L)
{
    int argpos;
    file_ud *ud = target(L, &argpos);
    lua_Integer n = READ_CHUNK;
    int end_char = -1;
    if (lua_type(L, argpos) == LUA_TNUMBER) {
        n = luaL_checkinteger(L, argpos);
    } else if (lua_isstring(L, argpos)) {
        size_t len;
        const char *end = luaL_checklstring(L, argpos, &len);
        if (len != 1)
            return luaL_error(L, "wrong arg range");
        end_char = (unsigned char)end[0];
    }
    return do_read(L, ud, n, end_char);
}

/* file.readline() / obj:readline() */
static int file_readline(lua_State *L)
{
    int argpos;
    file_ud *ud = target(L, &argpos);
    return do_read(L, ud, nm_since(NM_ERA_2_2) ? READ_CHUNK : READLINE_15, '\n');
}

static int write_text(lua_State *L, bool newline)
{
    int argpos;
    nm_flash_file *f = open_file(L, target(L, &argpos));
    size_t len;
    const char *s = luaL_checklstring(L, argpos, &len);
    bool ok = nm_flash_write(f, s, len) == (ssize_t)len;
    if (ok && newline)
        ok = nm_flash_write(f, "\n", 1) == 1;
    if (ok)
        lua_pushboolean(L, 1);
    else
        lua_pushnil(L);
    return 1;
}

/* file.write(s) / obj:write(s) */
static int file_write(lua_State *L)
{
    return write_text(L, false);
}

/* file.writeline(s) / obj:writeline(s) */
static int file_writeline(lua_State *L)
{
    return write_text(L, true);
}

/* file.seek([whence[, offset]]) / obj:seek(...) */
static int file_seek(lua_State *L)
{
    static const char *const names[] = {"set", "cur", "end", NULL};
    static const int whence[] = {SEEK_SET, SEEK_CUR, SEEK_END};
    int argpos;
    nm_flash_file *f = open_file(L, target(L, &argpos));
    int op = luaL_checkoption(L, argpos, "cur", names);
    lua_Integer offset = luaL_optinteger(L, argpos + 1, 0);
    int64_t pos = nm_flash_seek(f, offset, whence[op], nm_since(NM_ERA_2_2));
    if (pos < 0)
        lua_pushnil(L);
    else
        lua_pushinteger(L, (lua_Integer)pos);
    return 1;
}

/* file.flush() / obj:flush() */
static int file_flush(lua_State *L)
{
    int argpos;
    nm_flash_file *f = open_file(L, target(L, &argpos));
    if (nm_flash_flush(f) == 0)
        lua_pushboolean(L, 1);
    else
        lua_pushnil(L);
    return 1;
}

/* ---- the name space ------------------------------------------------------ */

typedef struct listing {
    struct entry {
        char name[NM_FLASH_NAME_MAX + 1];
        uint64_t size;
    } * items;
    size_t len, cap;
} listing;

static bool add_entry(const char *name, uint64_t size, void *arg)
{
    listing *l = arg;
    if (l->len == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 32;
        struct entry *p = realloc(l->items, cap * sizeof *p);
        if (p == NULL)
            return false;
        l->items = p;
        l->cap = cap;
    }
    strcpy(l->items[l->len].name, name);
    l->items[l->len++].size = size;
    return true;
}

/* Whether name matches the pattern at index 1, by string.match. */
static bool matches(lua_State *L, const char *name)
{
    lua_getglobal(L, "string");
    lua_getfield(L, -1, "match");
    lua_remove(L, -2);
    lua_pushstring(L, name);
    lua_pushvalue(L, 1);
    lua_call(L, 2, 1);
    bool hit = !lua_isnil(L, -1);
    lua_pop(L, 1);
    return hit;
}

/* file.list([pattern]) -> {name = size} */
static int file_list(lua_State *L)
{
    bool filter = false;
    if (nm_since(NM_ERA_2_2)) {
        lua_settop(L, 1);
        filter = luaL_optstring(L, 1, NULL) != NULL;
    }
    /* Gathered first: a pattern error must not leave the walk half done. */
    listing l = {0};
    nm_flash_list(add_entry, &l);
    lua_newtable(L);
    int table = lua_gettop(L);
    for (size_t i = 0; i < l.len; i++) {
        lua_pushinteger(L, (lua_Integer)l.items[i].size);
        lua_setfield(L, table, l.items[i].name);
    }
    free(l.items);
    if (filter) {
        lua_pushnil(L);
        while (lua_next(L, table)) {
            lua_pop(L, 1);
            if (!matches(L, lua_tostring(L, -1))) {
                lua_pushvalue(L, -1);
                lua_pushnil(L);
                lua_rawset(L, table);
            }
        }
    }
    return 1;
}

/* file.exists(name) */
static int file_exists(lua_State *L)
{
    const char *name = check_name(L, 1, false);
    lua_pushboolean(L, nm_flash_size(name) >= 0);
    return 1;
}

/* file.remove(name): quiet when there is nothing to remove */
static int file_remove(lua_State *L)
{
    nm_flash_remove(check_name(L, 1, false));
    return 0;
}

/* file.rename(old, new) -> boolean */
static int file_rename(lua_State *L)
{
    const char *oldname = check_name(L, 1, false);
    const char *newname = check_name(L, 2, false);
    lua_pushboolean(L, nm_flash_rename(oldname, newname) == 0);
    return 1;
}

/* file.format(): the open default file is closed first, as on the device.
 * A flash that is only the working directory is never wiped: that folder is
 * the user's, not a board's. */
static int file_format(lua_State *L)
{
    lua_settop(L, 0);
    file_close(L);
    if (!nm_flash_chosen())
        return luaL_error(L, "Failed to format file system (the flash is the working directory; "
                             "name a folder with --flash to format it)");
    if (nm_flash_format() != 0)
        return luaL_error(L, "Failed to format file system");
    nm_output_write("format done.\n", 13, true);
    return 0;
}

/* file.fsinfo() -> remaining, used, total */
static int file_fsinfo(lua_State *L)
{
    uint32_t total, used;
    nm_flash_info(&total, &used);
    lua_pushinteger(L, (lua_Integer)(total - used));
    lua_pushinteger(L, (lua_Integer)used);
    lua_pushinteger(L, (lua_Integer)total);
    return 3;
}

/* file.fscfg() -> flash address, size of the partition */
static int file_fscfg(lua_State *L)
{
    uint32_t addr, size;
    nm_flash_partition(&addr, &size);
    lua_pushinteger(L, (lua_Integer)addr);
    lua_pushinteger(L, (lua_Integer)size);
    return 2;
}

/* file.on("rtc", fn): the time stamp source of FAT volumes. SPIFFS keeps no
 * time stamps, so the function is kept but never asked. */
static int file_on(lua_State *L)
{
    static const char *const events[] = {"rtc", NULL};
    luaL_checkoption(L, 1, "rtc", events);
    if (lua_isfunction(L, 2)) {
        lua_pushvalue(L, 2);
    } else {
        if (nm_since(NM_ERA_3_0) && !lua_isnil(L, 2))
            return luaL_error(L, "Callback should be function or nil");
        lua_pushnil(L);
    }
    lua_setfield(L, LUA_REGISTRYINDEX, "netmcu.file.rtc");
    return 0;
}

/* ---- 2.2 and 3.0 additions ------------------------------------------------------- */

static void set_field_int(lua_State *L, const char *key, lua_Integer v)
{
    lua_pushinteger(L, v);
    lua_setfield(L, -2, key);
}

static void set_field_bool(lua_State *L, const char *key, bool v)
{
    lua_pushboolean(L, v);
    lua_setfield(L, -2, key);
}

/* file.stat(name) -> {size, name, is_dir, ..., time} or nil */
static int file_stat(lua_State *L)
{
    const char *name = check_name(L, 1, true);
    int64_t size = nm_flash_size(name);
    if (size < 0) {
        lua_pushnil(L);
        return 1;
    }
    lua_createtable(L, 0, 8);
    set_field_int(L, "size", (lua_Integer)size);
    lua_pushstring(L, strncmp(name, "/FLASH/", 7) == 0 ? name + 7 : name);
    lua_setfield(L, -2, "name");
    set_field_bool(L, "is_dir", false);
    set_field_bool(L, "is_rdonly", false);
    set_field_bool(L, "is_hidden", false);
    set_field_bool(L, "is_sys", false);
    set_field_bool(L, "is_arch", false);
    lua_createtable(L, 0, 6); /* SPIFFS keeps no time: the firmware's default */
    set_field_int(L, "year", 1970);
    set_field_int(L, "mon", 1);
    set_field_int(L, "day", 1);
    set_field_int(L, "hour", 0);
    set_field_int(L, "min", 0);
    set_field_int(L, "sec", 0);
    lua_setfield(L, -2, "time");
    return 1;
}

/* file.getcontents(name) -> string, or nothing when it cannot be opened (and
 * nil for an empty file, as the firmware's read loop gives). Like the
 * firmware, it leaves no default file behind. */
static int file_getcontents(lua_State *L)
{
    lua_settop(L, 1);
    forget_default(L);
    const char *name = check_name(L, 1, false);
    push_opened(L, name, "r");
    file_ud *ud = luaL_testudata(L, -1, FILE_MT);
    if (ud == NULL)
        return 0;
    forget_default(L);
    size_t got = read_upto(L, ud->f, (size_t)0x7FFFFFFF, -1);
    nm_flash_close(ud->f);
    ud->f = NULL;
    if (got == 0)
        lua_pushnil(L);
    return 1;
}

/* file.putcontents(name, data) -> true, or nil. The file is opened ("w+")
 * before the data is checked, as on the device. */
static int file_putcontents(lua_State *L)
{
    lua_settop(L, 2);
    forget_default(L);
    const char *name = check_name(L, 1, false);
    push_opened(L, name, "w+");
    file_ud *ud = luaL_testudata(L, -1, FILE_MT);
    if (ud == NULL)
        return 1;
    forget_default(L);
    size_t len;
    const char *s = luaL_checklstring(L, 2, &len);
    bool ok = nm_flash_write(ud->f, s, len) == (ssize_t)len;
    nm_flash_close(ud->f);
    ud->f = NULL;
    if (ok)
        lua_pushboolean(L, 1);
    else
        lua_pushnil(L);
    return 1;
}

/* ---- the module ---------------------------------------------------------- */

static const luaL_Reg object_methods[] = {
    {"close", file_close},         {"read", file_read}, {"readline", file_readline}, {"write", file_write},
    {"writeline", file_writeline}, {"seek", file_seek}, {"flush", file_flush},       {NULL, NULL},
};

static const luaL_Reg functions_15[] = {
    {"list", file_list},
    {"open", file_open},
    {"close", file_close},
    {"write", file_write},
    {"writeline", file_writeline},
    {"read", file_read},
    {"readline", file_readline},
    {"format", file_format},
    {"fscfg", file_fscfg},
    {"remove", file_remove},
    {"seek", file_seek},
    {"flush", file_flush},
    {"rename", file_rename},
    {"exists", file_exists},
    {"fsinfo", file_fsinfo},
    {"on", file_on},
    {NULL, NULL},
};

static const luaL_Reg functions_22[] = {
    {"stat", file_stat},
    {NULL, NULL},
};

static const luaL_Reg functions_30[] = {
    {"getcontents", file_getcontents},
    {"putcontents", file_putcontents},
    {NULL, NULL},
};

int luaopen_file(lua_State *L)
{
    nm_lua_init(L);
    nm_register_type(L, FILE_MT, object_methods, file_gc);

    nm_loader_install(L);
    luaL_newlib(L, functions_15);
    if (nm_since(NM_ERA_2_2))
        luaL_setfuncs(L, functions_22, 0);
    if (nm_since(NM_ERA_3_0))
        luaL_setfuncs(L, functions_30, 0);
    return 1;
}

/* require "net.file" finds this in net.so (Lua's all-in-one loader). */
int luaopen_net_file(lua_State *L)
{
    return nm_require_board_module(L, "file");
}
