/*
 * gpio_pulse.c — gpio.pulse (3.0): a program of steps, each setting some
 * pins' output latches and waiting a delay, with loops (loop/count) and
 * adjustable delays (min/max), run in the background; one program at a time.
 *
 * The firmware's entries, checks, texts, stepping and adjustment rules are
 * kept. Time: each step is processed at its exact due time in microseconds
 * on the clock tmr.now() reads (the loop timer that wakes the stepper has
 * millisecond grain and catches up), so a program does not drift; getstate's
 * offset is the real time left until the next step. The firmware leaves the
 * adjustment reference of a fresh start unset; netmcu starts it at the start.
 */
#include <stdint.h>
#include <string.h>

#include "core/gpio.h"
#include "core/loop.h"
#include "core/timer.h"
#include "modules/gpio.h"
#include "runtime/luacall.h"

#define PULSE_MT "gpio.pulse"
#define ENTRIES_MAX 100
#define DELAY_LIMIT 64000000
#define STOP_NOWHERE (-1)
#define STOP_NEXT (-2)

typedef struct pulse_entry {
    uint32_t set, clear;                 /* pin bits */
    int32_t delay, delay_min, delay_max; /* min/max -1: not adjustable */
    uint32_t count, count_left;
    uint32_t loop; /* 1-based step to go back to; 0: none */
} pulse_entry;

typedef struct pulser {
    uint32_t entry_count;
    uint32_t steps;
    uint32_t entry_pos;  /* the next step (0-based) */
    uint32_t active_pos; /* the current step */
    int32_t stop_pos;
    int32_t next_adjust;
    uint64_t due_us;     /* when the current step ends (the clock of nm_uptime_us) */
    uint64_t desired_us; /* where adjustable steps aim to end */
    int cb_ref;
    pulse_entry entry[];
} pulser;

static pulser *active;
static int active_ref = LUA_NOREF;
static nm_timer *timer;
static nm_task done_task;

/* pos (nil when finished), steps, offset (us to the next step), now. */
static int push_state(lua_State *L, const pulser *p)
{
    uint64_t now = nm_uptime_us();
    if (p->active_pos >= p->entry_count)
        lua_pushnil(L);
    else
        lua_pushinteger(L, p->active_pos + 1);
    lua_pushinteger(L, p->steps);
    lua_pushinteger(L, (lua_Integer)p->due_us - (lua_Integer)now);
    lua_pushinteger(L, (lua_Integer)(now & 0x7FFFFFFF));
    return 4;
}

/* ---- building ------------------------------------------------------------ */

static int32_t check_delay(lua_State *L, const char *what)
{
    lua_Integer d = luaL_checkinteger(L, -1);
    if (d < 0 || d > DELAY_LIMIT)
        luaL_error(L, "%s of %d must be in the range 0 .. 64000000 microseconds", what, (int)d);
    return (int32_t)d;
}

/* Fills e from the table on top of the stack (popped), as build and update do. */
static void fill_entry(lua_State *L, pulse_entry *e)
{
    if (!lua_istable(L, -1))
        luaL_error(L, "All entries must be tables");
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        if (lua_type(L, -2) == LUA_TNUMBER) {
            lua_Integer pin = luaL_checkinteger(L, -2);
            lua_Integer value = luaL_checkinteger(L, -1);
            if (pin < 0 || pin >= NM_GPIO_PINS)
                luaL_error(L, "pin number %d must be in range 0 .. %d", (int)pin, NM_GPIO_PINS - 1);
            if (value)
                e->set |= 1u << pin;
            else
                e->clear |= 1u << pin;
        } else {
            const char *key = luaL_checkstring(L, -2);
            if (strcmp(key, "delay") == 0)
                e->delay = check_delay(L, "delay");
            else if (strcmp(key, "min") == 0)
                e->delay_min = check_delay(L, "delay minimum");
            else if (strcmp(key, "max") == 0)
                e->delay_max = check_delay(L, "delay maximum");
            else if (strcmp(key, "count") == 0)
                e->count = (uint32_t)luaL_checkinteger(L, -1);
            else if (strcmp(key, "loop") == 0)
                e->loop = (uint32_t)luaL_checkinteger(L, -1);
            else
                luaL_error(L, "Unrecognized key found: %s", key);
        }
        lua_pop(L, 1);
    }
    if (e->delay_min != -1 || e->delay_max != -1) {
        if (e->delay_min == -1)
            e->delay_min = 0;
        /* as on the firmware, a min without a max fails this check */
        if (e->delay_min > e->delay || e->delay_max < e->delay)
            luaL_error(L, "Delay of %d must be between min and max", (int)e->delay);
    }
    lua_pop(L, 1);
}

