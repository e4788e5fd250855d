/*
 * gpio.c — the `gpio` module on the simulated pins of src/core/gpio.c:
 * mode, read, write, trig and serout with the firmware's constants, checks
 * and error texts, the same in both eras except the trig callback's
 * arguments (2.2 adds the time and the event count) and gpio.pulse (2.2,
 * gpio_pulse.c).
 *
 * Interrupts. gpio.trig watches a pin's level whatever changes it (the
 * script's writes, serout, the control channel). A matching change marks the
 * pin pending and posts one task; the callback runs on a later loop turn with
 * the level at that first change. Further changes before it runs are counted
 * (2.2 on: passed as the event count; 1.5: dropped, as the seed firmware keeps
 * the interrupt off until its callback). A level trigger ("low", "high")
 * fires again after each callback for as long as the level holds, as on the
 * device, and at once when set on a pin already at its level.
 */
#include "modules/gpio.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/gpio.h"
#include "core/loop.h"
#include "core/timer.h"
#include "runtime/interrupt.h"
#include "runtime/luacall.h"
#include "runtime/modules.h"
#include "runtime/profile.h"

/* The firmware's constants (platform.h), the same in both eras. */
enum { FW_INPUT = 0, FW_OUTPUT = 1, FW_INT = 2, FW_OPENDRAIN = 3 };
enum { FW_FLOAT = 0, FW_PULLUP = 1 };
enum { FW_LOW = 0, FW_HIGH = 1 };

#define SEROUT_TABLE_MAX 256 /* delay tables must be shorter */

enum { TRIG_NONE, TRIG_UP, TRIG_DOWN, TRIG_BOTH, TRIG_LOW, TRIG_HIGH };

typedef struct trig_state {
    int type;
    int fn_ref;
    bool pending;  /* a callback is due */
    unsigned seq;  /* when it became pending, to call in order */
    int level;     /* the level at the first change not yet reported */
    uint32_t when; /* tmr.now() of it */
    int count;     /* changes since the last callback (2.2 on) */
} trig_state;

static trig_state trigs[NM_GPIO_PINS];
static unsigned trig_seq;
static nm_task trig_task;

/* ---- pins and arguments ---------------------------------------------------- */

/* The firmware reads pins as unsigned: a negative number is no pin either. */
static lua_Integer check_pin_number(lua_State *L, int arg)
{
    return luaL_checkinteger(L, arg);
}

static bool pin_exists(lua_Integer pin)
{
    return pin >= 0 && pin < NM_GPIO_PINS;
}

/* MOD_CHECK_ID's error: "gpio 13 does not exist". */
static int check_existing_pin(lua_State *L, int arg)
{
    lua_Integer pin = check_pin_number(L, arg);
    if (!pin_exists(pin))
        luaL_error(L, "gpio %d does not exist", (int)pin);
    return (int)pin;
}

/* ---- interrupts ------------------------------------------------------------ */

static bool trig_matches(int type, int level)
{
    switch (type) {
    case TRIG_UP:
    case TRIG_HIGH: return level == 1;
    case TRIG_DOWN:
    case TRIG_LOW: return level == 0;
    case TRIG_BOTH: return true;
    default: return false;
    }
}

static void run_trig_callbacks(nm_task *task);

static void interrupt(int pin, int level)
{
    trig_state *t = &trigs[pin];
    if (t->pending) {
        t->count++;
        return;
    }
    t->pending = true;
    t->seq = ++trig_seq;
    t->level = level;
    t->when = (uint32_t)(nm_uptime_us() & 0x7FFFFFFF);
    t->count = 1;
    nm_task_post(&trig_task, run_trig_callbacks);
}

/* The pin model's listener: runs inside writes and control commands, so it
 * only marks the pin and posts the task. */
static void on_level_change(int pin, int level, void *data)
{
    (void)data;
    trig_state *t = &trigs[pin];
    if (t->fn_ref != LUA_NOREF && trig_matches(t->type, level))
        interrupt(pin, level);
}

static int next_pending_pin(void)
{
    int best = -1;
    for (int pin = 0; pin < NM_GPIO_PINS; pin++)
        if (trigs[pin].pending && (best < 0 || trigs[pin].seq < trigs[best].seq))
            best = pin;
    return best;
}

