/*
 * profile.c — the compatibility profile switch.
 */
#include "runtime/profile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static nm_profile current = NM_PROFILE_15;
static bool chosen, locked;

static bool parse(const char *name, nm_profile *out)
{
    if (strcmp(name, "1.5") == 0 || strcmp(name, "seed") == 0)
        *out = NM_PROFILE_15;
    else if (strcmp(name, "2.2") == 0)
        *out = NM_PROFILE_22;
    else if (strcmp(name, "3.0") == 0 || strcmp(name, "modern") == 0)
        *out = NM_PROFILE_30;
    else
        return false;
    return true;
}

nm_profile nm_profile_get(void)
{
    if (!chosen) {
        chosen = true;
        const char *env = getenv("NETMCU_COMPAT");
        if (env && *env && !parse(env, &current))
            fprintf(stderr, "netmcu: NETMCU_COMPAT=%s is not a profile (1.5, 2.2 or 3.0); using 1.5\n", env);
    }
    return current;
}

bool nm_profile_set(const char *name)
{
    nm_profile p;
    if (locked || !parse(name, &p))
        return false;
    current = p;
    chosen = true;
    return true;
}

void nm_profile_lock(void)
{
    nm_profile_get();
    locked = true;
}

const char *nm_profile_name(void)
{
    static const char *const names[] = {[NM_ERA_1_5] = "1.5", [NM_ERA_2_2] = "2.2", [NM_ERA_3_0] = "3.0"};
    return names[nm_profile_get()];
}