static int pulse_build(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    size_t size = lua_rawlen(L, 1);
    if (size > ENTRIES_MAX)
        return luaL_error(L, "table is too large: %d entries is more than 100", (int)size);
    pulser *p = lua_newuserdata(L, sizeof(*p) + size * sizeof(pulse_entry));
    memset(p, 0, sizeof(*p) + size * sizeof(pulse_entry));
    p->entry_count = (uint32_t)size;
    p->cb_ref = LUA_NOREF;
    luaL_setmetatable(L, PULSE_MT);
    for (size_t i = 0; i < size; i++) {
        p->entry[i].delay_min = p->entry[i].delay_max = -1;
        lua_rawgeti(L, 1, (lua_Integer)i + 1);
        fill_entry(L, &p->entry[i]);
    }
    return 1;
}

static pulser *check_pulser(lua_State *L)
{
    return luaL_checkudata(L, 1, PULSE_MT);
}

static int pulse_update(lua_State *L)
{
    pulser *p = check_pulser(L);
    lua_Integer n = luaL_checkinteger(L, 2);
    if (n < 1 || n > (lua_Integer)p->entry_count)
        return luaL_error(L, "entry number must be in range 1 .. %d", (int)p->entry_count);
    pulse_entry e = p->entry[n - 1];
    lua_pushvalue(L, 3);
    fill_entry(L, &e);
    p->entry[n - 1] = e;
    return 0;
}

/* ---- running --------------------------------------------------------------- */

static void apply_pins(const pulse_entry *e)
{
    for (int pin = 0; pin < NM_GPIO_PINS; pin++) {
        if (e->set & (1u << pin))
            nm_gpio_latch(pin, 1);
        if (e->clear & (1u << pin))
            nm_gpio_latch(pin, 0);
    }
}

static void run_done(nm_task *task);

static void finish(void)
{
    nm_timer_stop(timer);
    nm_task_post(&done_task, run_done);
}

/* The delay of an adjustable step: aimed at the desired end, moved by the
 * pending adjustment, kept within min..max (the rest waits for the next). */
static int64_t adjusted_delay(pulser *p, const pulse_entry *e, uint64_t now, int64_t *late)
{
    int64_t delay = e->delay;
    int32_t offset = p->next_adjust;
    p->next_adjust = 0;
    *late = (int64_t)now - (int64_t)p->desired_us;
    delay = delay - *late + offset;
    if (delay < e->delay_min) {
        p->next_adjust = (e->delay - e->delay_min) + offset;
        delay = e->delay_min;
    } else if (delay > e->delay_max) {
        p->next_adjust = (e->delay - e->delay_max) + offset;
        delay = e->delay_max;
    }
    return delay;
}

/* Runs the step due at `now` (its exact due time); false once finished. */
static bool step(pulser *p, uint64_t now)
{
    p->active_pos = p->entry_pos;
    p->steps++;
    if (p->entry_pos >= p->entry_count) {
        finish();
        return false;
    }
    pulse_entry *e = &p->entry[p->entry_pos];
    apply_pins(e);
    if (p->stop_pos == STOP_NEXT || p->stop_pos == (int32_t)p->entry_pos) {
        finish();
        return false;
    }
    if (e->loop) {
        if (e->count_left == 0)
            e->count_left = e->count + 1;
        p->entry_pos = --e->count_left >= 1 ? e->loop - 1 : p->entry_pos + 1;
    } else {
        p->entry_pos++;
    }
    int64_t late = 0;
    int64_t delay = e->delay_min != -1 ? adjusted_delay(p, e, now, &late) : e->delay;
    p->desired_us += (uint64_t)(delay + late);
    p->due_us = now + (uint64_t)delay;
    return true;
}

static void tick(nm_timer *t, void *data)
{
    (void)t;
    (void)data;
    uint64_t now = nm_uptime_us();
    while (active != NULL && active->due_us <= now && !done_task.posted)
        if (!step(active, active->due_us))
            return;
    if (active != NULL && !done_task.posted)
        nm_timer_start(timer, (active->due_us - now + 999) / 1000, 0);
}

