/*
 * http_client.c — the firmware's HTTP client on a stream (http_client.h):
 * URL, request text, name lookup, connect, libhttp-parser, redirects, timeout.
 */
#include "core/http_client.h"

#include <ctype.h>
#include <stdarg.h>
#include <http_parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytebuf.h"
#include "core/dns.h"
#include "core/loop.h"
#include "core/timer.h"
#include "core/tls.h"

#define HOST_MAX 128 /* the firmware's hostname buffer, its NUL included */

/* Where one request of a chain goes. */
typedef struct http_target {
    char host[HOST_MAX]; /* as written in the URL (an IPv6 literal keeps its brackets) */
    int port;
    bool secure;
    char *path;
} http_target;

typedef struct header_span {
    size_t name_off, name_len, value_off, value_len;
} header_span;

struct nm_http_request {
    nm_http_options opt;
    char *method, *headers, *body;
    size_t body_len;
    bool has_body;
    http_target at;
    int redirects;
    nm_http_done_fn done;
    void *owner;
    nm_task failure; /* a failure known before any I/O, delivered from the loop */
    const char *fail_reason;
    nm_dns_lookup *lookup;
    nm_stream *stream;
    nm_timer *timer;
    nm_bytebuf request; /* the bytes sent; alive while the stream may send them */
    http_parser parser;
    nm_bytebuf header_bytes, body_bytes;
    header_span *spans;
    size_t span_count, span_cap;
    bool in_value, interim, complete;
    char prefix[9]; /* the status line's first bytes, for version_ok */
    size_t seen;
    size_t received; /* bytes of this response, for opt.max_response */
    char reason[160];
};

static void fail(nm_http_request *r, const char *reason);
static void connect_to(nm_http_request *r, const struct sockaddr *addr);

/* --- the URL, by the firmware's rules ----------------------------------- */

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The port after a colon: digits as atoi reads them; 0 or out of range is an error. */
static int parse_port(const char *p)
{
    long port = strtol(p, NULL, 10);
    return port > 0 && port <= 65535 ? (int)port : 0;
}

/* Fills t from url; NULL, or the firmware's complaint. */
static const char *parse_url(const char *url, http_target *t)
{
    t->port = 80;
    t->secure = false;
    if (starts_with(url, "http://")) {
        url += strlen("http://");
    } else if (starts_with(url, "https://")) {
        url += strlen("https://");
        t->port = 443;
        t->secure = true;
    } else {
        return "URL is not HTTP or HTTPS";
    }
    const char *path = strchr(url, '/');
    if (path == NULL)
        path = url + strlen(url);
    const char *host_end = url;
    if (*url == '[') { /* an IPv6 literal: its colons are not the port's */
        const char *close = memchr(url, ']', (size_t)(path - url));
        host_end = close ? close + 1 : path;
    }
    const char *colon = memchr(host_end, ':', (size_t)(path - host_end));
    const char *end = colon ? colon : path;
    if (path - url >= HOST_MAX)
        return "hostname is too long";
    if (colon != NULL && (t->port = parse_port(colon + 1)) == 0)
        return "Port error";
    memcpy(t->host, url, (size_t)(end - url));
    t->host[end - url] = '\0';
    free(t->path);
    t->path = strdup(*path ? path : "/");
    return t->path ? NULL : "out of memory";
}

/* The name to look up and to check the certificate against: without brackets. */
static void bare_host(const http_target *t, char *out)
{
    size_t n = strlen(t->host);
    if (n >= 2 && t->host[0] == '[' && t->host[n - 1] == ']') {
        memcpy(out, t->host + 1, n - 2);
        out[n - 2] = '\0';
    } else {
        memcpy(out, t->host, n + 1);
    }
}

/* --- the request text ---------------------------------------------------- */

/* Whether the caller's headers carry name ("Host:"): 1.5 looks for two
 * spellings, the given one and all lower case; later firmware for any case. */
