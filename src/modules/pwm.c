/*
 * pwm.c — the `pwm` module on the board's PWM model (core/pwm.h), with the
 * firmware's checks: pins 1-12 ("no pwm for D0", "pwm 13 does not exist"),
 * a frequency above 0 and a duty of 0-1023 ("wrong arg range"), at most 6
 * channels ("too many pwms."), start of a pin not set up ("Unable to start
 * PWM output"). The frequency is one for all channels, 1-1000 Hz.
 */
#include "core/pwm.h"
#include "runtime/modules.h"

static int check_pin(lua_State *L)
{
    long pin = nm_check_int32(L, 1);
    if (pin <= 0 || pin >= NM_PWM_PINS)
        luaL_error(L, "pwm %d does not exist", (int)pin);
    return (int)pin;
}

static unsigned check_duty(lua_State *L, int arg)
{
    long duty = nm_check_int32(L, arg);
    if (duty < 0 || duty > NM_PWM_DEPTH)
        luaL_error(L, "wrong arg range");
    return (unsigned)duty;
}

static unsigned check_frequency(lua_State *L, int arg)
{
    long freq = nm_check_int32(L, arg);
    if (freq <= 0)
        luaL_error(L, "wrong arg range");
    return (unsigned)freq;
}

static int pwm_setup(lua_State *L)
{
    if (nm_check_int32(L, 1) == 0)
        return luaL_error(L, "no pwm for D0");
    int pin = check_pin(L);
    unsigned freq = check_frequency(L, 2);
    unsigned duty = check_duty(L, 3);
    unsigned clock = nm_pwm_setup(pin, freq, duty);
    if (clock == 0)
        return luaL_error(L, "too many pwms.");
    lua_pushinteger(L, clock);
    return 1;
}

static int pwm_close(lua_State *L)
{
    nm_pwm_close(check_pin(L));
    return 0;
}

static int pwm_start(lua_State *L)
{
    if (!nm_pwm_start(check_pin(L)))
        return luaL_error(L, "Unable to start PWM output");
    return 0;
}

static int pwm_stop(lua_State *L)
{
    nm_pwm_stop(check_pin(L));
    return 0;
}

static int pwm_setclock(lua_State *L)
{
    int pin = check_pin(L);
    lua_pushinteger(L, nm_pwm_set_clock(pin, check_frequency(L, 2)));
    return 1;
}

static int pwm_getclock(lua_State *L)
{
    lua_pushinteger(L, nm_pwm_clock(check_pin(L)));
    return 1;
}

static int pwm_setduty(lua_State *L)
{
    int pin = check_pin(L);
    lua_pushinteger(L, nm_pwm_set_duty(pin, check_duty(L, 2)));
    return 1;
}

static int pwm_getduty(lua_State *L)
{
    lua_pushinteger(L, nm_pwm_duty(check_pin(L)));
    return 1;
}

static const luaL_Reg pwm_functions[] = {
    {"setup", pwm_setup},     {"close", pwm_close},       {"start", pwm_start},
    {"stop", pwm_stop},       {"setclock", pwm_setclock}, {"getclock", pwm_getclock},
    {"setduty", pwm_setduty}, {"getduty", pwm_getduty},   {NULL, NULL},
};

int luaopen_pwm(lua_State *L)
{
    nm_pwm_init();
    luaL_newlib(L, pwm_functions);
    return 1;
}

/* require "net.pwm" finds this in net.so (Lua's all-in-one loader). */
int luaopen_net_pwm(lua_State *L)
{
    return luaopen_pwm(L);
}
