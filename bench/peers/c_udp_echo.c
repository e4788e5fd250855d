/*
 * c_udp_echo.c — the plain-C libuv UDP echo: the ceiling netmcu's UDP is measured against.
 *
 *   c_udp_echo PORT
 *
 * Binds 127.0.0.1:PORT and sends every datagram back to its sender, the way a
 * careful libuv program does: one shared receive buffer, uv_udp_try_send for the
 * reply, and a copied uv_udp_send only when the socket buffer is full.
 */
#define _GNU_SOURCE /* uv.h needs the POSIX thread types under -std=c11 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

static uv_udp_t g_sock;
static char g_buf[64 * 1024];

typedef struct pending_send {
    uv_udp_send_t req;
    char data[];
} pending_send;

static void alloc_shared(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)h;
    (void)suggested;
    *buf = uv_buf_init(g_buf, sizeof g_buf);
}

static void on_sent(uv_udp_send_t *req, int status)
{
    (void)status;
    free(req);
}

static void on_recv(uv_udp_t *h, ssize_t nread, const uv_buf_t *buf, const struct sockaddr *from,
                    unsigned flags)
{
    (void)flags;
    if (nread < 0 || from == NULL)
        return;
    uv_buf_t out = uv_buf_init(buf->base, (unsigned)nread);
    int r = uv_udp_try_send(h, &out, 1, from);
    if (r != UV_EAGAIN && r != UV_ENOBUFS)
        return;
    pending_send *p = malloc(sizeof(*p) + (size_t)nread);
    if (p == NULL)
        return;
    memcpy(p->data, buf->base, (size_t)nread);
    out = uv_buf_init(p->data, (unsigned)nread);
    if (uv_udp_send(&p->req, h, &out, 1, from, on_sent) < 0)
        free(p);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: c_udp_echo PORT\n");
        return 2;
    }
    struct sockaddr_in addr;
    uv_loop_t *loop = uv_default_loop();
    int r = uv_ip4_addr("127.0.0.1", atoi(argv[1]), &addr);
    if (r == 0)
        r = uv_udp_init(loop, &g_sock);
    if (r == 0)
        r = uv_udp_bind(&g_sock, (const struct sockaddr *)&addr, 0);
    if (r == 0)
        r = uv_udp_recv_start(&g_sock, alloc_shared, on_recv);
    if (r < 0) {
        fprintf(stderr, "c_udp_echo: %s\n", uv_strerror(r));
        return 1;
    }
    return uv_run(loop, UV_RUN_DEFAULT);
}
