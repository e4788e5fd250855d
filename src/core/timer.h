/*
 * timer.h — a one-shot or repeating timer on the loop, and the clock scripts see.
 *
 * A thin owner of one uv_timer_t for the bindings (tmr, the soft watchdog):
 * the binding keeps a pointer to an nm_timer, never the handle itself, and
 * nm_timer_close frees the object only once libuv has finished closing the
 * handle, so a Lua object collected mid-callback can never leave a dangling
 * handle behind. A timer keeps the loop alive only while it is started.
 */
#ifndef NETMCU_TIMER_H
#define NETMCU_TIMER_H

#include <stdbool.h>
#include <stdint.h>

typedef struct nm_timer nm_timer;
typedef void (*nm_timer_fn)(nm_timer *timer, void *data);

/* A stopped timer that calls fn(timer, data) when it expires; NULL when out of memory. */
nm_timer *nm_timer_new(nm_timer_fn fn, void *data);
/* Starts (or restarts) the timer: first expiry after ms, then every repeat_ms (0: once). */
void nm_timer_start(nm_timer *timer, uint64_t ms, uint64_t repeat_ms);
void nm_timer_stop(nm_timer *timer);
bool nm_timer_active(const nm_timer *timer);
/* Does not keep the loop alive even while started (watchdogs, housekeeping). */
void nm_timer_weak(nm_timer *timer);
/* Keeps the loop alive again while started (undoes nm_timer_weak). */
void nm_timer_strong(nm_timer *timer);
/* Stops the timer; it is freed from the loop once its handle is closed. */
void nm_timer_close(nm_timer *timer);

/* Microseconds on a monotonic clock since the first call (the process start). */
uint64_t nm_uptime_us(void);
/* Starts the counter again at the next nm_uptime_us (a reboot of the board). */
void nm_uptime_restart(void);

#endif
