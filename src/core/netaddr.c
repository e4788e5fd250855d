/*
 * netaddr.c — address parsing, and the error-code table.
 */
#include "core/netaddr.h"

#include <arpa/inet.h>
#include <string.h>
#include <strings.h>
#include <uv.h>

#include "core/tls.h"

bool nm_addr_parse(const char *host, int port, nm_addr *out)
{
    memset(out, 0, sizeof(*out));
    if (strcasecmp(host, "localhost") == 0)
        host = "127.0.0.1";
    if (strchr(host, ':') != NULL) {
        out->in6.sin6_family = AF_INET6;
        out->in6.sin6_port = htons((uint16_t)port);
        return inet_pton(AF_INET6, host, &out->in6.sin6_addr) == 1;
    }
    out->in.sin_family = AF_INET;
    out->in.sin_port = htons((uint16_t)port);
    return inet_aton(host, &out->in.sin_addr) != 0;
}

void nm_addr_wildcard(const char *host, int port, nm_addr *out)
{
    memset(out, 0, sizeof(*out));
    if (host && strchr(host, ':') != NULL) {
        out->in6.sin6_family = AF_INET6;
        out->in6.sin6_port = htons((uint16_t)port);
        out->in6.sin6_addr = in6addr_any;
    } else {
        out->in.sin_family = AF_INET;
        out->in.sin_port = htons((uint16_t)port);
        out->in.sin_addr.s_addr = htonl(INADDR_ANY);
    }
}

int nm_addr_port(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET)
        return ntohs(((const struct sockaddr_in *)sa)->sin_port);
    if (sa->sa_family == AF_INET6)
        return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
    return 0;
}

/* lwIP's err_t values (release branch err.h), which the later firmware passes
 * to disconnection/reconnection and uses in its error messages. */
enum {
    ERR_MEM = -1,
    ERR_TIMEOUT = -3,
    ERR_RTE = -4,
    ERR_VAL = -6,
    ERR_ABRT = -8,
    ERR_RST = -9,
    ERR_CLSD = -10,
    ERR_CONN = -11,
    ERR_ARG = -12,
    ERR_USE = -13,
    ERR_IF = -14,
    ERR_ISCONN = -15,
    /* espconn's codes for TLS failures (espconn.h) */
    ESPCONN_HANDSHAKE = -28,
    ESPCONN_SSL_INVALID_DATA = -61,
};

int nm_err_code(int uv_status)
{
    switch (uv_status) {
    case 0: return 0;
    case UV_ENOMEM:
    case UV_ENOBUFS: return ERR_MEM;
    case UV_ETIMEDOUT: return ERR_TIMEOUT;
    case UV_ENETUNREACH:
    case UV_EHOSTUNREACH:
    case UV_EADDRNOTAVAIL:
    case UV_ENETDOWN:
    case UV_EACCES: return ERR_RTE;
    case UV_EINVAL: return ERR_VAL;
    case UV_ECONNABORTED:
    case UV_ECANCELED: return ERR_ABRT;
    /* lwIP reports a refused connect as a reset: the peer answered with RST. */
    case UV_ECONNRESET:
    case UV_ECONNREFUSED: return ERR_RST;
    case UV_EPIPE:
    case UV_EOF: return ERR_CLSD;
    case UV_ENOTCONN: return ERR_CONN;
    case UV_EADDRINUSE: return ERR_USE;
    case UV_EISCONN: return ERR_ISCONN;
    case NM_ETLS_HANDSHAKE: return ESPCONN_HANDSHAKE;
    case NM_ETLS_DATA: return ESPCONN_SSL_INVALID_DATA;
    default: return ERR_IF;
    }
}

const char *nm_err_name(int code)
{
    static const char *const names[] = {
        "ok",
        "out of memory",
        "buffer error",
        "timeout",
        "routing problem",
        "in progress",
        "illegal value",
        "would block",
        "connection aborted",
        "connection reset",
        "connection closed",
        "not connected",
        "illegal argument",
        "address in use",
        "netif error",
        "already connected",
    };
    if (code <= 0 && code >= -15)
        return names[-code];
    return "unknown error";
}

const char *nm_err_tls_reason(int code)
{
    switch (code) {
    case ERR_MEM: return "Out of memory";
    case ERR_TIMEOUT: return "Timeout";
    case ERR_RTE: return "Routing problem";
    case ERR_ABRT: return "Connection aborted";
    case ERR_RST: return "Connection reset";
    case ERR_CLSD: return "Connection closed";
    case ESPCONN_HANDSHAKE: return "SSL handshake failed";
    case ESPCONN_SSL_INVALID_DATA: return "SSL application invalid";
    default: return NULL;
    }
}
