/*
 * reset.c — why the board last started (reset.h).
 */
#include "runtime/reset.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#define ENV_NAME "NETMCU_BOOTREASON"

static nm_reset_reason current = NM_RESET_POWER_ON;
static nm_reset_reason requested;
static bool has_request, powered_before, read_environment;

void nm_reset_request(nm_reset_reason why)
{
    if (has_request)
        return;
    requested = why;
    has_request = true;
    char code[4];
    snprintf(code, sizeof code, "%d", (int)why);
    setenv(ENV_NAME, code, 1); /* for a runner that reboots by exec */
}

/* The cause a re-executed runner or the user put in the environment, read
 * once: programs the script starts later are no reboot. */
static bool cause_from_environment(nm_reset_reason *why)
{
    if (read_environment)
        return false;
    read_environment = true;
    const char *env = getenv(ENV_NAME);
    bool found = env != NULL && env[0] >= '0' && env[0] <= '6' && env[1] == '\0';
    if (found)
        *why = (nm_reset_reason)(env[0] - '0');
    unsetenv(ENV_NAME);
    return found;
}

void nm_reset_power_on(void)
{
    nm_reset_reason from_env;
    bool env = cause_from_environment(&from_env);
    if (has_request)
        current = requested;
    else if (env)
        current = from_env;
    else
        current = powered_before ? NM_RESET_SOFT_RESTART : NM_RESET_POWER_ON;
    has_request = false;
    powered_before = true;
    unsetenv(ENV_NAME);
}

nm_reset_reason nm_reset_reason_now(void)
{
    nm_reset_reason from_env;
    if (!powered_before && cause_from_environment(&from_env))
        current = from_env; /* script mode: no power-on but this one */
    return current;
}

int nm_reset_raw_code(nm_reset_reason why)
{
    switch (why) {
    case NM_RESET_POWER_ON: return 1;
    case NM_RESET_HW_WATCHDOG: return 4;
    default: return 2;
    }
}
