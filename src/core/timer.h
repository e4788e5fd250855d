/*
 * timer.h — a one-shot or repeating timer on the loop, and the clock scripts see.
 *
 * A thin owner of one uv_timer_t for the bindings (tmr, the soft watchdog):
 * the binding keeps a pointer to an nm_timer, never the handle itself, and
 * nm_timer_close frees the object only once libuv has finished closing the
 * handle, so a Lua object collected mid-callback can never leave a dangling
 * handle behind. A timer keeps the loop alive only while it is started.
 *
 * The board's clock can run faster (or slower) than the host's by a factor
 * (--clock=N), so that a script's 10-minute timer can be tested in seconds:
 * every nm_timer waits ms / factor of real time and nm_uptime_us counts real
 * time × factor. A timer that guards real network I/O (a request's timeout)
 * is marked nm_timer_realtime and keeps the host's time.
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
/* Keeps this timer on the host's time whatever the clock factor (network timeouts). */
void nm_timer_realtime(nm_timer *timer);
/* Keeps the loop alive again while started (undoes nm_timer_weak). */
void nm_timer_strong(nm_timer *timer);
/* Stops the timer; it is freed from the loop once its handle is closed. */
void nm_timer_close(nm_timer *timer);

/* The board's clock runs factor times the host's (0.01 to 10000; 1 by default).
 * Returns false, changing nothing, for a factor out of that range. Set it before
 * any timer starts: a timer already waiting keeps the wait it was given. */
bool nm_clock_set_factor(double factor);
double nm_clock_factor(void);
/* The board's monotonic µs since an arbitrary start, never reset by a reboot
 * (the RTC's reference: a clock that lives across node.restart). */
uint64_t nm_clock_board_us(void);
/* The host's time for a board duration in µs (tmr.delay's sleep). */
uint64_t nm_clock_host_us(uint64_t board_us);

/* Microseconds of board time on a monotonic clock since the first call (the process start). */
uint64_t nm_uptime_us(void);
/* Starts the counter again at the next nm_uptime_us (a reboot of the board). */
void nm_uptime_restart(void);

#endif
