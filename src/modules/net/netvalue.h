/*
 * netvalue.h — addresses and error codes (netaddr.h) as Lua values: the
 * address strings and peer pairs the callbacks receive, the tls module's
 * reconnection reasons, and the error a failed bind or listen raises.
 */
#ifndef NETMCU_NETVALUE_H
#define NETMCU_NETVALUE_H

#include <stdbool.h>
#include <sys/socket.h>

#include "runtime/compat.h"

/* Pushes the address as a string ("" is never produced: 0.0.0.0 stays). */
void net_push_ip(lua_State *L, const struct sockaddr *sa);
/* Pushes ip, port (seed order) or port, ip (3.0 order); nil, nil for no address. */
void net_push_peer(lua_State *L, const struct sockaddr *sa, bool port_first);
/* Pushes the tls module's reconnection reason for an lwIP code (nil for others). */
void net_push_tls_reason(lua_State *L, int code);
/* Raises the error of a failed bind or listen on port (libuv status). */
int net_raise_bind_error(lua_State *L, int status, int port);

#endif
