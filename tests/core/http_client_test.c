/*
 * http_client_test.c — the HTTP client of the core from C, without Lua,
 * against a server on loopback written here with libuv: the exact request
 * bytes of both header-spelling rules, a chunked answer written in pieces,
 * failures known up front reported from the loop, and a cancelled request
 * that never answers.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/http_client.h"
#include "core/loop.h"

#include "harness.h"

/* The server: reads until it has the request it expects, then answers. */
static uv_tcp_t listener;
static int server_port;
static const char *expected_request;
static const char *const *answer_pieces;
static char received[1024];
static size_t received_len;

typedef struct peer {
    uv_tcp_t tcp;
    uv_write_t writes[8];
} peer;

static void peer_closed(uv_handle_t *h)
{
    free(h->data);
}

static void peer_alloc(uv_handle_t *h, size_t size, uv_buf_t *buf)
{
    (void)h, (void)size;
    *buf = uv_buf_init(received + received_len, (unsigned)(sizeof received - received_len));
}

static void answered(uv_write_t *w, int status)
{
    (void)status;
    peer *p = w->data;
    if (answer_pieces[w - p->writes] != NULL) /* writes[k] carried piece k-1 */
        return;
    uv_close((uv_handle_t *)&p->tcp, peer_closed); /* the last piece: Connection: close */
}

static void peer_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    (void)buf;
    peer *p = s->data;
    if (n < 0) {
        if (!uv_is_closing((uv_handle_t *)s))
            uv_close((uv_handle_t *)s, peer_closed);
        return;
    }
    received_len += (size_t)n;
    if (received_len < strlen(expected_request))
        return;
    uv_read_stop(s);
    /* Each piece its own write, so the client reads the answer in parts. */
    for (int i = 0; answer_pieces[i] != NULL; i++) {
        uv_buf_t b = uv_buf_init((char *)answer_pieces[i], (unsigned)strlen(answer_pieces[i]));
        p->writes[i + 1].data = p;
        uv_write(&p->writes[i + 1], s, &b, 1, answered);
    }
}

static void on_connection(uv_stream_t *server, int status)
{
    if (status < 0)
        return;
    peer *p = calloc(1, sizeof(*p));
    uv_tcp_init(nm_loop(), &p->tcp);
    p->tcp.data = p;
    p->writes[0].data = p;
    if (uv_accept(server, (uv_stream_t *)&p->tcp) == 0)
        uv_read_start((uv_stream_t *)&p->tcp, peer_alloc, peer_read);
    else
        uv_close((uv_handle_t *)&p->tcp, peer_closed);
}

static void start_server(void)
{
    struct sockaddr_in addr;
    struct sockaddr_storage bound;
    int len = sizeof bound;
    uv_ip4_addr("127.0.0.1", 0, &addr);
    uv_tcp_init(nm_loop(), &listener);
    uv_tcp_bind(&listener, (const struct sockaddr *)&addr, 0);
    uv_listen((uv_stream_t *)&listener, 16, on_connection);
    uv_tcp_getsockname(&listener, (struct sockaddr *)&bound, &len);
    server_port = ntohs(((struct sockaddr_in *)&bound)->sin_port);
    uv_unref((uv_handle_t *)&listener);
}

/* The client's side. */
typedef struct outcome {
    int calls, status;
    char body[256], reason[160], header[64];
    bool inside_start;
} outcome;

static bool starting;

static void record(void *owner, const nm_http_response *res)
{
    outcome *o = owner;
    o->calls++;
    o->inside_start = starting;
    o->status = res->status;
    snprintf(o->reason, sizeof o->reason, "%s", res->reason ? res->reason : "");
    snprintf(o->body, sizeof o->body, "%.*s", (int)res->body_len, res->body ? res->body : "");
    for (size_t i = 0; i < res->header_count; i++)
        if (res->headers[i].name_len == 6 && memcmp(res->headers[i].name, "x-name", 6) == 0)
            snprintf(o->header, sizeof o->header, "%.*s", (int)res->headers[i].value_len, res->headers[i].value);
}

