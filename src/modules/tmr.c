/*
 * tmr.c — the `tmr` module: timer objects, the static timers 0-6 (1.5, 2.2), the
 * system counter, tmr.delay and the soft watchdog.
 *
 * A timer is a tmr_obj in the userdata (or in the static array) that points
 * at a core nm_timer. It follows the firmware's state machine: registered
 * (a callback and a mode) or not, started or not. A started timer object is
 * anchored in the registry, so `tmr.create():alarm(...)` lives until it
 * fires (ALARM_SINGLE, ALARM_SEMI) or is stopped; then an unreachable object
 * is collected and its __gc unregisters and closes it.
 */
#include <stdint.h>
#include <stdio.h>

#include "core/timer.h"
#include "runtime/interrupt.h"
#include "runtime/luacall.h"
#include "runtime/watchdog.h"
#include "runtime/modules.h"
#include "runtime/restart.h"
#include "runtime/profile.h"

#define TIMER_MT "tmr.timer"
#define NUM_STATIC 7

/* The firmware's mode numbers (tmr.ALARM_*) and its "not registered" state. */
enum { MODE_SINGLE = 0, MODE_AUTO = 1, MODE_SEMI = 2, MODE_OFF = 3 };

/* The SDK's longest os_timer interval, and the firmware's text for it. */
#define MAX_TIMEOUT 6870947
#define RANGE_TEXT "Range: 1-6870947"

typedef struct tmr_obj {
    nm_timer *timer; /* NULL once closed by __gc */
    int fn_ref;      /* the callback while registered */
    int self_ref;    /* the anchor while started (timer objects only) */
    uint32_t interval;
    int mode;
    int id; /* 0-6 for a static timer, -1 for an object */
} tmr_obj;

static tmr_obj static_timers[NUM_STATIC];
static nm_timer *watchdog;
static lua_Integer watchdog_left = -1;

static bool started(const tmr_obj *t)
{
    return t->timer != NULL && nm_timer_active(t->timer);
}

static void drop_anchor(lua_State *L, tmr_obj *t)
{
    nm_ref_clear(L, &t->self_ref);
}

typedef struct fire_call {
    nm_protected base;
    tmr_obj *t;
} fire_call;

/* Inside the protected call: under LuaJIT even a push may need memory. */
static void fire_body(lua_State *L, nm_protected *ctx)
{
    tmr_obj *t = ((fire_call *)ctx)->t;
    nm_ref_push(L, t->fn_ref);
    if (t->id >= 0)
        lua_pushinteger(L, t->id);
    else
        nm_ref_push(L, t->self_ref);
    if (t->mode == MODE_SINGLE) {
        nm_ref_clear(L, &t->fn_ref);
        t->mode = MODE_OFF;
    }
    if (t->mode != MODE_AUTO)
        drop_anchor(L, t);
    lua_call(L, 1, 0);
}

/* Fires as the firmware does: a single alarm is unregistered and a semi alarm
 * stopped before the callback runs, so the callback may register or start
 * the same timer again. The object stays on the stack through the call. */
static void on_fire(nm_timer *timer, void *data)
{
    (void)timer;
    tmr_obj *t = data;
    lua_State *L = nm_lua_state();
    if (L == NULL || t->fn_ref == LUA_NOREF)
        return;
    fire_call call = {{fire_body}, t};
    nm_lua_protect(L, &call.base);
}

/* The timer a function applies to: an object, or in the seed profile also a
 * static timer's number, with the firmware's argument errors. */
static tmr_obj *check_timer(lua_State *L)
{
    if (nm_since(NM_ERA_3_0))
        return luaL_checkudata(L, 1, TIMER_MT);
    luaL_argcheck(L, lua_isuserdata(L, 1) || lua_isnumber(L, 1), 1, "timer object or numerical ID expected");
    if (lua_isuserdata(L, 1))
        return luaL_checkudata(L, 1, TIMER_MT);
    lua_Integer id = luaL_checkinteger(L, 1);
    luaL_argcheck(L, id >= 0 && id < NUM_STATIC, 1, "invalid timer index");
    return &static_timers[id];
}

static lua_Integer check_interval(lua_State *L, int arg)
{
    lua_Integer interval = luaL_checkinteger(L, arg);
    luaL_argcheck(L, interval > 0 && interval <= MAX_TIMEOUT, arg, RANGE_TEXT);
    return interval;
}

