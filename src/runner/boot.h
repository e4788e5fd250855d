/*
 * boot.h — the board's life cycle (`netmcu --boot`).
 *
 * Power on: a fresh Lua state with the modules, the firmware's banner for the
 * profile, init.lua from the flash (or the device's message when there is
 * none), then the console. node.restart() (and an expired soft watchdog)
 * reboots: the console stops, the Lua state closes, every socket, server and
 * timer still open is closed with the loop's handles, and the board powers on
 * again with a fresh state; node.dsleep() first sleeps (nothing runs), then
 * powers on the same way. Ctrl-D on a terminal or SIGTERM switches it off;
 * when standard input is no terminal, its end leaves the board running until
 * nothing is left to do, as a device without a serial cable goes on serving.
 */
#ifndef NETMCU_BOOT_H
#define NETMCU_BOOT_H

#include "runtime/compat.h"

/* Makes the Lua state of one power-on, with every module open; NULL on failure. */
typedef lua_State *(*nm_new_state_fn)(void *arg);

/* Runs the board until it is switched off; returns the exit status. */
int nm_boot_run(nm_new_state_fn new_state, void *arg);

#endif
