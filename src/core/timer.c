/*
 * timer.c — nm_timer: one uv_timer_t, freed in its close callback.
 */
#include "core/timer.h"

#include <stdlib.h>

#include "core/loop.h"

struct nm_timer {
    uv_timer_t handle;
    nm_timer_fn fn;
    void *data;
    bool realtime; /* ignores the clock factor */
};

static double clock_factor = 1.0;

bool nm_clock_set_factor(double factor)
{
    if (!(factor >= 0.01 && factor <= 10000.0))
        return false;
    clock_factor = factor;
    return true;
}

double nm_clock_factor(void)
{
    return clock_factor;
}

uint64_t nm_clock_host_us(uint64_t board_us)
{
    return (uint64_t)((double)board_us / clock_factor + 0.5);
}

uint64_t nm_clock_board_us(void)
{
    if (clock_factor == 1.0)
        return uv_hrtime() / 1000;
    return (uint64_t)((double)uv_hrtime() * clock_factor / 1000.0);
}

/* A board wait in host ms: never 0 for a non-zero wait, so a fast clock
 * cannot turn a timer into a busy loop. */
static uint64_t host_ms(const nm_timer *timer, uint64_t ms)
{
    if (timer->realtime || clock_factor == 1.0 || ms == 0)
        return ms;
    uint64_t scaled = (uint64_t)((double)ms / clock_factor + 0.5);
    return scaled == 0 ? 1 : scaled;
}

static void on_expire(uv_timer_t *handle)
{
    nm_timer *timer = handle->data;
    timer->fn(timer, timer->data);
}

nm_timer *nm_timer_new(nm_timer_fn fn, void *data)
{
    nm_timer *timer = calloc(1, sizeof *timer);
    if (timer == NULL)
        return NULL;
    timer->fn = fn;
    timer->data = data;
    uv_timer_init(nm_loop(), &timer->handle);
    timer->handle.data = timer;
    return timer;
}

void nm_timer_start(nm_timer *timer, uint64_t ms, uint64_t repeat_ms)
{
    /* libuv measures from the loop's cached time; refresh it so that time
     * spent in the Lua code that started us does not shorten the wait. */
    uv_update_time(nm_loop());
    uv_timer_start(&timer->handle, on_expire, host_ms(timer, ms), host_ms(timer, repeat_ms));
}

void nm_timer_stop(nm_timer *timer)
{
    uv_timer_stop(&timer->handle);
}

bool nm_timer_active(const nm_timer *timer)
{
    return uv_is_active((const uv_handle_t *)&timer->handle);
}

void nm_timer_realtime(nm_timer *timer)
{
    timer->realtime = true;
}

void nm_timer_weak(nm_timer *timer)
{
    uv_unref((uv_handle_t *)&timer->handle);
}

void nm_timer_strong(nm_timer *timer)
{
    uv_ref((uv_handle_t *)&timer->handle);
}

static void on_closed(uv_handle_t *handle)
{
    free(handle->data);
}

void nm_timer_close(nm_timer *timer)
{
    uv_timer_stop(&timer->handle);
    timer->fn = NULL;
    uv_close((uv_handle_t *)&timer->handle, on_closed);
}

static uint64_t start_ns;

void nm_uptime_restart(void)
{
    start_ns = 0;
}

uint64_t nm_uptime_us(void)
{
    uint64_t now = uv_hrtime();
    if (start_ns == 0)
        start_ns = now;
    if (clock_factor == 1.0)
        return (now - start_ns) / 1000;
    return (uint64_t)((double)(now - start_ns) * clock_factor / 1000.0);
}
