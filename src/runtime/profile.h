/*
 * profile.h — which firmware's behaviour the bindings reproduce.
 *
 * NM_PROFILE_15 (the default) is the seed documentation's firmware, release
 * 1.5.4.x. NM_PROFILE_30 is the later lwIP-based net module (3.0 releases):
 * getpeer order, reconnection events, error texts and the rest of
 * net-behaviour.md §9. The profile is chosen before the first socket exists,
 * by `netmcu --compat=3.0` or NETMCU_COMPAT=3.0, and cannot change afterwards.
 */
#ifndef NETMCU_PROFILE_H
#define NETMCU_PROFILE_H

#include <stdbool.h>

typedef enum { NM_PROFILE_15, NM_PROFILE_30 } nm_profile;

/* The profile in force; reads NETMCU_COMPAT on first use. */
nm_profile nm_profile_get(void);
/* Chooses the profile by name ("1.5" or "3.0"); false for an unknown name
 * or when a socket already exists. */
bool nm_profile_set(const char *name);
/* Fixes the profile: called when the first socket or server is made. */
void nm_profile_lock(void);
const char *nm_profile_name(void);

static inline bool nm_modern(void)
{
    return nm_profile_get() == NM_PROFILE_30;
}

#endif
