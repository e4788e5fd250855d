/*
 * restart.c — the run's end as a restart or watchdog asks for it.
 */
#include "runtime/restart.h"

#include <stdio.h>

#include "core/loop.h"

static int exit_status;
static bool rebooting; /* boot mode: a restart reboots the board */

void nm_request_restart(int status, const char *why)
{
    if (exit_status != 0)
        return;
    exit_status = status;
    if (rebooting)
        fprintf(stderr, "netmcu: %s: rebooting\n", why);
    else
        fprintf(stderr, "netmcu: %s: the run ends here (exit status %d)\n", why, status);
    fflush(stderr);
    uv_stop(nm_loop());
}

void nm_set_rebooting(bool on)
{
    rebooting = on;
}

void nm_clear_restart(void)
{
    exit_status = 0;
}

int nm_restart_status(void)
{
    return exit_status;
}
