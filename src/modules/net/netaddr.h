/*
 * netaddr.h — addresses and error codes as the firmware shows them to scripts.
 *
 * Addresses: IPv4 is parsed with inet_aton (the firmware's ipaddr_addr accepts
 * the same shortened, octal and hex forms), IPv6 literals with inet_pton, and
 * "localhost" means 127.0.0.1. Error codes: libuv errors become the lwIP err_t
 * values of the later firmware, which scripts compare against.
 */
#ifndef NETMCU_NETADDR_H
#define NETMCU_NETADDR_H

#include <stdbool.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "runtime/compat.h"

typedef union nm_addr {
    struct sockaddr sa;
    struct sockaddr_in in;
    struct sockaddr_in6 in6;
} nm_addr;

/* Parses an IP literal (or "localhost") and a port; false if it is a name. */
bool nm_addr_parse(const char *host, int port, nm_addr *out);
/* The wildcard address of the same family as host (IPv4 unless host is IPv6). */
void nm_addr_wildcard(const char *host, int port, nm_addr *out);
int nm_addr_port(const struct sockaddr *sa);
/* Pushes the address as a string ("" is never produced: 0.0.0.0 stays). */
void nm_addr_push_ip(lua_State *L, const struct sockaddr *sa);
/* Pushes ip, port (seed order) or port, ip (3.0 order); nil, nil for no address. */
void nm_addr_push_peer(lua_State *L, const struct sockaddr *sa, bool port_first);

/* The lwIP err_t value for a libuv status (0 stays 0). */
int nm_err_code(int uv_status);
/* Pushes the tls module's reconnection reason for such a code ("SSL
 * handshake failed", "Connection reset", ...; nil for other codes). */
void nm_err_push_tls_reason(lua_State *L, int code);
/* The lwIP name of such a code, as the later firmware's messages use it. */
const char *nm_err_name(int code);
/* Raises the error of a failed bind or listen on port (libuv status). */
int nm_err_raise_bind(lua_State *L, int status, int port);

#endif
