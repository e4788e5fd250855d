/*
 * hostnet.c — the host's address for the simulated station (see hostnet.h).
 */
#include "core/hostnet.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

uint32_t nm_hostnet_gateway(const char *ifname)
{
    FILE *f = fopen("/proc/net/route", "r");
    char line[256], name[64];
    unsigned dest, gw, flags;
    uint32_t found = 0;
    if (f == NULL)
        return 0;
    while (found == 0 && fgets(line, sizeof line, f)) {
        /* Iface Destination Gateway Flags ... in host-order hex of network-order words */
        if (sscanf(line, "%63s %x %x %x", name, &dest, &gw, &flags) == 4 && dest == 0 && (flags & 0x2) &&
            (ifname == NULL || strcmp(name, ifname) == 0))
            found = gw;
    }
    fclose(f);
    return found;
}

/* The interface of the default route, or "" when there is none. */
static void default_route_if(char *buf, size_t size)
{
    FILE *f = fopen("/proc/net/route", "r");
    char line[256], name[64];
    unsigned dest, gw, flags;
    buf[0] = '\0';
    if (f == NULL)
        return;
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "%63s %x %x %x", name, &dest, &gw, &flags) == 4 && dest == 0 && (flags & 0x2)) {
            snprintf(buf, size, "%s", name);
            break;
        }
    }
    fclose(f);
}

static void take(nm_hostnet *out, const struct ifaddrs *ifa)
{
    out->ip = ((const struct sockaddr_in *)ifa->ifa_addr)->sin_addr.s_addr;
    out->mask = ifa->ifa_netmask ? ((const struct sockaddr_in *)ifa->ifa_netmask)->sin_addr.s_addr : 0;
    snprintf(out->ifname, sizeof out->ifname, "%s", ifa->ifa_name);
    out->gw = nm_hostnet_gateway(ifa->ifa_name);
}

static bool usable(const struct ifaddrs *ifa)
{
    return ifa->ifa_addr != NULL && ifa->ifa_addr->sa_family == AF_INET && (ifa->ifa_flags & IFF_UP);
}

int nm_hostnet_pick(const char *want, nm_hostnet *out)
{
    struct in_addr wanted;
    struct ifaddrs *list, *ifa;
    char route_if[64];
    bool found = false;
    if (want != NULL && inet_pton(AF_INET, want, &wanted) != 1)
        return -EINVAL;
    memset(out, 0, sizeof *out);
    if (getifaddrs(&list) != 0)
        list = NULL;
    default_route_if(route_if, sizeof route_if);
    /* Pass 0: the wanted address, or the default route's interface; pass 1: any other. */
    for (int pass = 0; pass < 2 && !found; pass++) {
        for (ifa = list; ifa != NULL && !found; ifa = ifa->ifa_next) {
            if (!usable(ifa))
                continue;
            uint32_t ip = ((const struct sockaddr_in *)ifa->ifa_addr)->sin_addr.s_addr;
            if (want != NULL)
                found = ip == wanted.s_addr;
            else if (pass == 0)
                found = route_if[0] && strcmp(ifa->ifa_name, route_if) == 0;
            else
                found = !(ifa->ifa_flags & IFF_LOOPBACK);
            if (found)
                take(out, ifa);
        }
        if (want != NULL)
            break;
    }
    if (list)
        freeifaddrs(list);
    if (found)
        return 0;
    if (want != NULL && wanted.s_addr != htonl(INADDR_LOOPBACK))
        return -EADDRNOTAVAIL;
    out->ip = htonl(INADDR_LOOPBACK);
    out->mask = htonl(0xff000000u);
    out->gw = 0;
    snprintf(out->ifname, sizeof out->ifname, "lo");
    return 0;
}