static void drop_active(lua_State *L)
{
    active = NULL;
    nm_ref_clear(L, &active_ref);
}

/* The program has ended (or stopped): the callback gets the final state. */
static void run_done(nm_task *task)
{
    (void)task;
    lua_State *L = nm_lua_state();
    if (L == NULL || active == NULL)
        return;
    pulser *p = active;
    nm_ref_push(L, p->cb_ref);
    push_state(L, p);
    nm_ref_push(L, active_ref); /* kept on the stack through the call */
    lua_insert(L, -6);
    drop_active(L);
    nm_lua_call(L, 4);
    lua_pop(L, 1);
}

static int pulse_start(lua_State *L)
{
    pulser *p = check_pulser(L);
    if (active != NULL)
        return luaL_error(L, "pulse operation already in progress");
    int arg = 2;
    int32_t adjust = 0;
    if (lua_type(L, arg) == LUA_TNUMBER)
        adjust = (int32_t)luaL_checkinteger(L, arg++);
    if (!lua_isfunction(L, arg))
        return luaL_error(L, "missing callback");
    if (timer == NULL && (timer = nm_timer_new(tick, NULL)) == NULL)
        return luaL_error(L, "not enough memory");
    nm_ref_set(L, &p->cb_ref, arg);
    active = p;
    nm_ref_set(L, &active_ref, 1);
    for (uint32_t i = 0; i < p->entry_count; i++)
        p->entry[i].count_left = 0;
    p->entry_pos = p->active_pos = p->steps = 0;
    p->stop_pos = STOP_NOWHERE;
    p->next_adjust = adjust;
    uint64_t now = nm_uptime_us();
    p->due_us = p->desired_us = now;
    tick(timer, NULL); /* the first step's pins are set inside the call */
    return 0;
}

static int pulse_getstate(lua_State *L)
{
    return push_state(L, check_pulser(L));
}

static int pulse_stop(lua_State *L)
{
    pulser *p = check_pulser(L);
    if (p != active)
        return 0;
    int arg = 2;
    int32_t stop = STOP_NEXT;
    if (lua_type(L, arg) == LUA_TNUMBER) {
        lua_Integer pos = luaL_checkinteger(L, arg++);
        if (pos != STOP_NEXT) {
            if (pos < 1 || pos > (lua_Integer)p->entry_count)
                return luaL_error(L, "bad stop position: %d (valid range 1 - %d)", (int)pos, (int)p->entry_count);
            stop = (int32_t)pos - 1;
        }
    }
    if (!lua_isfunction(L, arg))
        return luaL_error(L, "missing callback");
    nm_ref_set(L, &p->cb_ref, arg);
    p->stop_pos = stop;
    lua_pushboolean(L, 1);
    return 1;
}

static int pulse_cancel(lua_State *L)
{
    pulser *p = check_pulser(L);
    if (p != active)
        return 0;
    nm_timer_stop(timer);
    nm_task_cancel(&done_task);
    int n = push_state(L, p);
    drop_active(L);
    return n;
}

static int pulse_adjust(lua_State *L)
{
    pulser *p = check_pulser(L);
    if (p != active)
        return 0;
    p->next_adjust = (int32_t)luaL_checkinteger(L, 2);
    return push_state(L, p);
}

static int pulse_gc(lua_State *L)
{
    pulser *p = check_pulser(L);
    if (p != active)
        nm_ref_clear(L, &p->cb_ref);
    return 0;
}

static const luaL_Reg pulse_methods[] = {
    {"getstate", pulse_getstate},
    {"stop", pulse_stop},
    {"cancel", pulse_cancel},
    {"start", pulse_start},
    {"adjust", pulse_adjust},
    {"update", pulse_update},
    {NULL, NULL},
};

void gpio_pulse_open(lua_State *L)
{
    active = NULL;
    active_ref = LUA_NOREF;
    nm_register_type(L, PULSE_MT, pulse_methods, pulse_gc);
    lua_newtable(L);
    lua_pushcfunction(L, pulse_build);
    lua_setfield(L, -2, "build");
}

void gpio_pulse_close(void)
{
    active = NULL;
    active_ref = LUA_NOREF;
    nm_task_cancel(&done_task);
    if (timer != NULL) {
        nm_timer_close(timer);
        timer = NULL;
    }
}
