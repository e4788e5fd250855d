/*
 * pty_test.c — the pseudo-terminal of --serial: raw bytes both ways, writes
 * that never block (queued while the peer does not read), the queue dropped
 * when the peer flushes the port, input on the loop, the device gone at close.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "core/loop.h"
#include "core/pty.h"

#include "harness.h"

#define BIG (200 * 1024)

static char got_input[64];
static size_t got_len;

static void on_read(nm_pty *pty, const char *bytes, size_t len)
{
    (void)pty;
    if (got_len + len <= sizeof got_input) {
        memcpy(got_input + got_len, bytes, len);
        got_len += len;
    }
}

/* Reads what the peer side has within about ms milliseconds, turning the loop meanwhile. */
static size_t peer_read(int fd, char *buf, size_t size, int ms)
{
    size_t n = 0;
    for (int i = 0; i < ms && n < size; i++) {
        nm_loop_run(UV_RUN_NOWAIT);
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 1) == 1) {
            ssize_t r = read(fd, buf + n, size - n);
            if (r > 0)
                n += (size_t)r;
        }
    }
    return n;
}

static int open_peer(const char *path)
{
    int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK);
    if (fd >= 0)
        tcflush(fd, TCIOFLUSH); /* as serialport does when it opens a port */
    return fd;
}

int main(void)
{
    nm_pty pty;
    int rc = nm_pty_open(&pty);
    report("opens a pseudo-terminal", rc == 0 && strncmp(pty.path, "/dev/pts/", 9) == 0, strerror(-rc));
    if (rc != 0)
        return 1;
    nm_pty_start(&pty, on_read);

    int peer = open_peer(pty.path);
    struct termios t;
    report("the peer sees a raw port",
           peer >= 0 && tcgetattr(peer, &t) == 0 && !(t.c_lflag & (ECHO | ICANON)) && !(t.c_oflag & OPOST) &&
               !(t.c_iflag & ICRNL),
           "echo, canonical mode or translation left on");

    char buf[BIG + 64];
    nm_pty_write(&pty, "a\nb\r", 4);
    size_t n = peer_read(peer, buf, 4, 500);
    report("bytes go out as they are", n == 4 && memcmp(buf, "a\nb\r", 4) == 0, "translated or lost");

    if (write(peer, "x\ry\n", 4) != 4)
        failures++;
    for (int i = 0; i < 500 && got_len < 4; i++) {
        nm_loop_run(UV_RUN_NOWAIT);
        usleep(1000);
    }
    report("input reaches the loop as it is", got_len == 4 && memcmp(got_input, "x\ry\n", 4) == 0, "not delivered");

    static char big[BIG];
    for (size_t i = 0; i < BIG; i++)
        big[i] = (char)('a' + i % 26);
    nm_pty_write(&pty, big, BIG); /* far more than the kernel takes at once */
    report("a large write queues instead of blocking", pty.queue.len > 0, "nothing queued");
    n = peer_read(peer, buf, BIG, 3000);
    report("the queue drains in order as the peer reads", n == BIG && memcmp(buf, big, BIG) == 0, "short or garbled");

    close(peer);
    nm_pty_write(&pty, big, BIG); /* nobody reads now */
    peer = open_peer(pty.path);
    for (int i = 0; i < 50; i++) { /* the flush reaches the loop as a status byte */
        nm_loop_run(UV_RUN_NOWAIT);
        usleep(1000);
    }
    nm_pty_write(&pty, "new", 3);
    n = peer_read(peer, buf, sizeof buf, 300);
    report("a peer flushing as it opens drops unread output", n == 3 && memcmp(buf, "new", 3) == 0, "stale output");
    close(peer);

    char path[64];
    strcpy(path, pty.path);
    nm_pty_close(&pty);
    nm_loop_run(UV_RUN_NOWAIT);
    int gone = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK);
    report("the device goes away at close", gone < 0, "still opens");
    if (gone >= 0)
        close(gone);
    nm_loop_shutdown();
    return failures != 0;
}
