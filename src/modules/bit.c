/*
 * bit.c — the `bit` module: bitwise operations on the device's 32-bit
 * integers, the same in every era.
 *
 * The firmware's bit works on its lua_Integer, a 32-bit int, under Lua 5.1:
 * an argument is any number (or numeric string), truncated toward zero, and
 * every result is a signed 32-bit value (bit.bnot(0) is -1, bit.lshift(1, 31)
 * is -2147483648). netmcu does the arithmetic in uint32_t whatever the host
 * Lua is, so 5.1, LuaJIT, 5.3 and 5.4 give the device's answers: a fraction
 * is truncated rather than refused (5.3's integer check would refuse 1.5),
 * and a value outside 32 bits wraps modulo 2^32 (0xFFFFFFFF is -1). Shift
 * counts and bit positions use their low 5 bits, as the ESP8266's shifter
 * does (a shift by 32 is a shift by 0).
 */
#include <math.h>
#include <stdint.h>

#include "runtime/modules.h"

/* The argument as the device's 32-bit word (error text of luaL_checknumber,
 * which is what the firmware's luaL_checkinteger says under 5.1). */
static uint32_t check_word(lua_State *L, int arg)
{
    lua_Number n = luaL_checknumber(L, arg);
    if (!isfinite(n))
        return 0;
    n = trunc(fmod(n, 4294967296.0));
    if (n < 0)
        n += 4294967296.0;
    return (uint32_t)n;
}

static unsigned check_shift(lua_State *L, int arg)
{
    return check_word(L, arg) & 31u;
}

static int push_word(lua_State *L, uint32_t w)
{
    lua_pushinteger(L, (lua_Integer)(int32_t)w);
    return 1;
}

static int bit_bnot(lua_State *L)
{
    return push_word(L, ~check_word(L, 1));
}

/* band, bor, bxor: one or more operands. */
static uint32_t fold(lua_State *L, int op)
{
    uint32_t w = check_word(L, 1);
    int n = lua_gettop(L);
    for (int i = 2; i <= n; i++) {
        uint32_t v = check_word(L, i);
        w = op == '&' ? (w & v) : op == '|' ? (w | v) : (w ^ v);
    }
    return w;
}

static int bit_band(lua_State *L)
{
    return push_word(L, fold(L, '&'));
}

static int bit_bor(lua_State *L)
{
    return push_word(L, fold(L, '|'));
}

static int bit_bxor(lua_State *L)
{
    return push_word(L, fold(L, '^'));
}

static int bit_lshift(lua_State *L)
{
    uint32_t w = check_word(L, 1);
    return push_word(L, w << check_shift(L, 2));
}

/* Logical: zeros come in at the top. */
static int bit_rshift(lua_State *L)
{
    uint32_t w = check_word(L, 1);
    return push_word(L, w >> check_shift(L, 2));
}

/* Arithmetic: the sign bit is copied in. */
static int bit_arshift(lua_State *L)
{
    uint32_t w = check_word(L, 1);
    unsigned s = check_shift(L, 2);
    uint32_t fill = (w & 0x80000000u) && s ? ~(0xFFFFFFFFu >> s) : 0;
    return push_word(L, (w >> s) | fill);
}

static int bit_bit(lua_State *L)
{
    return push_word(L, 1u << check_shift(L, 1));
}

static int bit_isset(lua_State *L)
{
    uint32_t w = check_word(L, 1);
    lua_pushboolean(L, (w >> check_shift(L, 2)) & 1u);
    return 1;
}

static int bit_isclear(lua_State *L)
{
    uint32_t w = check_word(L, 1);
    lua_pushboolean(L, !((w >> check_shift(L, 2)) & 1u));
    return 1;
}

/* set/clear(value, pos1, pos2, ...) */
static uint32_t positions(lua_State *L)
{
    uint32_t mask = 0;
    int n = lua_gettop(L);
    for (int i = 2; i <= n; i++)
        mask |= 1u << check_shift(L, i);
    return mask;
}

static int bit_set(lua_State *L)
{
    uint32_t w = check_word(L, 1);
    return push_word(L, w | positions(L));
}

static int bit_clear(lua_State *L)
{
    uint32_t w = check_word(L, 1);
    return push_word(L, w & ~positions(L));
}

static const luaL_Reg bit_functions[] = {
    {"bnot", bit_bnot},     {"band", bit_band},       {"bor", bit_bor}, {"bxor", bit_bxor}, {"lshift", bit_lshift},
    {"rshift", bit_rshift}, {"arshift", bit_arshift}, {"bit", bit_bit}, {"set", bit_set},   {"clear", bit_clear},
    {"isset", bit_isset},   {"isclear", bit_isclear}, {NULL, NULL},
};

int luaopen_bit(lua_State *L)
{
    luaL_newlib(L, bit_functions);
    return 1;
}

/* require "net.bit" finds this in net.so (Lua's all-in-one loader). */
int luaopen_net_bit(lua_State *L)
{
    return luaopen_bit(L);
}