/* t:register(interval_ms, mode, fn): configures, never starts. */
static int tmr_register(lua_State *L)
{
    tmr_obj *t = check_timer(L);
    lua_Integer interval = luaL_checkinteger(L, 2);
    lua_Integer mode = luaL_checkinteger(L, 3);
    luaL_argcheck(L, interval > 0 && interval <= MAX_TIMEOUT, 2, RANGE_TEXT);
    luaL_argcheck(L, mode == MODE_SINGLE || mode == MODE_SEMI || mode == MODE_AUTO, 3, "Invalid mode");
    luaL_argcheck(L, lua_isfunction(L, 4), 4, "Must be function");
    if (t->timer == NULL)
        return luaL_error(L, "not enough memory");
    nm_timer_stop(t->timer);
    drop_anchor(L, t);
    nm_ref_set(L, &t->fn_ref, 4);
    t->interval = (uint32_t)interval;
    t->mode = (int)mode;
    return 0;
}

/* t:start() → true, or false when not registered or already started. */
static int tmr_start(lua_State *L)
{
    tmr_obj *t = check_timer(L);
    if (t->mode == MODE_OFF || started(t)) {
        lua_pushboolean(L, 0);
        return 1;
    }
    nm_timer_start(t->timer, t->interval, t->mode == MODE_AUTO ? t->interval : 0);
    if (t->id < 0 && t->self_ref == LUA_NOREF)
        nm_ref_set(L, &t->self_ref, 1);
    lua_pushboolean(L, 1);
    return 1;
}

static int tmr_alarm(lua_State *L)
{
    tmr_register(L);
    return tmr_start(L);
}

/* t:stop() → true when it was started; keeps the registration. */
static int tmr_stop(lua_State *L)
{
    tmr_obj *t = check_timer(L);
    bool was = started(t);
    if (was)
        nm_timer_stop(t->timer);
    drop_anchor(L, t);
    lua_pushboolean(L, was);
    return 1;
}

static void unregister(lua_State *L, tmr_obj *t)
{
    if (t->timer != NULL)
        nm_timer_stop(t->timer);
    drop_anchor(L, t);
    nm_ref_clear(L, &t->fn_ref);
    t->mode = MODE_OFF;
}

static int tmr_unregister(lua_State *L)
{
    unregister(L, check_timer(L));
    return 0;
}

/* t:interval(ms): a started timer restarts with the new interval. */
static int tmr_interval(lua_State *L)
{
    tmr_obj *t = check_timer(L);
    lua_Integer interval = check_interval(L, 2);
    if (t->mode == MODE_OFF)
        return 0;
    t->interval = (uint32_t)interval;
    if (started(t))
        nm_timer_start(t->timer, t->interval, t->mode == MODE_AUTO ? t->interval : 0);
    return 0;
}

/* t:state() → started, mode; or nil when not registered. */
static int tmr_state(lua_State *L)
{
    tmr_obj *t = check_timer(L);
    if (t->mode == MODE_OFF) {
        lua_pushnil(L);
        return 1;
    }
    lua_pushboolean(L, started(t));
    lua_pushinteger(L, t->mode);
    return 2;
}

static int tmr_gc(lua_State *L)
{
    tmr_obj *t = luaL_checkudata(L, 1, TIMER_MT);
    unregister(L, t);
    if (t->timer != NULL) {
        nm_timer_close(t->timer);
        t->timer = NULL;
    }
    return 0;
}

static void init_obj(tmr_obj *t, int id)
{
    t->fn_ref = t->self_ref = LUA_NOREF;
    t->mode = MODE_OFF;
    t->interval = 0;
    t->id = id;
    t->timer = nm_timer_new(on_fire, t);
}

static int tmr_create(lua_State *L)
{
    tmr_obj *t = lua_newuserdata(L, sizeof *t);
    init_obj(t, -1);
    if (t->timer == NULL)
        return luaL_error(L, "not enough memory");
    luaL_setmetatable(L, TIMER_MT);
    return 1;
}

/* tmr.now(): microseconds since the run started, 31 bits wide as on the
 * device, so it wraps to 0 every 2^31 us (about 35.8 minutes). */
static int tmr_now(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)(nm_uptime_us() & 0x7FFFFFFF));
    return 1;
}

static int tmr_time(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)((nm_uptime_us() / 1000000) & 0x7FFFFFFF));
    return 1;
}

/* tmr.delay(us): blocks the whole process, as the busy loop does on the
 * device, feeding the watchdog every second as the firmware does; a stop
 * signal ends the wait (runtime/interrupt.h). */
