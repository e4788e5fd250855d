/*
 * udp_client.c — keeps WINDOW 64-byte datagrams in flight to a UDP echo server.
 *
 *   udp_client HOST PORT SECONDS WINDOW
 *
 * Sends WINDOW datagrams, then one more for every echo that returns, for SECONDS.
 * A window that gets no echo for 100 ms counts as lost and is sent afresh.
 * Prints "ECHOED SECONDS LOST". Exits 1 when nothing at all came back.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SIZE 64

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: udp_client HOST PORT SECONDS WINDOW\n");
        return 2;
    }
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[2]))};
    if (inet_pton(AF_INET, argv[1], &addr.sin_addr) != 1) {
        fprintf(stderr, "udp_client: bad address %s\n", argv[1]);
        return 2;
    }
    double seconds = atof(argv[3]);
    int window = atoi(argv[4]);
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    /* connected: only the server's echoes come in, and an unreachable port is an error */
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
        perror("udp_client");
        return 1;
    }
    char out[SIZE], in[2048];
    memset(out, 'u', sizeof out);
    long echoed = 0, lost = 0;
    int in_flight = 0;
    double start = now(), end = start + seconds;
    while (now() < end) {
        while (in_flight < window) {
            if (send(fd, out, sizeof out, 0) < 0) {
                if (errno != EAGAIN && errno != ECONNREFUSED)
                    perror("udp_client: send");
                break;
            }
            in_flight++;
        }
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int r = poll(&p, 1, 100);
        if (r == 0) { /* the window is gone: count it lost, start again */
            lost += in_flight;
            in_flight = 0;
            continue;
        }
        ssize_t n;
        while ((n = recv(fd, in, sizeof in, 0)) >= 0) {
            echoed++;
            if (in_flight > 0)
                in_flight--;
        }
    }
    double took = now() - start;
    printf("%ld %.3f %ld\n", echoed, took, lost);
    return echoed > 0 ? 0 : 1;
}
