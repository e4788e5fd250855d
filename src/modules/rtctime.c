/*
 * rtctime.c — the `rtctime` module: the board's real-time clock (core/rtc.h).
 *
 * Per era, as the firmware's app/modules/rtctime.c:
 *  1.5  set(sec [, usec]) with sec required; get() -> sec, usec.
 *  2.2  set(sec [, usec [, rate]]); get() -> sec, usec, rate; adjust_delta(us).
 *  3.0  set([sec] [, usec] [, rate]): without sec only the rate changes.
 * Both eras: dsleep(us [, option]), dsleep_aligned(align_us, min_us [, option])
 * and epoch2cal(stamp). The clock reads 0 until it is set (by set() or an
 * sntp sync), as on the device after power-on.
 *
 * Deep sleep is node.dsleep's, called through Lua, so that the two stay one
 * mechanism; the difference the firmware documents is kept: rtctime.dsleep(0)
 * is a sleep of no length, not node.dsleep(0)'s sleep until reset.
 */
#include <stdint.h>
#include <time.h>

#include "core/rtc.h"
#include "runtime/luacall.h"
#include "runtime/modules.h"
#include "runtime/profile.h"

static int rtctime_set(lua_State *L)
{
    if (nm_since(NM_ERA_3_0) && !lua_isnumber(L, 1)) {
        /* 3.0: the time may be left out to change only the rate */
    } else {
        uint32_t sec = nm_since(NM_ERA_3_0) ? (uint32_t)luaL_checkinteger(L, 1)
                                            : (uint32_t)(int64_t)luaL_checknumber(L, 1);
        uint32_t usec = lua_isnumber(L, 2) ? (uint32_t)(int64_t)lua_tonumber(L, 2) : 0;
        nm_rtc_set_us((int64_t)sec * NM_RTC_US + usec);
    }
    if (nm_since(NM_ERA_2_2) && lua_isnumber(L, 3))
        nm_rtc_set_rate((int32_t)lua_tointeger(L, 3));
    return 0;
}

static int rtctime_get(lua_State *L)
{
    int64_t now = nm_rtc_now_us();
    lua_pushinteger(L, (lua_Integer)(now / NM_RTC_US));
    lua_pushinteger(L, (lua_Integer)(now % NM_RTC_US));
    if (!nm_since(NM_ERA_2_2))
        return 2;
    lua_pushinteger(L, nm_rtc_rate());
    return 3;
}

static int rtctime_adjust_delta(lua_State *L)
{
    uint32_t us = (uint32_t)luaL_checkinteger(L, 1);
    lua_pushinteger(L, nm_rtc_adjust_delta((int32_t)us));
    return 1;
}

/* The sleep option (0..4, as system_deep_sleep_set_option) at idx, checked; nil when absent. */
static void push_sleep_option(lua_State *L, int idx)
{
    if (!lua_isnumber(L, idx)) {
        lua_pushnil(L);
        return;
    }
    lua_Integer opt = lua_tointeger(L, idx);
    if (opt < 0 || opt > 4)
        luaL_error(L, "unknown sleep option");
    lua_pushinteger(L, opt);
}

/* node.dsleep(us, option): the board's one deep sleep. */
static int sleep_through_node(lua_State *L, uint64_t us, int option_idx)
{
    lua_getglobal(L, "node");
    if (!lua_istable(L, -1)) { /* require "net.rtctime" from plain Lua: node may be a module only */
        lua_pop(L, 1);
        lua_getglobal(L, "package");
        if (lua_istable(L, -1)) {
            lua_getfield(L, -1, "loaded");
            lua_remove(L, -2);
            if (lua_istable(L, -1)) {
                lua_getfield(L, -1, "node");
                lua_remove(L, -2);
            }
        }
    }
    if (lua_istable(L, -1))
        lua_getfield(L, -1, "dsleep");
    if (!lua_isfunction(L, -1))
        return luaL_error(L, "rtctime: deep sleep needs node.dsleep, which this build lacks");
    lua_pushinteger(L, (lua_Integer)(us > 0 ? us : 1)); /* 0 is a sleep of no length here */
    push_sleep_option(L, option_idx);
    lua_call(L, 2, 0);
    return 0;
}

static int rtctime_dsleep(lua_State *L)
{
    uint32_t us = (uint32_t)(int64_t)luaL_checknumber(L, 1);
    return sleep_through_node(L, us, 2);
}

/* Sleeps at least min_us, until the clock is a multiple of align_us. */
static int rtctime_dsleep_aligned(lua_State *L)
{
    if (!nm_rtc_is_set())
        return luaL_error(L, "time not available, unable to align");
    uint32_t align_us = (uint32_t)(int64_t)luaL_checknumber(L, 1);
    uint32_t min_us = (uint32_t)(int64_t)luaL_checknumber(L, 2);
    int64_t now = nm_rtc_now_us();
    int64_t then = now + min_us;
    if (align_us > 0)
        then += align_us - then % align_us;
    return sleep_through_node(L, (uint64_t)(then - now), 3);
}

static void set_field(lua_State *L, const char *key, int value)
{
    lua_pushinteger(L, value);
    lua_setfield(L, -2, key);
}

static int rtctime_epoch2cal(lua_State *L)
{
    lua_Integer stamp = luaL_checkinteger(L, 1);
    /* the firmware reads an int32: later stamps wrap negative and are refused */
    luaL_argcheck(L, stamp >= 0 && stamp <= INT32_MAX, 1, "wrong arg range");
    time_t t = (time_t)stamp;
    struct tm tm;
    gmtime_r(&t, &tm);
    lua_createtable(L, 0, 8);
    set_field(L, "yday", tm.tm_yday + 1);
    set_field(L, "wday", tm.tm_wday + 1);
    set_field(L, "year", tm.tm_year + 1900);
    set_field(L, "mon", tm.tm_mon + 1);
    set_field(L, "day", tm.tm_mday);
    set_field(L, "hour", tm.tm_hour);
    set_field(L, "min", tm.tm_min);
    set_field(L, "sec", tm.tm_sec);
    return 1;
}

int luaopen_rtctime(lua_State *L)
{
    static const luaL_Reg funcs[] = {
        {"set", rtctime_set},
        {"get", rtctime_get},
        {"dsleep", rtctime_dsleep},
        {"dsleep_aligned", rtctime_dsleep_aligned},
        {"epoch2cal", rtctime_epoch2cal},
        {NULL, NULL},
    };
    nm_lua_init(L);
    luaL_newlib(L, funcs);
    if (nm_since(NM_ERA_2_2)) {
        lua_pushcfunction(L, rtctime_adjust_delta);
        lua_setfield(L, -2, "adjust_delta");
    }
    return 1;
}

int luaopen_net_rtctime(lua_State *L)
{
    return luaopen_rtctime(L);
}
