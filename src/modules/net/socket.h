/*
 * socket.h — the `net.socket` Lua type for TCP connections.
 *
 * A socket userdata holds a pointer to its core stream (never the libuv
 * handle) and the registry references of its callbacks. It is anchored in the
 * registry for as long as the stream exists, so scripts may drop their last
 * reference to a busy socket; when the stream reports `closed`, the anchor is
 * dropped and the object becomes collectable.
 */
#ifndef NETMCU_SOCKET_H
#define NETMCU_SOCKET_H

#include "core/stream.h"
#include "runtime/compat.h"

#define NET_SOCKET_TYPE "net.socket"
#define TLS_SOCKET_TYPE "tls.socket"

/* Registers the metatable; called by luaopen_net. */
void net_socket_register(lua_State *L);
/* Pushes a new, unconnected TCP socket; a secure one connects with TLS. */
void net_socket_push_new(lua_State *L, bool secure);
/* Registers the tls.socket metatable; called by luaopen_tls. */
void net_socket_register_tls(lua_State *L);
/* Pushes a new tls.socket: a secure socket with the 3.0 tls module's rules. */
void net_socket_push_tls(lua_State *L);
/* Pushes a socket that owns an accepted stream (anchored). */
void net_socket_push_accepted(lua_State *L, nm_stream *s);
/* Fires "connection" on the socket at idx if it still has a live connection. */
void net_socket_fire_connection(lua_State *L, int idx);

#endif
