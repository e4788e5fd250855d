/*
 * struct.c — the `struct` module: pack, unpack and size of binary records,
 * with the format language of the firmware's struct (Roberto Ierusalimschy's
 * lua-struct as NodeMCU builds it for the ESP8266).
 *
 * No Debian package carries lua-struct, and the answers depend on the
 * device's C types, not the host's: here `l`, `L`, `T` and `i` are 4 bytes,
 * `h` 2, as on the ESP8266 (the host's long is 8). The firmware packs every
 * integer from a 32-bit value: a number wraps modulo 2^32 and the bytes past
 * the fourth are zero, whatever the size. Unpacking reads up to 8 bytes into
 * one value, as the later firmware does; a result that fits a Lua integer is
 * one. `f` and `d` exist as in the firmware's float build. Formats:
 *
 *   > < !n   big endian, little endian, alignment n (a power of 2)
 *   x        a zero byte          b B  h H  l L  T  i[n] I[n]  integers
 *   c[n]     n bytes (pack c0: the whole string; unpack c0: the length is
 *            the previous value unpacked)
 *   s        a zero-terminated string      f d   float, double      ' ' ignored
 */
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "runtime/modules.h"

#define MAXINTSIZE 32 /* the float build's limit on i[n] */
#define MAXALIGN 8    /* the ESP8266's double alignment */
#define DEVICE_INT 4  /* int, long, size_t on the device */

typedef struct format {
    const char *at;
    bool little; /* the device is little endian */
    int align;
} format;

static int read_number(lua_State *L, format *f, int fallback)
{
    if (!isdigit((unsigned char)*f->at))
        return fallback;
    int a = 0;
    do {
        int digit = *f->at++ - '0';
        if (a > (INT_MAX - digit) / 10)
            luaL_error(L, "integral size overflow");
        a = a * 10 + digit;
    } while (isdigit((unsigned char)*f->at));
    return a;
}

/* The size of an option, reading its count; 0 for options without data. */
static size_t option_size(lua_State *L, int opt, format *f)
{
    switch (opt) {
    case 'B':
    case 'b':
    case 'x': return 1;
    case 'H':
    case 'h': return 2;
    case 'L':
    case 'l':
    case 'T': return DEVICE_INT;
    case 'f': return sizeof(float);
    case 'd': return sizeof(double);
    case 'c': return (size_t)read_number(L, f, 1);
    case 'i':
    case 'I': {
        int size = read_number(L, f, DEVICE_INT);
        if (size > MAXINTSIZE)
            luaL_error(L, "integral size %d is larger than limit of %d", size, MAXINTSIZE);
        return (size_t)size;
    }
    default: return 0;
    }
}

static size_t padding(size_t pos, const format *f, int opt, size_t size)
{
    if (size == 0 || opt == 'c')
        return 0;
    if (size > (size_t)f->align)
        size = (size_t)f->align;
    return (size - (pos & (size - 1))) & (size - 1);
}

/* Endianness, alignment and spaces; anything else is a bad option. */
static void control_option(lua_State *L, int opt, format *f)
{
    switch (opt) {
    case ' ': return;
    case '>': f->little = false; return;
    case '<': f->little = true; return;
    case '!': {
        int a = read_number(L, f, MAXALIGN);
        if (a <= 0 || (a & (a - 1)) != 0)
            luaL_error(L, "alignment %d is not a power of 2", a);
        f->align = a;
        return;
    }
    default: luaL_argerror(L, 1, lua_pushfstring(L, "invalid format option '%c'", opt));
    }
}

/* The device's 32-bit value of a number: truncated, wrapped modulo 2^32. */
static uint32_t device_word(lua_State *L, int arg)
{
    lua_Number n = luaL_checknumber(L, arg);
    if (!isfinite(n))
        return 0;
    n = trunc(fmod(n, 4294967296.0));
    return (uint32_t)(n < 0 ? n + 4294967296.0 : n);
}

static void put_integer(lua_State *L, luaL_Buffer *b, int arg, bool little, size_t size)
{
    uint32_t value = device_word(L, arg);
    for (size_t i = 0; i < size; i++) {
        size_t shift = little ? i : size - 1 - i;
        luaL_addchar(b, shift < 4 ? (char)(value >> (8 * shift)) : '\0');
    }
}

static void put_bytes_ordered(luaL_Buffer *b, const unsigned char *p, size_t size, bool little)
{
    for (size_t i = 0; i < size; i++)
        luaL_addchar(b, (char)p[little ? i : size - 1 - i]); /* the host is little endian */
}

static int struct_pack(lua_State *L)
{
    format f = {luaL_checkstring(L, 1), true, 1};
    int arg = 2;
    size_t total = 0;
    luaL_Buffer b;
    lua_pushnil(L); /* keeps the buffer's place apart from the arguments */
    luaL_buffinit(L, &b);
    while (*f.at != '\0') {
        int opt = (unsigned char)*f.at++;
        size_t size = option_size(L, opt, &f);
        size_t pad = padding(total, &f, opt, size);
        total += pad;
        while (pad-- > 0)
            luaL_addchar(&b, '\0');
        switch (opt) {
        case 'b':
        case 'B':
        case 'h':
        case 'H':
        case 'l':
        case 'L':
        case 'T':
        case 'i':
        case 'I': put_integer(L, &b, arg++, f.little, size); break;
        case 'x': luaL_addchar(&b, '\0'); break;
        case 'f': {
            float v = (float)luaL_checknumber(L, arg++);
            put_bytes_ordered(&b, (const unsigned char *)&v, sizeof v, f.little);
            break;
        }
        case 'd': {
            double v = luaL_checknumber(L, arg++);
            put_bytes_ordered(&b, (const unsigned char *)&v, sizeof v, f.little);
            break;
        }
        case 'c':
        case 's': {
            size_t len;
            const char *s = luaL_checklstring(L, arg, &len);
            if (size == 0)
                size = len;
            luaL_argcheck(L, len >= size, arg, "string too short");
            arg++;
            luaL_addlstring(&b, s, size);
            if (opt == 's') {
                luaL_addchar(&b, '\0');
                size++;
            }
            break;
        }
        default: control_option(L, opt, &f);
        }
        total += size;
    }
    luaL_pushresult(&b);
    return 1;
}