static nm_http_request *start(bool two_spellings, const char *url, const char *method, const char *headers,
                              const char *body, outcome *o)
{
    nm_http_options opt = {.timeout_ms = 5000, .max_redirects = 20, .names_two_spellings = two_spellings};
    starting = true;
    nm_http_request *r = nm_http_start(&opt, url, method, headers, body, body ? strlen(body) : 0, record, o);
    starting = false;
    return r;
}

static char url[64], request_text[512];
static outcome post_outcome, spelling_outcome, bad_url, cancelled;

static const char *const chunked_answer[] = {
    "HTTP/1.1 200 OK\r\nX-Na",
    "me: fine\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
    "lo\r\n6\r\n world\r\n0\r\n\r\n",
    NULL,
};

static void post_body(void)
{
    received_len = 0;
    snprintf(url, sizeof url, "http://127.0.0.1:%d/path?q=1", server_port);
    snprintf(request_text, sizeof request_text,
             "POST /path?q=1 HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\nX-A: b\r\n"
             "User-Agent: ESP8266\r\nContent-Length: 4\r\n\r\nbody",
             server_port);
    expected_request = request_text;
    answer_pieces = chunked_answer;
    start(false, url, "POST", "X-A: b\r\n", "body", &post_outcome);
}

static void spelling_body(void)
{
    received_len = 0;
    snprintf(url, sizeof url, "http://127.0.0.1:%d", server_port);
    snprintf(request_text, sizeof request_text,
             "GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\nUSER-AGENT: x\r\n"
             "User-Agent: ESP8266\r\n\r\n",
             server_port);
    expected_request = request_text;
    answer_pieces = chunked_answer;
    start(true, url, "GET", "USER-AGENT: x\r\n", NULL, &spelling_outcome);
}

static void bad_url_body(void)
{
    start(false, "ftp://127.0.0.1/", "GET", NULL, NULL, &bad_url);
}

static void cancel_body(void)
{
    snprintf(url, sizeof url, "http://127.0.0.1:%d/", server_port);
    nm_http_cancel(start(false, url, "GET", NULL, NULL, &cancelled));
}

static void expect_answer(const char *name, const outcome *o)
{
    char why[512] = "";
    if (received_len != strlen(request_text) || memcmp(received, request_text, received_len) != 0)
        snprintf(why, sizeof why, "request %.*s", (int)received_len, received);
    else if (o->calls != 1 || o->inside_start || o->status != 200 || strcmp(o->body, "hello world") != 0 ||
             strcmp(o->header, "fine") != 0)
        snprintf(why, sizeof why, "%d calls (inside: %d), status %d, body '%s', x-name '%s'", o->calls, o->inside_start,
                 o->status, o->body, o->header);
    report(name, why[0] == '\0', why);
}

int main(void)
{
    start_server();
    run_case("a POST to the loopback server ends in time", post_body, 10);
    expect_answer("a POST: the firmware's request bytes; a chunked answer in pieces: status, body, header",
                  &post_outcome);
    run_case("a GET with the 1.5 spelling rule ends in time", spelling_body, 10);
    expect_answer("1.5's spelling rule: USER-AGENT is not seen, ESP8266 is added", &spelling_outcome);
    run_case("a URL that is not http(s)", bad_url_body, 5);
    report("a URL that is not http(s) fails from the loop with the firmware's reason",
           bad_url.calls == 1 && !bad_url.inside_start && bad_url.status == NM_HTTP_FAILED &&
               strcmp(bad_url.reason, "URL is not HTTP or HTTPS") == 0,
           bad_url.reason);
    run_case("a request cancelled at once: the loop ends", cancel_body, 5);
    report("a cancelled request never answers", cancelled.calls == 0, "it answered");
    uv_close((uv_handle_t *)&listener, NULL);
    nm_loop_shutdown();
    return failures ? 1 : 0;
}
