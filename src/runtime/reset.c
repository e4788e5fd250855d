/*
 * reset.c — the reset reason across power-ons (see reset.h).
 */
#include "runtime/reset.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#define ENV_NAME "NETMCU_BOOTREASON"

static nm_reset_reason current = NM_RESET_POWER_ON;
static nm_reset_reason next = NM_RESET_POWER_ON;
static bool announced;

void nm_reset_set_next(nm_reset_reason why)
{
    if (announced)
        return;
    announced = true;
    next = why;
    char code[4];
    snprintf(code, sizeof code, "%d", (int)why);
    setenv(ENV_NAME, code, 1);
}

/* A reason given in the environment, by a re-executed runner or the user. */
static bool reason_from_environment(nm_reset_reason *why)
{
    const char *env = getenv(ENV_NAME);
    if (env == NULL || env[0] < '0' || env[0] > '6' || env[1] != '\0')
        return false;
    *why = (nm_reset_reason)(env[0] - '0');
    return true;
}

void nm_reset_power_on(void)
{
    if (!announced && !reason_from_environment(&next))
        next = NM_RESET_POWER_ON;
    current = next;
    next = NM_RESET_POWER_ON;
    announced = false;
    unsetenv(ENV_NAME); /* programs the script starts are no reboot */
}

nm_reset_reason nm_reset_reason_now(void)
{
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
