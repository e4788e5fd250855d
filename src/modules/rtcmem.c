/*
 * rtcmem.c — the `rtcmem` module: the 128 32-bit words of RTC user memory.
 *
 * The memory keeps its contents through node.restart(), the watchdog and
 * deep sleep — every reboot of one netmcu process (boot mode) — and starts
 * as zeros at a cold start (the device's is then undefined). Values are the
 * device's 32-bit words: written modulo 2^32, read back signed, as its
 * lua_Integer is. A write that would run past the end, or start before it,
 * raises "RTC mem would overrun" (the firmware checks only the end).
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "runtime/modules.h"
#include "runtime/reset.h"

#define WORDS 128

static uint32_t words[WORDS];

static uint32_t to_word(lua_State *L, int arg)
{
    lua_Number n = lua_tonumber(L, arg); /* the firmware's lua_tointeger: a non-number is 0 */
    if (!isfinite(n))
        return 0;
    n = trunc(fmod(n, 4294967296.0));
    return (uint32_t)(n < 0 ? n + 4294967296.0 : n);
}

/* rtcmem.read32(idx[, n]): up to n words from idx, those inside the memory. */
static int rtcmem_read32(lua_State *L)
{
    long idx = nm_check_int32(L, 1);
    lua_Number count = lua_gettop(L) < 2 ? 1 : lua_tonumber(L, 2);
    if (!(count >= 1) || idx < 0 || idx >= WORDS)
        return 0;
    long n = count > WORDS ? WORDS : (long)count;
    if (n > WORDS - idx)
        n = WORDS - idx;
    luaL_checkstack(L, (int)n, "too many results");
    for (long i = 0; i < n; i++)
        lua_pushinteger(L, (int32_t)words[idx + i]);
    return (int)n;
}

static int rtcmem_write32(lua_State *L)
{
    long idx = nm_check_int32(L, 1);
    int n = lua_gettop(L) - 1;
    luaL_argcheck(L, idx >= 0 && idx + n <= WORDS, 1, "RTC mem would overrun");
    for (int i = 0; i < n; i++)
        words[idx + i] = to_word(L, 2 + i);
    return 0;
}

static const luaL_Reg rtcmem_functions[] = {
    {"read32", rtcmem_read32},
    {"write32", rtcmem_write32},
    {NULL, NULL},
};

/* Opened after the power-on's reset reason is known (boot.c sets it first). */
int luaopen_rtcmem(lua_State *L)
{
    if (nm_reset_reason_now() == NM_RESET_POWER_ON)
        memset(words, 0, sizeof words);
    luaL_newlib(L, rtcmem_functions);
    return 1;
}

/* require "net.rtcmem" finds this in net.so (Lua's all-in-one loader). */
int luaopen_net_rtcmem(lua_State *L)
{
    return luaopen_rtcmem(L);
}
