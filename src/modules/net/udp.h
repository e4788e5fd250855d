/*
 * udp.h — the Lua type for UDP objects (docs/firmware-behaviour.md §7).
 *
 * The 1.5 client (createConnection(net.UDP)), the 1.5 server
 * (createServer(net.UDP)) and 3.0's udpsocket (createUDPSocket()) are one type
 * whose kind only decides what send(data) does before any destination is known.
 * The userdata holds a pointer to its core nm_udp while bound and is anchored
 * in the registry for exactly that long.
 */
#ifndef NETMCU_NET_UDP_H
#define NETMCU_NET_UDP_H

#include "runtime/compat.h"

#define NET_UDP_TYPE "net.udpsocket"

typedef enum { NET_UDP_CLIENT, NET_UDP_SERVER, NET_UDP_SOCKET } net_udp_kind;

/* Registers the metatable; called by luaopen_net. */
void net_udp_register(lua_State *L);
/* Pushes a new, unbound UDP object. */
void net_udp_push_new(lua_State *L, net_udp_kind kind);
/* UDP servers (net.createServer(net.UDP)) bound or looking a name up now. */
unsigned net_udp_servers_anchored(void);
/* net.multicastJoin(if_ip, group) and net.multicastLeave(if_ip, group). */
int net_udp_multicast_join(lua_State *L);
int net_udp_multicast_leave(lua_State *L);

#endif