static bool has_header(const nm_http_request *r, const char *name)
{
    if (!r->opt.names_two_spellings)
        return strcasestr(r->headers, name) != NULL;
    char lower[32];
    size_t n = strlen(name);
    for (size_t i = 0; i <= n; i++)
        lower[i] = (char)tolower((unsigned char)name[i]);
    return strstr(r->headers, name) != NULL || strstr(r->headers, lower) != NULL;
}

static bool append_text(nm_bytebuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool append_text(nm_bytebuf *b, const char *fmt, ...)
{
    char line[HOST_MAX + 64];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    return n >= 0 && nm_bytebuf_append(b, line, (size_t)n);
}

/* The firmware's order: request line, Host, Connection, the caller's lines,
 * User-Agent, Content-Length, blank line, body. */
static bool build_request(nm_http_request *r)
{
    nm_bytebuf *b = &r->request;
    const http_target *t = &r->at;
    b->len = 0;
    bool ok = nm_bytebuf_append(b, r->method, strlen(r->method)) && nm_bytebuf_append(b, " ", 1) &&
              nm_bytebuf_append(b, t->path, strlen(t->path)) && nm_bytebuf_append(b, " HTTP/1.1\r\n", 11);
    if (ok && !has_header(r, "Host:")) {
        if (t->port == 80 || (t->port == 443 && t->secure))
            ok = append_text(b, "Host: %s\r\n", t->host);
        else
            ok = append_text(b, "Host: %s:%d\r\n", t->host, t->port);
    }
    ok = ok && append_text(b, "Connection: close\r\n") && nm_bytebuf_append(b, r->headers, strlen(r->headers));
    if (ok && !has_header(r, "User-Agent:"))
        ok = append_text(b, "User-Agent: ESP8266\r\n");
    if (ok && r->has_body)
        ok = append_text(b, "Content-Length: %zu\r\n", r->body_len);
    return ok && nm_bytebuf_append(b, "\r\n", 2) && nm_bytebuf_append(b, r->body, r->body_len);
}

/* --- the response, through libhttp-parser --------------------------------- */

static nm_http_request *of(http_parser *p)
{
    return p->data;
}

static void reset_response(nm_http_request *r)
{
    r->header_bytes.len = r->body_bytes.len = 0;
    r->span_count = 0;
    r->in_value = r->interim = r->complete = false;
    r->seen = 0;
    r->received = 0;
}

static int on_header_field(http_parser *p, const char *at, size_t len)
{
    nm_http_request *r = of(p);
    if (r->span_count == 0 || r->in_value) { /* a new header begins */
        if (r->span_count == r->span_cap) {
            size_t cap = r->span_cap ? r->span_cap * 2 : 16;
            header_span *s = realloc(r->spans, cap * sizeof(*s));
            if (s == NULL)
                return -1;
            r->spans = s;
            r->span_cap = cap;
        }
        r->spans[r->span_count++] = (header_span){r->header_bytes.len, 0, 0, 0};
        r->in_value = false;
    }
    r->spans[r->span_count - 1].name_len += len;
    return nm_bytebuf_append(&r->header_bytes, at, len) ? 0 : -1;
}

static int on_header_value(http_parser *p, const char *at, size_t len)
{
    nm_http_request *r = of(p);
    header_span *h = &r->spans[r->span_count - 1];
    if (!r->in_value) {
        h->value_off = r->header_bytes.len;
        r->in_value = true;
    }
    h->value_len += len;
    return nm_bytebuf_append(&r->header_bytes, at, len) ? 0 : -1;
}

static int on_headers_complete(http_parser *p)
{
    nm_http_request *r = of(p);
    /* The firmware takes "HTTP/1.0 " and "HTTP/1.1 " only. */
    if (p->http_major != 1 || p->http_minor > 1) {
        snprintf(r->reason, sizeof r->reason, "Invalid version HTTP/%u.%u", p->http_major, p->http_minor);
        return -1;
    }
    /* An interim answer (100 Continue...) is followed by the real one. */
    r->interim = p->status_code >= 100 && p->status_code < 200 && p->status_code != 101;
    return strcmp(r->method, "HEAD") == 0 ? 1 : 0; /* a HEAD answer has no body */
}

static int on_body(http_parser *p, const char *at, size_t len)
{
    return nm_bytebuf_append(&of(p)->body_bytes, at, len) ? 0 : -1;
}

static int on_message_complete(http_parser *p)
{
    nm_http_request *r = of(p);
    if (r->interim) {
        reset_response(r);
        return 0;
    }
    r->complete = true;
    http_parser_pause(p, 1); /* one answer per connection: ignore what follows */
    return 0;
}

static const http_parser_settings parser_settings = {
    .on_header_field = on_header_field,
    .on_header_value = on_header_value,
    .on_headers_complete = on_headers_complete,
    .on_body = on_body,
    .on_message_complete = on_message_complete,
};

/* --- the end of a request ------------------------------------------------- */

/* Stops the lookup, the stream and the timer of the current request. */
static void stop_io(nm_http_request *r)
{
    if (r->lookup) {
        nm_dns_cancel(r->lookup);
        r->lookup = NULL;
    }
    if (r->stream) {
        nm_stream_release(r->stream);
        r->stream = NULL;
    }
    if (r->timer)
        nm_timer_stop(r->timer);
}

static void free_request(nm_http_request *r)
{
    nm_task_cancel(&r->failure);
    stop_io(r);
    if (r->timer)
        nm_timer_close(r->timer);
    free(r->method);
    free(r->headers);
    free(r->body);
    free(r->at.path);
    free(r->spans);
    nm_bytebuf_free(&r->request);
    nm_bytebuf_free(&r->header_bytes);
    nm_bytebuf_free(&r->body_bytes);
    free(r);
}

static void finish(nm_http_request *r, nm_http_response *res)
{
    stop_io(r);
    r->done(r->owner, res);
    free_request(r);
}

static void fail(nm_http_request *r, const char *reason)
{
    nm_http_response res = {.status = NM_HTTP_FAILED, .reason = reason};
    finish(r, &res);
}

/* Names lower-cased, as the firmware hands them to Lua. */
static void deliver(nm_http_request *r)
{
    nm_http_header *list = calloc(r->span_count ? r->span_count : 1, sizeof(*list));
    if (list == NULL) {
        fail(r, "out of memory");
        return;
    }
    char *bytes = r->header_bytes.data;
    for (size_t i = 0; i < r->span_count; i++) {
        header_span *h = &r->spans[i];
        for (size_t k = 0; k < h->name_len; k++)
            bytes[h->name_off + k] = (char)tolower((unsigned char)bytes[h->name_off + k]);
        list[i] = (nm_http_header){bytes + h->name_off, h->name_len, bytes + h->value_off, h->value_len};
    }
    nm_http_response res = {
        .status = (int)r->parser.status_code,
        .body = r->body_bytes.data ? r->body_bytes.data : "",
        .body_len = r->body_bytes.len,
        .headers = list,
        .header_count = r->span_count,
    };
    finish(r, &res);
    free(list);
}

/* --- redirects ------------------------------------------------------------ */

/* A copy of the Location header's value (the next request reuses the header
 * buffer); NULL when there is none. */
static char *find_location(nm_http_request *r)
{
    char *bytes = r->header_bytes.data;
    for (size_t i = 0; i < r->span_count; i++) {
        header_span *h = &r->spans[i];
        const char *name = bytes + h->name_off;
        bool match = h->name_len == 8 &&
                     (r->opt.names_two_spellings ? memcmp(name, "Location", 8) == 0 || memcmp(name, "location", 8) == 0
                                                 : strncasecmp(name, "location", 8) == 0);
        if (match)
            return strndup(bytes + h->value_off, h->value_len);
    }
    return NULL;
}

/* The next target: an absolute URL, a path on the same server, or a path
 * relative to the current one's folder. NULL, or why it cannot be followed. */
static const char *redirect_target(nm_http_request *r, const char *location)
{
    if (starts_with(location, "http://") || starts_with(location, "https://"))
        return parse_url(location, &r->at);
    char *path;
    if (location[0] == '/') {
        path = strdup(location);
    } else {
        size_t folder = (size_t)(strrchr(r->at.path, '/') - r->at.path) + 1;
        path = malloc(folder + strlen(location) + 1);
        if (path) {
            memcpy(path, r->at.path, folder);
            strcpy(path + folder, location);
        }
    }
    if (path == NULL)
        return "out of memory";
    free(r->at.path);
    r->at.path = path;
    return NULL;
}

static void start_target(nm_http_request *r);

/* 300..308 with a Location is followed (true), up to max_redirects times. */
static bool follow_redirect(nm_http_request *r)
{
    unsigned status = r->parser.status_code;
    if (status < 300 || status > 308)
        return false;
    char *location = find_location(r);
    if (location == NULL)
        return false;
    if (r->redirects >= r->opt.max_redirects) {
        free(location);
        fail(r, "Too many redirections");
        return true;
    }
    r->redirects++;
    stop_io(r);
    const char *err = redirect_target(r, location);
    free(location);
    if (err)
        fail(r, err);
    else
        start_target(r);
    return true;
}

/* --- the connection --------------------------------------------------------- */

static void response_done(nm_http_request *r)
{
    if (!follow_redirect(r))
        deliver(r);
}

/* The firmware reads a status line only after "HTTP/1.0 " or "HTTP/1.1 "
 * (libhttp-parser, built lenient, would take "HTTX/1.1"): the first bytes of
 * each response are compared before the parser sees them. */
static bool version_ok(nm_http_request *r, const char *data, size_t len)
{
    static const char v10[] = "HTTP/1.0 ", v11[] = "HTTP/1.1 ";
    size_t want = sizeof v10 - 1, n = 0;
    while (r->seen < want && n < len)
        r->prefix[r->seen++] = data[n++];
    return memcmp(r->prefix, v10, r->seen) == 0 || memcmp(r->prefix, v11, r->seen) == 0;
}

/* Parses len more bytes (0: the server closed). True when the request ended:
 * answered, redirected or failed; r may then be gone. */
static bool feed(nm_http_request *r, const char *data, size_t len)
{
    if (r->parser.status_code == 0 && !version_ok(r, data, len)) {
        fail(r, "Invalid version in the status line");
        return true;
    }
    http_parser_execute(&r->parser, &parser_settings, data, len);
    if (r->complete) {
        response_done(r);
        return true;
    }
    enum http_errno e = HTTP_PARSER_ERRNO(&r->parser);
    if (e != HPE_OK) {
        if (r->reason[0] == '\0')
            snprintf(r->reason, sizeof r->reason, "Invalid response: %s", http_errno_description(e));
        fail(r, r->reason);
        return true;
    }
    return false;
}

static void stream_connected(nm_stream *s)
{
    nm_http_request *r = nm_stream_owner(s);
    int rc = nm_stream_write(s, r->request.data, r->request.len);
    if (rc < 0) {
        snprintf(r->reason, sizeof r->reason, "Disconnected with error: %s", uv_strerror(rc));
        fail(r, r->reason);
    }
}

static void stream_received(nm_stream *s, const char *data, size_t len)
{
    nm_http_request *r = nm_stream_owner(s);
    r->received += len;
    if (r->opt.max_response != 0 && r->received + 1 > r->opt.max_response) {
        snprintf(r->reason, sizeof r->reason, "Response too long (%zu)", r->received + 1);
        nm_http_response res = {.status = NM_HTTP_FAILED, .reason = r->reason, .too_long = true};
        finish(r, &res);
        return;
    }
    feed(r, data, len);
}

static void stream_written(nm_stream *s, intptr_t cookie, int status)
{
    (void)s, (void)cookie, (void)status; /* the request stays alive until the end */
}

static void stream_closed(nm_stream *s, int status)
{
    nm_http_request *r = nm_stream_owner(s);
    const char *tls_reason = nm_stream_tls_reason(s);
    r->stream = NULL; /* the stream ends by itself */
    if (status == 0) {
        if (!feed(r, NULL, 0)) /* the end of a body that runs to the close */
            fail(r, "Connection closed before the response ended");
        return;
    }
    snprintf(r->reason, sizeof r->reason, "Disconnected with error: %s", tls_reason ? tls_reason : uv_strerror(status));
    fail(r, r->reason);
}

static const nm_stream_events stream_events = {
    stream_connected,
    stream_received,
    stream_written,
    stream_closed,
};

static void timed_out(nm_timer *timer, void *data)
{
    (void)timer;
    fail(data, "Connection timeout");
}

static void connect_to(nm_http_request *r, const struct sockaddr *addr)
{
    char host[HOST_MAX];
    bare_host(&r->at, host);
    r->stream = nm_stream_new(&stream_events, r);
    if (r->stream == NULL) {
        fail(r, "out of memory");
        return;
    }
    if (r->at.secure && (r->opt.secure == NULL || r->opt.secure(r->stream, host) != 0)) {
        fail(r, "cannot set up TLS");
        return;
    }
    if (r->timer == NULL && (r->timer = nm_timer_new(timed_out, r)) == NULL) {
        fail(r, "out of memory");
        return;
    }
    nm_timer_realtime(r->timer); /* a network timeout: host time whatever --clock says */
    nm_timer_start(r->timer, r->opt.timeout_ms, 0);
    nm_stream_connect(r->stream, addr);
}

static void name_answered(void *owner, int status, const struct sockaddr *addr)
{
    nm_http_request *r = owner;
    r->lookup = NULL;
    if (status != NM_DNS_OK) {
        char host[HOST_MAX];
        bare_host(&r->at, host);
        snprintf(r->reason, sizeof r->reason, "DNS failed for %s", host);
        fail(r, r->reason);
        return;
    }
    connect_to(r, addr);
}

static void deliver_failure(nm_task *task)
{
    nm_http_request *r = (nm_http_request *)((char *)task - offsetof(nm_http_request, failure));
    fail(r, r->fail_reason);
}

/* A failure known now still reaches the owner from the loop. */
static void fail_later(nm_http_request *r, const char *reason)
{
    r->fail_reason = reason;
    nm_task_post(&r->failure, deliver_failure);
}

/* Starts the current target: build the request, look the name up. */
static void start_target(nm_http_request *r)
{
    char host[HOST_MAX];
    reset_response(r);
    r->reason[0] = '\0';
    http_parser_init(&r->parser, HTTP_RESPONSE);
    r->parser.data = r;
    if (!build_request(r)) {
        fail_later(r, "out of memory");
        return;
    }
    bare_host(&r->at, host);
    r->lookup = nm_dns_resolve(host, r->at.port, name_answered, r);
    if (r->lookup == NULL)
        fail_later(r, "out of memory");
}

static char *copy_or_empty(const char *s)
{
    return strdup(s ? s : "");
}

nm_http_request *nm_http_start(const nm_http_options *opt, const char *url, const char *method, const char *headers,
                               const char *body, size_t body_len, nm_http_done_fn done, void *owner)
{
    nm_http_request *r = calloc(1, sizeof(*r));
    if (r == NULL)
        return NULL;
    r->opt = *opt;
    r->done = done;
    r->owner = owner;
    r->method = copy_or_empty(method);
    r->headers = copy_or_empty(headers);
    r->has_body = body != NULL;
    r->body_len = body ? body_len : 0;
    r->body = malloc(r->body_len + 1);
    if (r->method == NULL || r->headers == NULL || r->body == NULL) {
        free_request(r);
        return NULL;
    }
    if (body_len)
        memcpy(r->body, body, body_len);
    const char *err = parse_url(url, &r->at);
    if (err)
        fail_later(r, err);
    else
        start_target(r);
    return r;
}

void nm_http_cancel(nm_http_request *r)
{
    free_request(r);
}
