/*
 * node_chip.c — the node functions that speak for the ESP8266 itself:
 * bootreason, dsleep and dsleepMax, setcpufreq and getcpufreq, random and
 * osprint.
 *
 * bootreason reports what ended the previous power-on (runtime/reset.h).
 * dsleep ends the power-on the way node.restart() does, after the current
 * callback: in boot mode the board then sleeps and reboots with the deep
 * sleep reason; a script run ends with exit status 5. The CPU clock is a
 * setting the script can read back (80 MHz after every power-on); the host's
 * speed does not change. random draws from OpenSSL's generator, as the
 * device's from its hardware one. osprint switches the SDK's own messages,
 * of which the host has none: the setting is kept, nothing more is printed.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sys/random.h>

#include "modules/node.h"
#include "runtime/profile.h"
#include "runtime/reset.h"
#include "runtime/restart.h"

#define CPU80MHZ 80
#define CPU160MHZ 160
/* The RTC clock's period in microseconds, Q12 fixed point, as
 * system_rtc_clock_cali_proc() reports it on a typical module (~6.67 us). */
#define RTC_CALIBRATION 27306u
#define DSLEEP_LIMIT_30 36000000000.0 /* the 3.0 firmware's bound, in us */

static int cpu_mhz = CPU80MHZ;
static uint64_t sleep_us; /* the deep sleep asked for */
static bool os_print = true;

/* node.bootreason(): raw code, reason. An exception reset (never on the host)
 * would add the exception registers. */
static int node_bootreason(lua_State *L)
{
    nm_reset_reason why = nm_reset_reason_now();
    lua_pushinteger(L, nm_reset_raw_code(why));
    lua_pushinteger(L, why);
    return 2;
}

/* The longest sleep the RTC counter allows, in microseconds (2.2). */
static double dsleep_max(void)
{
    return (double)((uint64_t)RTC_CALIBRATION * (0x80000000u - 1) / 0x1000);
}

static int node_dsleepMax(lua_State *L)
{
    lua_pushnumber(L, dsleep_max());
    return 1;
}

/* The option (0-4) only shapes the radio's calibration after waking on the
 * device; it is checked and otherwise without effect here. */
static void check_sleep_option(lua_State *L)
{
    if (!lua_isnumber(L, 2))
        return;
    lua_Number option = lua_tonumber(L, 2);
    if (nm_since(NM_ERA_3_0))
        luaL_argcheck(L, option >= 0 && option <= 4, 2, "wrong option value");
    else if (option < 0 || option > 4)
        luaL_error(L, "wrong arg range");
}

/* node.dsleep([us][, option][, instant]): without a number of microseconds
 * nothing happens, as on the device. 1.5 holds us in 32 bits. */
static int node_dsleep(lua_State *L)
{
    check_sleep_option(L);
    if (!lua_isnumber(L, 1))
        return 0;
    lua_Number us = lua_tonumber(L, 1);
    if (nm_since(NM_ERA_3_0))
        luaL_argcheck(L, us >= 0 && us < DSLEEP_LIMIT_30, 1, "invalid time value");
    else if (!(us >= 0) || (!nm_since(NM_ERA_2_2) && us > 4294967295.0) || us >= 18446744073709551616.0)
        return luaL_error(L, "wrong arg range");
    if (nm_restart_status() != 0)
        return 0; /* the board is already going down another way */
    sleep_us = (uint64_t)us;
    char why[64];
    snprintf(why, sizeof why, "node.dsleep(%llu) (deep sleep)", (unsigned long long)sleep_us);
    nm_reset_request(NM_RESET_DEEP_SLEEP);
    nm_request_restart(NM_EXIT_DEEP_SLEEP, why);
    return 0;
}

uint64_t nm_node_sleep_us(void)
{
    return sleep_us;
}

/* node.setcpufreq(mhz): 160 selects 160 MHz, anything else 80; returns it. */
static int node_setcpufreq(lua_State *L)
{
    long mhz = nm_check_int32(L, 1);
    cpu_mhz = mhz == CPU160MHZ ? CPU160MHZ : CPU80MHZ;
    lua_pushinteger(L, cpu_mhz);
    return 1;
}

static int node_getcpufreq(lua_State *L)
{
    lua_pushinteger(L, cpu_mhz);
    return 1;
}

/* The kernel's CSPRNG, as OpenSSL's RAND_bytes would seed from, without
 * loading OpenSSL for it; a request this small is never cut short. */
static uint64_t random_bits(lua_State *L)
{
    uint64_t v;
    if (getrandom(&v, sizeof v, 0) != (ssize_t)sizeof v)
        luaL_error(L, "random: %s", strerror(errno));
    return v;
}

/* A uniform value in [0, range) by rejection (range > 0). */
static uint64_t random_below(lua_State *L, uint64_t range)
{
    uint64_t limit = UINT64_MAX - UINT64_MAX % range;
    uint64_t v;
    while ((v = random_bits(L)) >= limit)
        continue;
    return v % range;
}

/* The device's luaL_checkint casts the number to its 32-bit int, and the
 * ESP8266's soft-float conversion saturates: node.random(4294967295) draws
 * from [1, 2147483647] there (published scripts ask for 2^32 - 1). */
static int64_t check_bound(lua_State *L, int arg)
{
    return nm_check_int32(L, arg);
}

/* node.random() in [0, 1); node.random(n) in [1, n]; node.random(l, u). */
static int node_random(lua_State *L)
{
    int64_t l = 1, u;
    switch (lua_gettop(L)) {
    case 0: lua_pushnumber(L, (lua_Number)(random_bits(L) >> 11) / 9007199254740992.0); return 1;
    case 1: u = check_bound(L, 1); break;
    case 2:
        l = check_bound(L, 1);
        u = check_bound(L, 2);
        break;
    default: return luaL_error(L, "wrong number of arguments");
    }
    luaL_argcheck(L, l <= u, 2, "interval is empty");
    lua_pushinteger(L, (lua_Integer)(l + (int64_t)random_below(L, (uint64_t)(u - l) + 1)));
    return 1;
}

static int node_osprint(lua_State *L)
{
    os_print = lua_toboolean(L, 1);
    return 0;
}

static void set_function(lua_State *L, const char *name, lua_CFunction fn)
{
    lua_pushcfunction(L, fn);
    lua_setfield(L, -2, name);
}

void nm_node_chip_open(lua_State *L)
{
    cpu_mhz = CPU80MHZ; /* the clock after every power-on */
    sleep_us = 0;
    set_function(L, "bootreason", node_bootreason);
    set_function(L, "dsleep", node_dsleep);
    set_function(L, "setcpufreq", node_setcpufreq);
    set_function(L, "osprint", node_osprint);
    lua_pushinteger(L, CPU80MHZ);
    lua_setfield(L, -2, "CPU80MHZ");
    lua_pushinteger(L, CPU160MHZ);
    lua_setfield(L, -2, "CPU160MHZ");
    if (nm_since(NM_ERA_2_2)) {
        set_function(L, "dsleepMax", node_dsleepMax);
        set_function(L, "getcpufreq", node_getcpufreq);
        set_function(L, "random", node_random);
    }
}