static int tmr_delay(lua_State *L)
{
    lua_Integer us = luaL_checkinteger(L, 1);
    if (us <= 0)
        return luaL_error(L, "wrong arg range");
    /* the board's µs at its clock's rate, fed and interruptible per second */
    for (uint64_t left = nm_clock_host_us((uint64_t)us); left > 0;) {
        uint64_t part = left < 1000000 ? left : 1000000;
        if (!nm_interrupt_sleep_us(part))
            break;
        nm_watchdog_feed();
        left -= part;
    }
    return 0;
}

/* Feeds the board's watchdog (runtime/watchdog.h). */
static int tmr_wdclr(lua_State *L)
{
    (void)L;
    nm_watchdog_feed();
    return 0;
}

static void watchdog_tick(nm_timer *timer, void *data)
{
    (void)data;
    if (watchdog_left > 0 && --watchdog_left == 0) {
        nm_timer_stop(timer);
        nm_request_restart(NM_EXIT_WATCHDOG, "tmr.softwd: the soft watchdog expired");
    }
}

/* tmr.softwd(s): ends the run unless called again (or with s <= 0) within
 * s seconds. It counts only while the loop runs and never keeps it alive. */
static int tmr_softwd(lua_State *L)
{
    watchdog_left = luaL_checkinteger(L, 1);
    if (watchdog == NULL) {
        watchdog = nm_timer_new(watchdog_tick, NULL);
        if (watchdog == NULL)
            return luaL_error(L, "not enough memory");
        nm_timer_weak(watchdog);
    }
    if (watchdog_left > 0)
        nm_timer_start(watchdog, 1000, 1000);
    else
        nm_timer_stop(watchdog);
    return 0;
}

/* Closes the timers that no userdata owns when the state closes. */
static int module_gc(lua_State *L)
{
    for (int i = 0; i < NUM_STATIC; i++) {
        unregister(L, &static_timers[i]);
        if (static_timers[i].timer != NULL)
            nm_timer_close(static_timers[i].timer);
        static_timers[i].timer = NULL;
    }
    if (watchdog != NULL)
        nm_timer_close(watchdog);
    watchdog = NULL;
    watchdog_left = -1;
    return 0;
}

static const luaL_Reg timer_methods[] = {
    {"register", tmr_register},     {"alarm", tmr_alarm}, {"start", tmr_start},       {"stop", tmr_stop},
    {"unregister", tmr_unregister}, {"state", tmr_state}, {"interval", tmr_interval}, {NULL, NULL},
};

static const luaL_Reg tmr_functions[] = {
    {"create", tmr_create}, {"now", tmr_now},       {"time", tmr_time}, {"delay", tmr_delay},
    {"wdclr", tmr_wdclr},   {"softwd", tmr_softwd}, {NULL, NULL},
};

static void make_metatable(lua_State *L)
{
    nm_register_type(L, TIMER_MT, timer_methods, tmr_gc);
}

int luaopen_tmr(lua_State *L)
{
    nm_lua_init(L);
    nm_uptime_us(); /* the counters start with the module, like a boot */
    make_metatable(L);
    luaL_newlib(L, tmr_functions);
    if (!nm_since(NM_ERA_3_0)) {
        /* The module functions also take a static timer id, as in 1.5 and in
         * the 2.2.1 builds of 2018 that 2.x scripts were written on; the last
         * 2.2.1 build (20190405) already lacks them (firmware commit 0e89fb24,
         * "Expunge integer timers", 2019-01), and a script written for it
         * never calls them, so the 2.2 profile keeps them. */
        luaL_setfuncs(L, timer_methods, 0);
        for (int i = 0; i < NUM_STATIC; i++)
            if (static_timers[i].timer == NULL)
                init_obj(&static_timers[i], i);
    }
    nm_on_state_close(L, "netmcu.tmr.sentinel", module_gc);
    lua_pushinteger(L, MODE_SINGLE);
    lua_setfield(L, -2, "ALARM_SINGLE");
    lua_pushinteger(L, MODE_SEMI);
    lua_setfield(L, -2, "ALARM_SEMI");
    lua_pushinteger(L, MODE_AUTO);
    lua_setfield(L, -2, "ALARM_AUTO");
    return 1;
}

/* require "net.tmr" finds this in net.so (Lua's all-in-one loader). */
int luaopen_net_tmr(lua_State *L)
{
    return nm_require_board_module(L, "tmr");
}