static bool is_level_type(int type)
{
    return type == TRIG_LOW || type == TRIG_HIGH;
}

static void run_trig_callbacks(nm_task *task)
{
    (void)task;
    lua_State *L = nm_lua_state();
    int pin;
    while (L != NULL && (pin = next_pending_pin()) >= 0) {
        trig_state *t = &trigs[pin];
        t->pending = false;
        if (t->fn_ref == LUA_NOREF)
            continue;
        nm_ref_push(L, t->fn_ref);
        lua_pushinteger(L, t->level);
        int nargs = 1;
        if (nm_since(NM_ERA_2_2)) {
            lua_pushinteger(L, t->when);
            lua_pushinteger(L, t->count);
            nargs = 3;
        }
        nm_lua_call(L, nargs);
        L = nm_lua_state();
        /* A level interrupt is enabled again after its callback: it fires
         * again while the level holds (on a later turn, not in this loop). */
        if (L != NULL && t->fn_ref != LUA_NOREF && is_level_type(t->type) &&
            trig_matches(t->type, nm_gpio_level(pin)) && !t->pending) {
            interrupt(pin, nm_gpio_level(pin));
            break;
        }
    }
}

/* A registered callback keeps the run alive (see nm_gpio_hold_loop). */
static void update_hold(void)
{
    bool any = false;
    for (int pin = 0; pin < NM_GPIO_PINS; pin++)
        any = any || trigs[pin].fn_ref != LUA_NOREF;
    nm_gpio_hold_loop(any);
}

static void clear_trig(lua_State *L, int pin)
{
    nm_ref_clear(L, &trigs[pin].fn_ref);
    trigs[pin].pending = false;
    update_hold();
}

/* gpio.trig(pin[, type[, fn]]) */
static int gpio_trig(lua_State *L)
{
    static const char *const types[] = {"none", "up", "down", "both", "low", "high", NULL};
    lua_Integer n = check_pin_number(L, 1);
    luaL_argcheck(L, pin_exists(n) && n > 0, 1, "Invalid interrupt pin");
    int pin = (int)n;
    int type = luaL_checkoption(L, 2, "none", types);
    trig_state *t = &trigs[pin];
    if (type == TRIG_NONE) {
        clear_trig(L, pin);
    } else if (lua_gettop(L) == 2 && t->fn_ref != LUA_NOREF) {
        /* the callback stays */
    } else if (lua_isfunction(L, 3)) {
        nm_ref_set(L, &t->fn_ref, 3);
        update_hold();
    } else {
        clear_trig(L, pin);
        t->type = TRIG_NONE;
        return luaL_argerror(L, 3, "invalid callback type");
    }
    t->type = type;
    t->pending = false; /* changes queued under the old setting are dropped, as the firmware does */
    if (is_level_type(type) && t->fn_ref != LUA_NOREF && trig_matches(type, nm_gpio_level(pin)))
        interrupt(pin, nm_gpio_level(pin));
    return 0;
}

/* ---- mode, read, write ------------------------------------------------------ */

/* gpio.mode(pin, mode[, pullup]) */
static int gpio_mode(lua_State *L)
{
    lua_Integer pin = check_pin_number(L, 1);
    lua_Integer mode = luaL_checkinteger(L, 2);
    lua_Integer pull = luaL_optinteger(L, 3, FW_FLOAT);
    luaL_argcheck(L, pin_exists(pin) && (mode != FW_INT || pin > 0), 1, "Invalid pin");
    luaL_argcheck(L, mode == FW_OUTPUT || mode == FW_OPENDRAIN || mode == FW_INPUT || mode == FW_INT, 2,
                  "wrong arg type");
    if (mode != FW_INT)
        clear_trig(L, (int)pin);
    static const nm_gpio_mode modes[] = {NM_GPIO_INPUT, NM_GPIO_OUTPUT, NM_GPIO_INT, NM_GPIO_OPENDRAIN};
    nm_gpio_set_mode((int)pin, modes[mode], pull != FW_FLOAT);
    return 0;
}

