/*
 * console.h — the interactive console of the runner, on the event loop.
 *
 * Like the device's serial console, it never blocks the loop: stdin is
 * watched by a uv_poll_t and, on a terminal, GNU readline's callback
 * interface edits the line and keeps the history, so servers accept, timers
 * fire and callbacks print while the user types. Lines go to the shared line
 * interpreter (lua/repl.h). Ctrl-C interrupts the running Lua code through a
 * hook set from the signal handler (as lua.c does) or, at the prompt, drops
 * the line; Ctrl-D (or the end of a piped stdin) ends the console and the run.
 */
#ifndef NETMCU_CONSOLE_H
#define NETMCU_CONSOLE_H

#include <stdbool.h>

#include "runtime/compat.h"

/* Starts reading stdin; readline when stdin is a terminal. False on failure. */
bool nm_console_start(lua_State *L);
/* True until the console has ended (Ctrl-D, end of input). */
bool nm_console_active(void);
/* After an unhandled callback error: the serial console shows it with a new
 * prompt (on a terminal its report already took the prompt off and back). */
void nm_console_refresh(void);
/* Restores the terminal and closes the console's handles (before exit). */
void nm_console_stop(void);

#endif
