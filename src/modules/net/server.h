/*
 * server.h — the `net.server` Lua type for TCP servers.
 *
 * A server userdata points at one core listening session while it listens and
 * is anchored for that time, so `net.createServer(net.TCP):listen(80, cb)`
 * keeps serving without the script holding the object.
 */
#ifndef NETMCU_SERVER_H
#define NETMCU_SERVER_H

#include "runtime/compat.h"

#define NET_SERVER_TYPE "net.server"

void net_server_register(lua_State *L);
/* Pushes a new TCP server whose accepted connections time out after timeout_s. */
void net_server_push_new(lua_State *L, unsigned timeout_s);
/* TCP servers listening with a callback now. */
unsigned net_servers_with_callback(void);

#endif