static int gpio_read(lua_State *L)
{
    int pin = check_existing_pin(L, 1);
    lua_pushinteger(L, nm_gpio_level(pin));
    return 1;
}

static int gpio_write(lua_State *L)
{
    int pin = check_existing_pin(L, 1);
    lua_Integer level = luaL_checkinteger(L, 2);
    luaL_argcheck(L, level == FW_HIGH || level == FW_LOW, 2, "wrong level type");
    nm_gpio_write(pin, (int)level);
    return 0;
}

/* ---- serout ---------------------------------------------------------------- */

/* A running asynchronous serout: the firmware's step (set the level, flip
 * it, wait the next delay) driven by a loop timer. Steps are due on exact
 * microsecond times; the timer wakes at millisecond grain and catches up. */
typedef struct serout_run {
    nm_timer *timer;
    nm_task done_task;
    int pin, level;
    uint32_t *delays;
    size_t len, index;
    lua_Integer repeats; /* cycles left after the current one */
    uint64_t due_us;     /* when the next step is due */
    int done_ref;        /* the callback, or LUA_NOREF */
    bool active;
} serout_run;

static serout_run serout;

static void serout_stop(lua_State *L)
{
    if (serout.timer)
        nm_timer_stop(serout.timer);
    serout.active = false;
    free(serout.delays);
    serout.delays = NULL;
    nm_task_cancel(&serout.done_task);
    if (L != NULL)
        nm_ref_clear(L, &serout.done_ref);
}

static void serout_done(nm_task *task)
{
    (void)task;
    lua_State *L = nm_lua_state();
    if (L == NULL || serout.done_ref == LUA_NOREF)
        return;
    nm_ref_push(L, serout.done_ref);
    nm_ref_clear(L, &serout.done_ref);
    nm_lua_call(L, 0);
}

/* One step at its due time; false once the sequence is over. */
static bool serout_step(void)
{
    if (serout.index >= serout.len) {
        serout.active = false;
        free(serout.delays);
        serout.delays = NULL;
        nm_task_post(&serout.done_task, serout_done);
        return false;
    }
    nm_gpio_write(serout.pin, serout.level);
    serout.level ^= 1;
    serout.due_us += serout.delays[serout.index++];
    if (serout.repeats > 0 && serout.index >= serout.len) {
        serout.index = 0;
        serout.repeats--;
    }
    return true;
}

static void serout_arm(void)
{
    uint64_t now = nm_uptime_us();
    uint64_t wait = serout.due_us > now ? serout.due_us - now : 0;
    nm_timer_start(serout.timer, (wait + 999) / 1000, 0);
}

static void serout_tick(nm_timer *timer, void *data)
{
    (void)timer;
    (void)data;
    uint64_t now = nm_uptime_us();
    while (serout.active && serout.due_us <= now)
        if (!serout_step())
            return;
    if (serout.active)
        serout_arm();
}

/* The synchronous form blocks the whole process, as on the device, until
 * a stop signal or the watchdog interrupts it (runtime/interrupt.h): a
 * sequence may be given 2^31 cycles. */
static void serout_sync(int pin, int level, const uint32_t *delays, size_t len, lua_Integer cycles)
{
    while (cycles-- > 0) {
        for (size_t i = 0; i < len; i++) {
            nm_gpio_write(pin, level);
            level ^= 1;
            if (!nm_interrupt_sleep_us(delays[i]))
                return;
        }
    }
}

/* Reads the delay table (checked as the firmware does) into a new array. */
static uint32_t *check_delays(lua_State *L, size_t *len)
{
    luaL_argcheck(L, lua_istable(L, 3) && (*len = lua_rawlen(L, 3)) < SEROUT_TABLE_MAX, 3, "Invalid delay_times");
    uint32_t *delays = lua_newuserdata(L, (*len ? *len : 1) * sizeof *delays);
    for (size_t i = 0; i < *len; i++) {
        lua_rawgeti(L, 3, (lua_Integer)i + 1);
        lua_Integer d = luaL_checkinteger(L, -1);
        luaL_argcheck(L, d >= 0 && d <= UINT32_MAX, 3, "Invalid delay_times");
        delays[i] = (uint32_t)d;
        lua_pop(L, 1);
    }
    return delays;
}

