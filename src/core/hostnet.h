/*
 * hostnet.h — the host's real IPv4 address, netmask and gateway, for the
 * simulated wifi station to report (docs/architecture.md §7: what the script serves is
 * reachable on the address it is told).
 */
#ifndef NETMCU_HOSTNET_H
#define NETMCU_HOSTNET_H

#include <stdint.h>

typedef struct nm_hostnet {
    uint32_t ip, mask, gw; /* network byte order; gw 0 when the interface has no default route */
    char ifname[16];
} nm_hostnet;

/* Chooses the address: `want` (dotted quad) must be one the host has;
 * without it, the address of the interface carrying the default route,
 * else the first other non-loopback interface that is up, else 127.0.0.1/8.
 * Returns 0, -EINVAL for a malformed `want`, -EADDRNOTAVAIL when the host
 * does not have it. */
int nm_hostnet_pick(const char *want, nm_hostnet *out);

/* The gateway of the default route through ifname, from /proc/net/route; 0 if none. */
uint32_t nm_hostnet_gateway(const char *ifname);

#endif
