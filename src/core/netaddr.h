/*
 * netaddr.h — addresses and error codes as the firmware shows them to scripts
 * (no Lua here: netvalue.h turns them into Lua values).
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

/* The lwIP err_t value for a libuv status (0 stays 0). */
int nm_err_code(int uv_status);
/* The tls module's reconnection reason for such a code ("SSL handshake
 * failed", "Connection reset", ...; NULL for other codes). */
const char *nm_err_tls_reason(int code);
/* The lwIP name of such a code, as the later firmware's messages use it. */
const char *nm_err_name(int code);

#endif
