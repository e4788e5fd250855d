/*
 * dns.h — the `net.dns` table, and what the socket bindings share with it:
 * how an answer looks to a script and which error code a failed lookup gives.
 */
#ifndef NETMCU_NET_DNS_H
#define NETMCU_NET_DNS_H

#include <sys/socket.h>

#include "runtime/compat.h"

/* Pushes the net.dns table (resolve, getdnsserver, setdnsserver). */
void net_dns_push_table(lua_State *L);
/* Pushes an answer as the firmware gives it: the address as a string, "" for
 * 0.0.0.0, nil for a failed lookup (addr NULL). */
void net_dns_push_answer(lua_State *L, const struct sockaddr *addr);
/* The lwIP err_t value reported for a failed lookup (an NM_DNS_* status):
 * -3 (timeout) when no server answered, -12 (illegal argument) for a name that
 * cannot be looked up, -1 (out of memory), else -4 (routing problem: no address). */
int net_dns_err_code(int status);

#endif
