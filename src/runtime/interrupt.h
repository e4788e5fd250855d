/*
 * interrupt.h — taking Lua back from code that never returns to the loop.
 *
 * SIGTERM and SIGINT must end a run whatever it is doing: a busy loop in the
 * script or in a callback, a blocking call (tmr.delay, a synchronous
 * gpio.serout), a net.run() the script called itself; the board's watchdog
 * must likewise reset a board whose Lua keeps the loop waiting. A signal
 * handler may do only what lua.c does for Ctrl-C: set a count hook on the Lua
 * state, which raises an error at the next instruction of Lua code, and wake
 * the loop (uv_async_send). The hook stays set, so a pcall in the script
 * cannot swallow the error; blocking calls wait in short slices and return
 * early (nm_interrupt_sleep_us); the places that report errors (luacall.c, the
 * runner, the console) see nm_interrupted() and stay quiet. Under LuaJIT the
 * watched state runs interpreted: compiled loops never call hooks.
 *
 * A second SIGTERM or SIGINT ends the process at once by the signal's default
 * action — but not the copy that timeout(1) sends to the process group right
 * after signalling the process itself (same signal, same sender, < 100 ms).
 */
#ifndef NETMCU_INTERRUPT_H
#define NETMCU_INTERRUPT_H

#include <stdbool.h>
#include <stdint.h>

#include "runtime/compat.h"

typedef enum {
    NM_INTERRUPT_NONE,
    NM_INTERRUPT_WATCHDOG, /* the board's watchdog: the board resets */
    NM_INTERRUPT_STOP,     /* SIGTERM or SIGINT: the run ends, status 0 */
} nm_interrupt;

/* What the loop is told once woken after an interrupt (called from the loop). */
typedef void (*nm_interrupt_fn)(nm_interrupt why);

/* Catches SIGTERM and, with sigint, SIGINT from now on (the interactive
 * console installs its own SIGINT handler while it runs, and restores this
 * one); on_wake runs from the loop after each interrupt. */
void nm_interrupt_watch_signals(bool sigint, nm_interrupt_fn on_wake);
/* The state whose Lua code an interrupt stops (NULL: none, e.g. between two
 * boots). Under LuaJIT this turns its JIT compiler off. */
void nm_interrupt_set_state(lua_State *L);

/* Why Lua is being stopped, or NM_INTERRUPT_NONE. */
nm_interrupt nm_interrupted(void);
/* Async-signal-safe: stops the Lua code running now for why (a stop
 * outranks the watchdog) and wakes the loop. */
void nm_interrupt_raise(nm_interrupt why);
/* Forgets a watchdog interrupt once the board has reset; a stop stays. */
void nm_interrupt_clear_watchdog(void);

/* Sleeps us microseconds, or until an interrupt: false when one came. */
bool nm_interrupt_sleep_us(uint64_t us);

#endif
