/*
 * idle_client.c — opens N TCP connections to a server and holds them idle.
 *
 *   idle_client HOST PORT N [TIMEOUT_S]
 *
 * Prints "connected N SECONDS" once every connection is established, then holds
 * them, sending nothing, until standard input closes (the harness measures the
 * server's memory meanwhile). Connects are non-blocking with at most MAX_PENDING
 * in progress, so a burst does not overflow the server's accept queue and turn
 * into one-second SYN retransmissions. Exits 1 on any refused or failed connect
 * or when the time bound passes.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_PENDING 64

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* N connections need N descriptors: raise the soft limit to the hard one. */
static void raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

static int start_connect(int ep, const struct sockaddr_in *addr)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        perror("idle_client: socket");
        return -1;
    }
    if (connect(fd, (const struct sockaddr *)addr, sizeof *addr) < 0 && errno != EINPROGRESS) {
        perror("idle_client: connect");
        return -1;
    }
    struct epoll_event ev = {.events = EPOLLOUT, .data.fd = fd};
    return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

/* A writable socket has finished connecting; SO_ERROR says how. */
static int finish_connect(int ep, int fd)
{
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
    if (err != 0) {
        fprintf(stderr, "idle_client: connect: %s\n", strerror(err));
        return -1;
    }
    return 0;
}

static int open_all(const struct sockaddr_in *addr, int n, double deadline)
{
    int ep = epoll_create1(EPOLL_CLOEXEC);
    int started = 0, connected = 0;
    struct epoll_event evs[MAX_PENDING];
    while (connected < n) {
        while (started < n && started - connected < MAX_PENDING) {
            if (start_connect(ep, addr) < 0)
                return -1;
            started++;
        }
        if (now() > deadline) {
            fprintf(stderr, "idle_client: only %d of %d connected in time\n", connected, n);
            return -1;
        }
        int k = epoll_wait(ep, evs, MAX_PENDING, 100);
        for (int i = 0; i < k; i++) {
            if (finish_connect(ep, evs[i].data.fd) < 0)
                return -1;
            connected++;
        }
    }
    close(ep);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: idle_client HOST PORT N [TIMEOUT_S]\n");
        return 2;
    }
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[2]))};
    if (inet_pton(AF_INET, argv[1], &addr.sin_addr) != 1) {
        fprintf(stderr, "idle_client: bad address %s\n", argv[1]);
        return 2;
    }
    int n = atoi(argv[3]);
    double timeout = argc > 4 ? atof(argv[4]) : 60.0;
    raise_fd_limit();
    double t0 = now();
    if (open_all(&addr, n, t0 + timeout) < 0)
        return 1;
    printf("connected %d %.3f\n", n, now() - t0);
    fflush(stdout);
    char buf[256];
    while (read(STDIN_FILENO, buf, sizeof buf) > 0)
        ; /* hold until the harness closes our input */
    return 0;
}
