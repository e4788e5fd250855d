/*
 * http_client.h — one HTTP/1.1 request at a time per object, the way the
 * firmware's client (app/http/httpclient.c) makes it, on netmcu's streams.
 *
 * The request is the firmware's: "METHOD path HTTP/1.1", a Host header
 * (with ":port" unless the port is the scheme's default) unless the caller's
 * headers have one, "Connection: close", the caller's header lines as given,
 * "User-Agent: ESP8266" unless they have one, "Content-Length" when there is
 * a body, then the body. The URL is parsed by the firmware's rules
 * (http:// or https://, host[:port], the path as given, "/" when empty);
 * a host in brackets is an IPv6 literal, which the firmware cannot parse.
 *
 * The name is looked up through the c-ares channel (dns.h), so a server set
 * with net.dns.setdnsserver is used; https goes through the stream's TLS
 * filter, made secure by the caller's hook (the certificate rules of the
 * secure sockets). The response is parsed by libhttp-parser: chunked bodies
 * are decoded, a body may have any size, and the answer is complete when the
 * parser says so (Content-Length, the last chunk, or the server's close).
 * A 3xx status with a Location is followed with the same method, headers and
 * body, up to max_redirects times, against the same server for a path and
 * relative to the current path's folder otherwise.
 *
 * Every outcome arrives once through done, from the loop, never inside
 * nm_http_start; failures have status NM_HTTP_FAILED and a reason in words.
 * The timeout runs from the connect (after the name is known) to the end of
 * the response, for each request of a redirect chain, as on the firmware.
 */
#ifndef NETMCU_HTTP_CLIENT_H
#define NETMCU_HTTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/stream.h"

#define NM_HTTP_FAILED (-1)

typedef struct nm_http_header {
    const char *name; /* lower-cased */
    size_t name_len;
    const char *value; /* without leading blanks */
    size_t value_len;
} nm_http_header;

typedef struct nm_http_response {
    int status; /* the status code, or NM_HTTP_FAILED */
    const char *body;
    size_t body_len;
    const nm_http_header *headers; /* in arrival order */
    size_t header_count;
    const char *reason; /* failures: why, in the firmware's words where it has them */
    bool too_long;      /* the failure: the response passed max_response */
} nm_http_response;

typedef struct nm_http_request nm_http_request;
/* The response is valid during the call only; the request is gone after it. */
typedef void (*nm_http_done_fn)(void *owner, const nm_http_response *res);
/* Makes a new, unconnected stream secure for host; 0 or a libuv error. */
typedef int (*nm_http_secure_fn)(nm_stream *s, const char *host);

typedef struct nm_http_options {
    uint32_t timeout_ms;
    int max_redirects;
    /* 1.5 looks for "Host:", "User-Agent:" and "Location" only in these and
     * all-lower-case spellings; later firmware ignores case. */
    bool names_two_spellings;
    nm_http_secure_fn secure;
    /* The firmware's buffer for a whole response, in bytes with its closing
     * NUL (0: no limit): a response that passes it fails with "Response too
     * long (N)", N the size the buffer would have needed. */
    size_t max_response;
} nm_http_options;

/* Starts method on url. headers: extra header lines, each ending in CRLF
 * (NULL: none); body of body_len bytes, NULL for none (an empty body still
 * sends Content-Length: 0). Everything is copied. Returns the request's
 * handle, valid until done is called or nm_http_cancel; NULL when out of
 * memory (then done is never called). */
nm_http_request *nm_http_start(const nm_http_options *opt, const char *url, const char *method, const char *headers,
                               const char *body, size_t body_len, nm_http_done_fn done, void *owner);
/* Drops a request before its answer: done will not be called. */
void nm_http_cancel(nm_http_request *r);

#endif