/* gpio.serout(pin, start_level, delay_times[, cycle_num[, callback]]) */
static int gpio_serout(lua_State *L)
{
    lua_Integer pin = check_pin_number(L, 1);
    lua_Integer level = luaL_checkinteger(L, 2);
    lua_Integer cycles = luaL_optinteger(L, 4, 1);
    bool async = !lua_isnoneornil(L, 5);
    luaL_argcheck(L, pin_exists(pin), 1, "Invalid pin");
    luaL_argcheck(L, level == FW_HIGH || level == FW_LOW, 2, "Wrong level type");
    size_t len = 0;
    uint32_t *delays = check_delays(L, &len);
    luaL_argcheck(L, cycles >= 1, 4, "invalid cycle_num");
    luaL_argcheck(L, !async || lua_isfunction(L, 5) || lua_type(L, 5) == LUA_TNUMBER, 5, "function or number expected");
    serout_stop(L); /* a new sequence replaces a running one, whose callback never comes */
    if (!async) {
        serout_sync((int)pin, (int)level, delays, len, cycles);
        return 0;
    }
    if (serout.timer == NULL && (serout.timer = nm_timer_new(serout_tick, NULL)) == NULL)
        return luaL_error(L, "not enough memory");
    serout.delays = malloc((len ? len : 1) * sizeof *delays);
    if (serout.delays == NULL)
        return luaL_error(L, "not enough memory");
    memcpy(serout.delays, delays, len * sizeof *delays);
    serout.pin = (int)pin;
    serout.level = (int)level;
    serout.len = len;
    serout.index = 0;
    serout.repeats = cycles - 1;
    serout.due_us = nm_uptime_us();
    serout.active = true;
    if (lua_isfunction(L, 5))
        nm_ref_set(L, &serout.done_ref, 5);
    if (serout_step()) /* the first level is set inside the call, as on the device */
        serout_arm();
    return 0;
}

/* ---- the module ------------------------------------------------------------ */

/* Runs when the Lua state closes: nothing may call into it any more. */
static int module_gc(lua_State *L)
{
    (void)L;
    nm_gpio_listen(NULL, NULL);
    nm_gpio_hold_loop(false);
    nm_task_cancel(&trig_task);
    serout_stop(NULL);
    if (serout.timer) {
        nm_timer_close(serout.timer);
        serout.timer = NULL;
    }
    gpio_pulse_close();
    return 0;
}

static const luaL_Reg gpio_functions[] = {
    {"mode", gpio_mode}, {"read", gpio_read},     {"write", gpio_write},
    {"trig", gpio_trig}, {"serout", gpio_serout}, {NULL, NULL},
};

static void set_int(lua_State *L, const char *name, lua_Integer v)
{
    lua_pushinteger(L, v);
    lua_setfield(L, -2, name);
}

int luaopen_gpio(lua_State *L)
{
    nm_lua_init(L);
    nm_gpio_init();
    for (int pin = 0; pin < NM_GPIO_PINS; pin++)
        trigs[pin] = (trig_state){.fn_ref = LUA_NOREF};
    serout.done_ref = LUA_NOREF;
    nm_gpio_listen(on_level_change, NULL);

    nm_on_state_close(L, "netmcu.gpio.sentinel", module_gc);

    luaL_newlib(L, gpio_functions);
    set_int(L, "INT", FW_INT);
    set_int(L, "OUTPUT", FW_OUTPUT);
    set_int(L, "OPENDRAIN", FW_OPENDRAIN);
    set_int(L, "INPUT", FW_INPUT);
    set_int(L, "HIGH", FW_HIGH);
    set_int(L, "LOW", FW_LOW);
    set_int(L, "FLOAT", FW_FLOAT);
    set_int(L, "PULLUP", FW_PULLUP);
    if (nm_since(NM_ERA_2_2)) {
        gpio_pulse_open(L);
        lua_setfield(L, -2, "pulse");
    }
    return 1;
}

/* require "net.gpio" finds this in net.so (Lua's all-in-one loader). */
int luaopen_net_gpio(lua_State *L)
{
    return luaopen_gpio(L);
}
