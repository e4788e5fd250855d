/*
 * reset.c — why the board last started (reset.h).
 */
#include "runtime/reset.h"

#include <stdbool.h>

static nm_reset_reason current = NM_RESET_POWER_ON;
static nm_reset_reason requested;
static bool has_request, powered_before;

void nm_reset_request(nm_reset_reason why)
{
    if (has_request)
        return;
    requested = why;
    has_request = true;
}

void nm_reset_power_on(void)
{
    if (has_request)
        current = requested;
    else
        current = powered_before ? NM_RESET_SOFT_RESTART : NM_RESET_POWER_ON;
    has_request = false;
    powered_before = true;
}

nm_reset_reason nm_reset_reason_now(void)
{
    return current;
}
