/*
 * cert.h — `net.cert` and `tls.cert`: which certificates secure sockets trust
 * and present, and the context every secure socket is made with.
 *
 * Verification is off at start, as on the device. net.cert.verify(pem) stores
 * one CA (core/certstore.h) and turns it on; verify(true|false) switches it;
 * verify("system") — an extension — also trusts the system's CA store, as the
 * runner's --ca-system does from the start. With verification on, the chain
 * must lead to a trusted certificate and the certificate must name the host
 * (or IP) the script connected to. net.cert.auth / tls.cert.auth store and
 * enable the client certificate and key. The 3.0 callback forms,
 * tls.cert.verify(fn) and tls.cert.auth(fn), are asked for the certificates
 * of each connection when its TCP is up, just before the handshake.
 */
#ifndef NETMCU_CERT_H
#define NETMCU_CERT_H

#include <stdbool.h>

#include "core/stream.h"
#include "core/tls.h"
#include "runtime/compat.h"

/* Pushes the cert table: net.cert (tls_api false) or tls.cert (the 3.0
 * module's, which warns about the old interface as the firmware does). */
void net_cert_push_table(lua_State *L, bool tls_api);
/* Makes a new, unconnected stream secure with the current settings for host
 * (the name or IP literal connected to). 0, or UV_ENOMEM. The first stream
 * made without verification prints one warning on stderr. */
int net_cert_secure(nm_stream *s, const char *host);
/* A context of its own with the current settings, for a connection to host
 * that a library other than the stream runs TLS on (mqtt); the caller owns
 * it. The 3.0 callback forms are asked now. NULL when out of memory or when a
 * callback failed. */
nm_tls_config *net_cert_config_new(const char *host);
/* Trusts the system's CA store and turns verification on (--ca-system). */
void net_cert_trust_system(void);

#endif
