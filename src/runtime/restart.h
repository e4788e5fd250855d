/*
 * restart.h — the end of a run as a restart asks for it.
 *
 * node.restart() and an expired tmr.softwd() end the run the way a restart
 * ends everything on the device: the loop stops and the runner exits with a
 * status of its own, so a supervising shell can tell a restart from an error
 * and start the script again if it wants the device's behaviour. In boot mode
 * (runner/boot.h) the runner reboots the board instead.
 */
#ifndef NETMCU_RESTART_H
#define NETMCU_RESTART_H

#include <stdbool.h>

enum {
    NM_EXIT_RESTART = 3,    /* node.restart() */
    NM_EXIT_WATCHDOG = 4,   /* tmr.softwd() expired */
    NM_EXIT_DEEP_SLEEP = 5, /* node.dsleep(): boot mode sleeps, then powers on */
};

/* Asks the run to end with status (NM_EXIT_*) after printing why to stderr.
 * The loop stops after the current callback; the first request wins. */
void nm_request_restart(int status, const char *why);
/* The status asked for, or 0 when nothing asked the run to end. */
int nm_restart_status(void);
/* Boot mode: a restart reboots the board instead of ending the run, and is
 * cleared once the fresh state is up. */
void nm_set_rebooting(bool on);
void nm_clear_restart(void);

#endif
