/*
 * profile.h — which firmware's behaviour the bindings reproduce.
 *
 * NM_PROFILE_15 (the default) is the seed documentation's firmware, release
 * 1.5.4.x. NM_PROFILE_22 is the firmware of tag 2.2.1-master_20190405, the
 * era most published scripts were written for: the lwIP-based net module
 * with its transition forms, the 2.x wifi API, both tmr APIs. NM_PROFILE_30
 * is the 3.0 release: getpeer order, reconnection events, error texts and
 * the rest of net-behaviour.md §9 (most of which 2.2 already has). The
 * profile is chosen before the first socket exists, by `netmcu --compat=2.2`
 * or NETMCU_COMPAT=2.2 (or 3.0), and cannot change afterwards.
 */
#ifndef NETMCU_PROFILE_H
#define NETMCU_PROFILE_H

#include <stdbool.h>

/* Firmware eras in release order: a difference is keyed to the release that
 * introduced it, and holds in every later era (nm_since). */
typedef enum { NM_ERA_1_5, NM_ERA_2_2, NM_ERA_3_0 } nm_era;
typedef nm_era nm_profile;
#define NM_PROFILE_15 NM_ERA_1_5
#define NM_PROFILE_22 NM_ERA_2_2
#define NM_PROFILE_30 NM_ERA_3_0

/* The profile in force; reads NETMCU_COMPAT on first use. */
nm_profile nm_profile_get(void);
/* Chooses the profile by name ("1.5", "2.2" or "3.0"); false for an unknown name
 * or when a socket already exists. */
bool nm_profile_set(const char *name);
/* Fixes the profile: called when the first socket or server is made. */
void nm_profile_lock(void);
const char *nm_profile_name(void);

/* True when the profile in force is ERA or a later release: reads "since ERA". */
static inline bool nm_since(nm_era era)
{
    return nm_profile_get() >= era;
}

#endif
