/*
 * c_http_get.c — the plain C baseline of the HTTP client benchmark: libuv
 * and libhttp-parser, the libraries netmcu's http module runs on, without
 * Lua. It sends netmcu's request text (the firmware's: Host with the port,
 * Connection: close, User-Agent) on a new connection per request, parses the
 * answer and closes once the parser says it is complete.
 *
 *   c_http_get PORT PATH COUNT WINDOW   COUNT GETs of http://127.0.0.1:PORT/PATH,
 *                                       WINDOW in flight; prints
 *                                       "<s> <CPU s> <failures>"
 * Times are measured from the first connect, so start-up stays out.
 */
#define _GNU_SOURCE
#include <http_parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <uv.h>

typedef struct get {
    uv_tcp_t tcp;
    uv_connect_t connect;
    uv_write_t write;
    http_parser parser;
    size_t body;
    int done;
} get;

static struct sockaddr_in server;
static char request[256];
static size_t request_len;
static long count, window, started, finished, failures;
static double t0, cpu0;
static char buffer[64 * 1024];

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static int on_body(http_parser *p, const char *at, size_t len)
{
    (void)at;
    ((get *)p->data)->body += len;
    return 0;
}

static int on_complete(http_parser *p)
{
    ((get *)p->data)->done = 1;
    http_parser_pause(p, 1);
    return 0;
}

static const http_parser_settings settings = {.on_body = on_body, .on_message_complete = on_complete};

static void start_one(void);

static void closed(uv_handle_t *h)
{
    get *g = h->data;
    if (!g->done || g->parser.status_code != 200)
        failures++;
    free(g);
    finished++;
    if (started < count)
        start_one();
    else if (finished == count)
        printf("%.6f %.6f %ld\n", now() - t0, cpu() - cpu0, failures);
}

static void end(get *g)
{
    if (!uv_is_closing((uv_handle_t *)&g->tcp))
        uv_close((uv_handle_t *)&g->tcp, closed);
}

static void alloc_cb(uv_handle_t *h, size_t size, uv_buf_t *buf)
{
    (void)h, (void)size;
    *buf = uv_buf_init(buffer, sizeof buffer);
}

static void read_cb(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    get *g = s->data;
    if (n < 0) {
        if (n == UV_EOF)
            http_parser_execute(&g->parser, &settings, NULL, 0);
        end(g);
        return;
    }
    http_parser_execute(&g->parser, &settings, buf->base, (size_t)n);
    if (g->done || HTTP_PARSER_ERRNO(&g->parser) != HPE_OK)
        end(g);
}

static void written(uv_write_t *w, int status)
{
    if (status < 0)
        end(w->data);
}

static void connected(uv_connect_t *c, int status)
{
    get *g = c->data;
    if (status < 0) {
        end(g);
        return;
    }
    uv_buf_t b = uv_buf_init(request, (unsigned)request_len);
    g->write.data = g;
    uv_write(&g->write, (uv_stream_t *)&g->tcp, &b, 1, written);
    uv_read_start((uv_stream_t *)&g->tcp, alloc_cb, read_cb);
}

static void start_one(void)
{
    get *g = calloc(1, sizeof(*g));
    if (g == NULL)
        abort();
    started++;
    http_parser_init(&g->parser, HTTP_RESPONSE);
    g->parser.data = g;
    uv_tcp_init(uv_default_loop(), &g->tcp);
    uv_tcp_nodelay(&g->tcp, 1);
    g->tcp.data = g;
    g->connect.data = g;
    uv_tcp_connect(&g->connect, &g->tcp, (const struct sockaddr *)&server, connected);
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: c_http_get PORT PATH COUNT WINDOW\n");
        return 2;
    }
    int port = atoi(argv[1]);
    count = atol(argv[3]);
    window = atol(argv[4]);
    uv_ip4_addr("127.0.0.1", port, &server);
    request_len = (size_t)snprintf(request, sizeof request,
                                   "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n"
                                   "User-Agent: ESP8266\r\n\r\n",
                                   argv[2], port);
    t0 = now();
    cpu0 = cpu();
    for (long i = 0; i < window && i < count; i++)
        start_one();
    uv_run(uv_default_loop(), UV_RUN_DEFAULT);
    return 0;
}
