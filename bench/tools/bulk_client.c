/*
 * bulk_client.c — connects, reads until BYTES have arrived, reports the rate.
 *
 *   bulk_client HOST PORT BYTES [TIMEOUT_S]
 *
 * Prints "BYTES SECONDS MB/s" (MB = 10^6 bytes), timed from the start of connect
 * to the last byte. Plain blocking reads into a large buffer keep the client far
 * cheaper than any server it measures. Exits 1 when the server closes early or
 * the time bound passes.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static char buf[1 << 20];

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int connect_to(const char *host, int port, double timeout)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
        fprintf(stderr, "bulk_client: bad address %s\n", host);
        return -1;
    }
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    /* A stalled server must not hang the harness: bound every read. */
    struct timeval tv = {.tv_sec = (time_t)timeout};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
        perror("bulk_client: connect");
        return -1;
    }
    return fd;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: bulk_client HOST PORT BYTES [TIMEOUT_S]\n");
        return 2;
    }
    uint64_t want = strtoull(argv[3], NULL, 10), got = 0;
    double timeout = argc > 4 ? atof(argv[4]) : 60.0;
    double t0 = now();
    int fd = connect_to(argv[1], atoi(argv[2]), timeout);
    if (fd < 0)
        return 1;
    while (got < want) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0 || now() - t0 > timeout) {
            fprintf(stderr, "bulk_client: stopped after %llu of %llu bytes\n",
                    (unsigned long long)got, (unsigned long long)want);
            return 1;
        }
        got += (uint64_t)n;
    }
    double secs = now() - t0;
    close(fd);
    printf("%llu %.6f %.1f\n", (unsigned long long)got, secs, (double)got / secs / 1e6);
    return 0;
}
