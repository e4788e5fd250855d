/*
 * c_server.c — the plain-C libuv peer: the single-thread ceiling netmcu is measured against.
 *
 *   c_server MODE PORT      MODE: http | idle | churn | bulk-nodemcu | bulk-natural | startup
 *   c_server empty          exits at once (process start-up cost of a libuv program)
 *
 * Every mode listens on 127.0.0.1:PORT and prints nothing while serving.
 *  http, idle   answer each "\r\n\r\n" in a received chunk with one fixed response
 *               (pipelining-safe; idle is the same server, held open without traffic).
 *  churn        the same, with "Connection: close" in the response; the server closes
 *               once the response is written.
 *  bulk-*       stream BULK_BYTES in 16 KiB chunks to each client, then close.
 *               nodemcu: one uv_write in flight, the next one issued from its callback.
 *               natural: uv_try_write until the kernel pushes back, then one uv_write
 *               for the rest and resume from its callback (the fastest libuv idiom).
 *  startup      listen, close, exit (start-up benchmark).
 *
 * An http connection is a bare uv_tcp_t: the bytes-per-idle-connection figure of this
 * peer is the floor for a libuv server, so nothing else is allocated per connection.
 */
#define _GNU_SOURCE /* memmem */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#define BACKLOG 511 /* Node's default, used by every peer */
#define CHUNK_SIZE (16 * 1024)
#define BULK_BYTES (1024ull * 1024 * 1024)
#define MAX_BUFS 64 /* responses handed to one uv_try_write call */

enum mode { MODE_HTTP, MODE_CHURN, MODE_BULK_NODEMCU, MODE_BULK_NATURAL, MODE_STARTUP };

static const char RESP_KEEP[] = "HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\nHello, World!";
static const char RESP_CLOSE[] =
    "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 13\r\n\r\nHello, World!";

static enum mode g_mode;
static uv_loop_t *g_loop;
static uv_tcp_t g_server;
static uv_buf_t g_response;
static char g_read_buf[64 * 1024]; /* one loop thread: one shared read buffer */
static char g_chunk[CHUNK_SIZE];

/* A write libuv could not finish at once: owns a copy of the unwritten bytes. */
typedef struct pending_write {
    uv_write_t req;
    int close_after;
    char data[];
} pending_write;

typedef struct bulk_conn {
    uv_tcp_t tcp;
    uv_write_t req;
    uint64_t left; /* bytes not yet handed to libuv */
} bulk_conn;

static void on_closed(uv_handle_t *h)
{
    free(h);
}

static void close_stream(uv_stream_t *s)
{
    if (!uv_is_closing((uv_handle_t *)s))
        uv_close((uv_handle_t *)s, on_closed);
}

static void alloc_shared(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)h;
    (void)suggested;
    *buf = uv_buf_init(g_read_buf, sizeof g_read_buf);
}

/* ---- http, idle, churn ---- */

static size_t count_requests(const char *p, size_t len)
{
    const char *end = p + len;
    size_t n = 0;
    while (p < end && (p = memmem(p, (size_t)(end - p), "\r\n\r\n", 4)) != NULL) {
        n++;
        p += 4;
    }
    return n;
}

static void on_response_written(uv_write_t *req, int status)
{
    pending_write *pw = (pending_write *)req;
    if (status < 0 || pw->close_after)
        close_stream(req->handle);
    free(pw);
}

/* Queues the part of total bytes of n responses that uv_try_write left over. */
static void queue_rest(uv_stream_t *s, size_t done, size_t total)
{
    size_t rest = total - done, len = g_response.len;
    pending_write *pw = malloc(sizeof *pw + rest);
    if (pw == NULL) {
        close_stream(s);
        return;
    }
    for (size_t i = 0; i < rest; i++)
        pw->data[i] = g_response.base[(done + i) % len];
    pw->close_after = g_mode == MODE_CHURN;
    uv_buf_t buf = uv_buf_init(pw->data, (unsigned)rest);
    if (uv_write(&pw->req, s, &buf, 1, on_response_written) < 0) {
        free(pw);
        close_stream(s);
    }
}

static void respond(uv_stream_t *s, size_t n)
{
    uv_buf_t bufs[MAX_BUFS];
    size_t total = n * g_response.len, done = 0;
    while (done < total) {
        size_t k = (total - done) / g_response.len;
        k = k > MAX_BUFS ? MAX_BUFS : k;
        for (size_t i = 0; i < k; i++)
            bufs[i] = g_response;
        int r = uv_try_write(s, bufs, (unsigned)k);
        if (r < 0 && r != UV_EAGAIN) {
            close_stream(s);
            return;
        }
        if (r < (int)(k * g_response.len)) {
            queue_rest(s, done + (r > 0 ? (size_t)r : 0), total);
            return;
        }
        done += (size_t)r;
    }
    if (g_mode == MODE_CHURN)
        close_stream(s);
}

static void on_http_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    if (nread < 0) {
        close_stream(s);
        return;
    }
    size_t n = count_requests(buf->base, (size_t)nread);
    if (n > 0)
        respond(s, n);
}

/* ---- bulk ---- */

