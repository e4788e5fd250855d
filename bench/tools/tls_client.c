/*
 * tls_client.c — the plain C baseline of the TLS benchmark: libuv and
 * OpenSSL with memory BIOs, as netmcu does it, without Lua.
 *
 *   tls_client hs   PORT CAFILE COUNT WINDOW  COUNT handshakes (verified, SNI
 *                                              "localhost"), WINDOW at a time,
 *                                              each closed with close_notify;
 *                                              prints "<s> <CPU s> <failures>"
 *   tls_client bulk PORT CAFILE BYTES         GET /big and read BYTES of it;
 *                                              prints "<s> <CPU s> 0"
 *   tls_client idle PORT CAFILE COUNT         COUNT connections left open after
 *                                              the handshake; prints the RSS
 *                                              bytes per connection
 * Times are measured from the first connect, so start-up stays out.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <uv.h>

typedef struct conn {
    uv_tcp_t tcp;
    SSL *ssl;
    BIO *in, *out;
    int handshaken;
    size_t got;
} conn;

typedef struct out_write {
    uv_write_t req;
    char data[];
} out_write;

static SSL_CTX *ctx;
static struct sockaddr_in server;
static const char *mode;
static long count, window, started, finished, failures, established;
static size_t bulk_bytes;
static double t0, cpu0;
static long rss0;
static char plain[64 * 1024];

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

static long rss_bytes(void)
{
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
            resident = 0;
        fclose(f);
    }
    return resident * sysconf(_SC_PAGESIZE);
}

static void on_written(uv_write_t *req, int status)
{
    (void)status;
    free(req);
}

static void flush(conn *c)
{
    size_t n = BIO_ctrl_pending(c->out);
    if (n == 0)
        return;
    out_write *w = malloc(sizeof(*w) + n);
    BIO_read(c->out, w->data, (int)n);
    uv_buf_t b = uv_buf_init(w->data, (unsigned)n);
    uv_write(&w->req, (uv_stream_t *)&c->tcp, &b, 1, on_written);
}

static void start_one(void);

static void on_closed(uv_handle_t *h)
{
    conn *c = (conn *)h;
    SSL_free(c->ssl);
    free(c);
    finished++;
    if (strcmp(mode, "hs") == 0) {
        if (started < count)
            start_one();
        else if (finished == count)
            printf("%.6f %.6f %ld\n", now() - t0, cpu() - cpu0, failures);
    }
}

static void finish(conn *c, int ok)
{
    if (!ok)
        failures++;
    if (ok && c->handshaken) {
        SSL_shutdown(c->ssl);
        flush(c);
    }
    uv_read_stop((uv_stream_t *)&c->tcp);
    uv_close((uv_handle_t *)&c->tcp, on_closed);
}

static void alloc_cb(uv_handle_t *h, size_t size, uv_buf_t *buf)
{
    (void)h;
    (void)size;
    static char rbuf[64 * 1024];
    buf->base = rbuf;
    buf->len = sizeof(rbuf);
}

static void handshake_done(conn *c)
{
    c->handshaken = 1;
    if (strcmp(mode, "hs") == 0) {
        finish(c, 1);
    } else if (strcmp(mode, "bulk") == 0) {
        static const char req[] = "GET /big HTTP/1.1\r\nHost: localhost\r\n\r\n";
        SSL_write(c->ssl, req, sizeof(req) - 1);
        flush(c);
    } else if (++established == count) {
        sleep(1); /* lazily allocated state lands */
        printf("%.0f\n", (double)(rss_bytes() - rss0) / count);
        exit(0);
    }
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    conn *c = (conn *)s;
    if (n < 0) {
        finish(c, 0);
        return;
    }
    BIO_write(c->in, buf->base, (int)n);
    if (!c->handshaken) {
        int r = SSL_do_handshake(c->ssl);
        flush(c);
        if (r == 1)
            handshake_done(c);
        else if (SSL_get_error(c->ssl, r) != SSL_ERROR_WANT_READ)
            finish(c, 0);
        if (!c->handshaken)
            return;
    }
    for (;;) {
        int r = SSL_read(c->ssl, plain, sizeof(plain));
        if (r <= 0)
            break;
        c->got += (size_t)r;
    }
    if (strcmp(mode, "bulk") == 0 && c->got >= bulk_bytes) {
        printf("%.6f %.6f 0\n", now() - t0, cpu() - cpu0);
        exit(0);
    }
}

static void on_connect(uv_connect_t *req, int status)
{
    conn *c = (conn *)req->handle;
    free(req);
    if (status < 0) {
        finish(c, 0);
        return;
    }
    uv_read_start((uv_stream_t *)&c->tcp, alloc_cb, on_read);
    SSL_do_handshake(c->ssl);
    flush(c);
}

static void start_one(void)
{
    conn *c = calloc(1, sizeof(*c));
    started++;
    uv_tcp_init(uv_default_loop(), &c->tcp);
    uv_tcp_nodelay(&c->tcp, 1);
    c->ssl = SSL_new(ctx);
    c->in = BIO_new(BIO_s_mem());
    c->out = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(c->in, -1);
    SSL_set_bio(c->ssl, c->in, c->out);
    SSL_set_connect_state(c->ssl);
    SSL_set_tlsext_host_name(c->ssl, "localhost");
    SSL_set1_host(c->ssl, "localhost");
    uv_connect_t *req = malloc(sizeof(*req));
    uv_tcp_connect(req, &c->tcp, (const struct sockaddr *)&server, on_connect);
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: tls_client hs|bulk|idle PORT CAFILE N [WINDOW]\n");
        return 2;
    }
    mode = argv[1];
    uv_ip4_addr("127.0.0.1", atoi(argv[2]), &server);
    ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    if (SSL_CTX_load_verify_locations(ctx, argv[3], NULL) != 1) {
        fprintf(stderr, "tls_client: cannot load %s\n", argv[3]);
        return 1;
    }
    count = atol(argv[4]);
    window = argc > 5 ? atol(argv[5]) : 1;
    bulk_bytes = (size_t)atoll(argv[4]);
    t0 = now();
    cpu0 = cpu();
    rss0 = rss_bytes();
    if (strcmp(mode, "hs") == 0)
        for (long i = 0; i < window && i < count; i++)
            start_one();
    else if (strcmp(mode, "bulk") == 0)
        count = 1, start_one();
    else
        for (long i = 0; i < count; i++)
            start_one();
    uv_run(uv_default_loop(), UV_RUN_DEFAULT);
    return failures ? 1 : 0;
}