static void push_integer(lua_State *L, const unsigned char *p, bool little, bool is_signed, size_t size)
{
    uint64_t v = 0;
    for (size_t i = 0; i < size; i++)
        v = (v << 8) | p[little ? size - 1 - i : i];
    if (is_signed && size > 0 && size < 8 && (v >> (size * 8 - 1)) & 1u)
        v |= ~UINT64_C(0) << (size * 8); /* sign extension */
    int64_t s = (int64_t)v;
    if (!is_signed && size >= 8 && s < 0)
        lua_pushnumber(L, (lua_Number)v);
    else if ((lua_Integer)s == s && (sizeof(lua_Integer) >= 8 || (s >= INT32_MIN && s <= INT32_MAX)))
        lua_pushinteger(L, (lua_Integer)s);
    else
        lua_pushnumber(L, (lua_Number)s);
}

static lua_Number read_float(const unsigned char *p, size_t size, bool little)
{
    unsigned char bytes[sizeof(double)];
    for (size_t i = 0; i < size; i++)
        bytes[i] = p[little ? i : size - 1 - i];
    if (size == sizeof(float)) {
        float v;
        memcpy(&v, bytes, sizeof v);
        return v;
    }
    double v;
    memcpy(&v, bytes, sizeof v);
    return v;
}

static int struct_unpack(lua_State *L)
{
    format f = {luaL_checkstring(L, 1), true, 1};
    size_t len;
    const unsigned char *data = (const unsigned char *)luaL_checklstring(L, 2, &len);
    lua_Number start = luaL_optnumber(L, 3, 1);
    luaL_argcheck(L, start >= 1 && start <= (lua_Number)len + 1, 2, "data string too short");
    size_t pos = (size_t)start - 1;
    lua_settop(L, 2);
    while (*f.at != '\0') {
        int opt = (unsigned char)*f.at++;
        size_t size = option_size(L, opt, &f);
        pos += padding(pos, &f, opt, size);
        luaL_argcheck(L, pos <= len && size <= len - pos, 2, "data string too short");
        luaL_checkstack(L, 2, "too many results");
        switch (opt) {
        case 'b':
        case 'B':
        case 'h':
        case 'H':
        case 'l':
        case 'L':
        case 'T':
        case 'i':
        case 'I': push_integer(L, data + pos, f.little, islower(opt), size); break;
        case 'x': break;
        case 'f':
        case 'd': lua_pushnumber(L, read_float(data + pos, size, f.little)); break;
        case 'c':
            if (size == 0) {
                if (lua_gettop(L) <= 2 || !lua_isnumber(L, -1))
                    luaL_error(L, "format `c0' needs a previous size");
                lua_Number n = lua_tonumber(L, -1);
                lua_pop(L, 1);
                luaL_argcheck(L, n >= 0 && n <= (lua_Number)(len - pos), 2, "data string too short");
                size = (size_t)n;
            }
            lua_pushlstring(L, (const char *)data + pos, size);
            break;
        case 's': {
            const unsigned char *end = memchr(data + pos, '\0', len - pos);
            if (end == NULL)
                luaL_error(L, "unfinished string in data");
            size = (size_t)(end - (data + pos)) + 1;
            lua_pushlstring(L, (const char *)data + pos, size - 1);
            break;
        }
        default: control_option(L, opt, &f);
        }
        pos += size;
    }
    lua_pushinteger(L, (lua_Integer)pos + 1);
    return lua_gettop(L) - 2;
}

static int struct_size(lua_State *L)
{
    format f = {luaL_checkstring(L, 1), true, 1};
    size_t pos = 0;
    while (*f.at != '\0') {
        int opt = (unsigned char)*f.at++;
        size_t size = option_size(L, opt, &f);
        pos += padding(pos, &f, opt, size);
        if (opt == 's')
            luaL_argerror(L, 1, "option 's' has no fixed size");
        else if (opt == 'c' && size == 0)
            luaL_argerror(L, 1, "option 'c0' has no fixed size");
        if (!isalnum(opt))
            control_option(L, opt, &f);
        pos += size;
    }
    lua_pushinteger(L, (lua_Integer)pos);
    return 1;
}

static const luaL_Reg struct_functions[] = {
    {"pack", struct_pack},
    {"unpack", struct_unpack},
    {"size", struct_size},
    {NULL, NULL},
};

int luaopen_struct(lua_State *L)
{
    luaL_newlib(L, struct_functions);
    return 1;
}

/* require "net.struct" finds this in net.so (Lua's all-in-one loader). */
int luaopen_net_struct(lua_State *L)
{
    return luaopen_struct(L);
}
