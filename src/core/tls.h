/*
 * tls.h — TLS as a filter inside a stream (OpenSSL 3, memory BIOs).
 *
 * A stream made secure before it connects runs a TLS client handshake as soon
 * as TCP is up; its owner sees the same nm_stream as for plain TCP: `connected`
 * once the handshake has finished (and the certificate checks passed),
 * `received` with plaintext, one `written` per nm_stream_write once that
 * write's records are handed to the kernel, and nm_stream_close sends
 * close_notify before the stream's own graceful close. Writes made before the
 * handshake has finished wait for it. A failed handshake ends the stream with
 * `closed(NM_ETLS_HANDSHAKE)`; nm_stream_tls_reason then says why in words
 * ("certificate verify failed: Hostname mismatch", "wrong version number"...).
 * Nothing is ever sent in plain text on a secure stream.
 *
 * TLS 1.2 is the minimum and 1.3 preferred, with OpenSSL's default ciphers;
 * SNI carries the host name when the stream was given one (not for IP
 * literals). An idle connection holds no record buffers
 * (SSL_MODE_RELEASE_BUFFERS).
 */
#ifndef NETMCU_TLS_H
#define NETMCU_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/stream.h"

/* The handshake is bounded: TCP up to `connected` (a server that accepts
 * and never answers, or answers a byte at a time) takes at most this long,
 * then the stream ends with `closed(UV_ETIMEDOUT)`. */
#define NM_TLS_HANDSHAKE_MS_DEFAULT 10000
void nm_tls_set_handshake_timeout(uint32_t ms);
uint32_t nm_tls_handshake_timeout(void);

/* Stream close statuses outside libuv's range, for TLS failures. */
#define NM_ETLS_HANDSHAKE (-5028) /* the handshake or the certificate checks failed */
#define NM_ETLS_DATA (-5061)      /* a record could not be read or written afterwards */

/* A certificate or key, PEM or DER; the bytes are copied when used. */
typedef struct nm_tls_blob {
    const unsigned char *data; /* NULL: none */
    size_t len;
} nm_tls_blob;

/* What a client context trusts and presents. */
typedef struct nm_tls_trust {
    bool verify;            /* check the server's chain and its name */
    bool system;            /* trust the system's CA store (with verify) */
    const nm_tls_blob *cas; /* further trusted certificates */
    int ca_count;
    nm_tls_blob cert;         /* a client certificate */
    const nm_tls_blob *chain; /* the rest of its chain */
    int chain_count;
    nm_tls_blob key; /* its private key (PKCS#1 RSA, or any key) */
} nm_tls_trust;

/* A client context (an SSL_CTX). One that could not be built (a stored CA or
 * client key OpenSSL rejects) is still returned: every stream made secure
 * with it fails its handshake with that reason. NULL only without memory. */
typedef struct nm_tls_config nm_tls_config;
nm_tls_config *nm_tls_config_new(const nm_tls_trust *trust);
/* Streams that use the context keep it alive until they end. */
void nm_tls_config_free(nm_tls_config *c);
bool nm_tls_config_verifies(const nm_tls_config *c);
/* For libraries that run TLS on a socket themselves (mqtt_client.c): the
 * context's SSL_CTX, NULL when it could not be built (then
 * nm_tls_config_error says why), and the per-connection naming this module
 * does for its own streams: SNI for a name, and with verification the name or
 * IP the certificate must match. */
struct ssl_st;
struct ssl_ctx_st;
struct ssl_ctx_st *nm_tls_config_ssl_ctx(nm_tls_config *c);
const char *nm_tls_config_error(const nm_tls_config *c);
bool nm_tls_name_peer(struct ssl_st *ssl, const char *host);

/* Makes a stream that has not connected yet secure. host is the name or the
 * IP literal the script connected to (NULL: unknown): SNI for a name, and the
 * certificate must match it when the context verifies. 0 or UV_ENOMEM. */
int nm_stream_secure(nm_stream *s, nm_tls_config *c, const char *host);
/* The same, with a context made when TCP is up, just before the handshake,
 * by provide(data) — for settings that a script computes per connection. The
 * stream owns the context returned; NULL fails the handshake. */
typedef nm_tls_config *(*nm_tls_provider)(void *data);
int nm_stream_secure_deferred(nm_stream *s, nm_tls_provider provide, void *data, const char *host);
bool nm_stream_is_secure(const nm_stream *s);
/* Why a secure stream failed, in words; NULL when TLS did not fail it. */
const char *nm_stream_tls_reason(const nm_stream *s);

/* For stream.c: the filter's hooks on the stream's paths. */
void nm_tls_on_connected(nm_stream *s);
/* The handshake's time is up: fails the stream unless it has finished
 * (false then, and the timer can go). */
bool nm_tls_on_handshake_timeout(nm_stream *s);
void nm_tls_on_received(nm_stream *s, const char *data, size_t len);
int nm_tls_on_eof(nm_stream *s);
int nm_tls_write(nm_stream *s, const char *data, size_t len);
bool nm_tls_on_written(nm_stream *s, intptr_t *cookie);
bool nm_tls_on_close(nm_stream *s, int status);
int nm_tls_end_status(const nm_stream *s, int status);
void nm_tls_on_unhold(nm_stream *s);
void nm_tls_on_closed(nm_stream *s);
void nm_tls_free(nm_stream *s);

#endif