static void on_chunk_written(uv_write_t *req, int status);

static int write_chunk(bulk_conn *c, size_t offset)
{
    uv_buf_t buf = uv_buf_init(g_chunk + offset, (unsigned)(CHUNK_SIZE - offset));
    return uv_write(&c->req, (uv_stream_t *)&c->tcp, &buf, 1, on_chunk_written);
}

/* Natural mode: fill the socket with uv_try_write; queue one uv_write once it is full. */
static int pump(bulk_conn *c)
{
    uv_buf_t buf = uv_buf_init(g_chunk, CHUNK_SIZE);
    while (c->left > 0) {
        int r = uv_try_write((uv_stream_t *)&c->tcp, &buf, 1);
        if (r < 0 && r != UV_EAGAIN)
            return r;
        if (r == CHUNK_SIZE) {
            c->left -= CHUNK_SIZE;
            continue;
        }
        c->left -= CHUNK_SIZE; /* the uv_write below completes this chunk */
        return write_chunk(c, r > 0 ? (size_t)r : 0);
    }
    close_stream((uv_stream_t *)&c->tcp);
    return 0;
}

static int send_next(bulk_conn *c)
{
    if (g_mode == MODE_BULK_NATURAL)
        return pump(c);
    if (c->left == 0) {
        close_stream((uv_stream_t *)&c->tcp);
        return 0;
    }
    c->left -= CHUNK_SIZE;
    return write_chunk(c, 0);
}

static void on_chunk_written(uv_write_t *req, int status)
{
    bulk_conn *c = (bulk_conn *)req->handle;
    if (status < 0 || send_next(c) < 0)
        close_stream((uv_stream_t *)&c->tcp);
}

/* Bulk clients send nothing; reading only notices their departure. */
static void on_bulk_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    (void)buf;
    if (nread < 0)
        close_stream(s);
}

/* ---- server ---- */

static uv_tcp_t *accept_one(uv_stream_t *server, size_t size)
{
    uv_tcp_t *t = malloc(size);
    if (t == NULL)
        return NULL;
    uv_tcp_init(g_loop, t);
    if (uv_accept(server, (uv_stream_t *)t) < 0) {
        uv_close((uv_handle_t *)t, on_closed);
        return NULL;
    }
    return t;
}

static void on_connection(uv_stream_t *server, int status)
{
    if (status < 0)
        return; /* EMFILE and friends: keep serving the connections we have */
    int bulk = g_mode == MODE_BULK_NODEMCU || g_mode == MODE_BULK_NATURAL;
    uv_tcp_t *t = accept_one(server, bulk ? sizeof(bulk_conn) : sizeof(uv_tcp_t));
    if (t == NULL)
        return;
    if (!bulk) {
        uv_read_start((uv_stream_t *)t, alloc_shared, on_http_read);
        return;
    }
    bulk_conn *c = (bulk_conn *)t;
    c->left = BULK_BYTES;
    uv_read_start((uv_stream_t *)t, alloc_shared, on_bulk_read);
    if (send_next(c) < 0)
        close_stream((uv_stream_t *)t);
}

static int parse_mode(const char *s, enum mode *m)
{
    static const struct { const char *name; enum mode mode; } modes[] = {
        {"http", MODE_HTTP},
        {"idle", MODE_HTTP},
        {"churn", MODE_CHURN},
        {"bulk-nodemcu", MODE_BULK_NODEMCU},
        {"bulk-natural", MODE_BULK_NATURAL},
        {"startup", MODE_STARTUP},
    };
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        if (strcmp(s, modes[i].name) == 0) {
            *m = modes[i].mode;
            return 0;
        }
    }
    return -1;
}

static int listen_on(int port)
{
    struct sockaddr_in addr;
    int r = uv_ip4_addr("127.0.0.1", port, &addr);
    if (r == 0)
        r = uv_tcp_init(g_loop, &g_server);
    if (r == 0)
        r = uv_tcp_bind(&g_server, (const struct sockaddr *)&addr, 0);
    if (r == 0)
        r = uv_listen((uv_stream_t *)&g_server, BACKLOG, on_connection);
    if (r < 0)
        fprintf(stderr, "c_server: listen on %d: %s\n", port, uv_strerror(r));
    return r;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "empty") == 0)
        return 0;
    if (argc != 3 || parse_mode(argv[1], &g_mode) < 0) {
        fprintf(stderr, "usage: c_server http|idle|churn|bulk-nodemcu|bulk-natural|startup PORT\n"
                        "       c_server empty\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN); /* a client that leaves mid-write is an error code, not a kill */
    g_loop = uv_default_loop();
    const char *resp = g_mode == MODE_CHURN ? RESP_CLOSE : RESP_KEEP;
    g_response = uv_buf_init((char *)resp, (unsigned)strlen(resp));
    memset(g_chunk, 'x', sizeof g_chunk);
    if (listen_on(atoi(argv[2])) < 0)
        return 1;
    if (g_mode == MODE_STARTUP)
        uv_close((uv_handle_t *)&g_server, NULL);
    return uv_run(g_loop, UV_RUN_DEFAULT);
}
