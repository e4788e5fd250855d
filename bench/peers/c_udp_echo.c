/*
 * c_udp_echo.c — the plain-C libuv UDP echo: the ceiling netmcu's UDP is measured against.
 *
 *   c_udp_echo PORT [batch]
 *
 * Binds 127.0.0.1:PORT and sends every datagram back to its sender, the way a
 * careful libuv program does: one shared receive buffer, uv_udp_try_send for the
 * reply, and a copied uv_udp_send only when the socket buffer is full.
 *
 * With "batch" (not a bench peer; for comparison by hand, docs/performance.md)
 * it reads up to 20 datagrams per recvmmsg and echoes each batch with one
 * sendmmsg straight from the receive buffer, as netmcu batches replies.
 */
#define _GNU_SOURCE /* uv.h needs the POSIX thread types under -std=c11 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#define SLOT (64 * 1024)
#define WIDTH 20 /* libuv's recvmmsg width */

static uv_udp_t g_sock;
static char g_buf[WIDTH * SLOT];
static size_t g_buf_len = SLOT;

static struct mmsghdr g_out[WIDTH];
static struct iovec g_out_iov[WIDTH];
static struct sockaddr_in6 g_out_to[WIDTH];
static unsigned g_out_count;

typedef struct pending_send {
    uv_udp_send_t req;
    char data[];
} pending_send;

static void alloc_shared(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)h;
    (void)suggested;
    *buf = uv_buf_init(g_buf, (unsigned)g_buf_len);
}

static void on_sent(uv_udp_send_t *req, int status)
{
    (void)status;
    free(req);
}

static void send_copy(uv_udp_t *h, const char *data, size_t nread, const struct sockaddr *from)
{
    pending_send *p = malloc(sizeof(*p) + nread);
    if (p == NULL)
        return;
    memcpy(p->data, data, nread);
    uv_buf_t out = uv_buf_init(p->data, (unsigned)nread);
    if (uv_udp_send(&p->req, h, &out, 1, from, on_sent) < 0)
        free(p);
}

/* Echoes the batch from the receive buffer, which stays valid until MMSG_FREE. */
static void on_recv_batch(uv_udp_t *h, ssize_t nread, const uv_buf_t *buf, const struct sockaddr *from,
                          unsigned flags)
{
    if (flags & UV_UDP_MMSG_FREE) {
        unsigned done = 0;
        int r;
        uv_os_fd_t fd;
        uv_fileno((uv_handle_t *)h, &fd);
        while (done < g_out_count && (r = sendmmsg(fd, g_out + done, g_out_count - done, 0)) > 0)
            done += (unsigned)r;
        for (; done < g_out_count; done++)
            send_copy(h, g_out_iov[done].iov_base, g_out_iov[done].iov_len,
                      (const struct sockaddr *)&g_out_to[done]);
        g_out_count = 0;
        return;
    }
    if (nread < 0 || from == NULL)
        return;
    unsigned i = g_out_count++;
    g_out_iov[i] = (struct iovec){buf->base, (size_t)nread};
    memcpy(&g_out_to[i], from, sizeof(struct sockaddr_in));
    g_out[i].msg_hdr = (struct msghdr){.msg_name = &g_out_to[i], .msg_namelen = sizeof(struct sockaddr_in),
                                       .msg_iov = &g_out_iov[i], .msg_iovlen = 1};
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
    send_copy(h, buf->base, (size_t)nread, from);
}

int main(int argc, char **argv)
{
    bool batch = argc == 3 && strcmp(argv[2], "batch") == 0;
    if (argc != 2 && !batch) {
        fprintf(stderr, "usage: c_udp_echo PORT [batch]\n");
        return 2;
    }
    struct sockaddr_in addr;
    uv_loop_t *loop = uv_default_loop();
    int r = uv_ip4_addr("127.0.0.1", atoi(argv[1]), &addr);
    if (batch)
        g_buf_len = sizeof g_buf;
    if (r == 0)
        r = uv_udp_init_ex(loop, &g_sock, AF_INET | (batch ? UV_UDP_RECVMMSG : 0));
    if (r == 0)
        r = uv_udp_bind(&g_sock, (const struct sockaddr *)&addr, 0);
    if (r == 0)
        r = uv_udp_recv_start(&g_sock, alloc_shared, batch ? on_recv_batch : on_recv);
    if (r < 0) {
        fprintf(stderr, "c_udp_echo: %s\n", uv_strerror(r));
        return 1;
    }
    return uv_run(loop, UV_RUN_DEFAULT);
}
