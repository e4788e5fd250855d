/*
 * pty.c — a pseudo-terminal on the loop.
 */
#include "core/pty.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "core/loop.h"

/* Output kept for a slow or absent reader: more than a whole flash file
 * read out as base64 in one Lua call, since the board never waits. */
#define QUEUE_LIMIT (8 << 20)

/* The settings of a serial port opened by a program that wants bytes as
 * they are: no echo, no line editing, no translation, no signals. */
static int make_raw(int fd)
{
    struct termios t;
    if (tcgetattr(fd, &t) != 0)
        return -errno;
    cfmakeraw(&t);
    cfsetispeed(&t, B115200);
    cfsetospeed(&t, B115200);
    return tcsetattr(fd, TCSANOW, &t) == 0 ? 0 : -errno;
}

static int set_flags(int fd, bool cloexec)
{
    int fl = fcntl(fd, F_GETFL);
    int fdfl = fcntl(fd, F_GETFD);
    if (fl < 0 || fdfl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
        return -errno;
    fdfl = cloexec ? (fdfl | FD_CLOEXEC) : (fdfl & ~FD_CLOEXEC);
    return fcntl(fd, F_SETFD, fdfl) == 0 ? 0 : -errno;
}

int nm_pty_adopt(nm_pty *pty, int master, int slave)
{
    memset(pty, 0, sizeof *pty);
    /* Packet mode tells us when a program opening the port flushes it:
     * then the output still queued for it is stale as well. */
    int on = 1;
    if (ioctl(master, TIOCPKT, &on) != 0)
        return -errno;
    pty->master = master;
    pty->slave = slave;
    const char *name = ptsname(master);
    if (name == NULL || strlen(name) >= sizeof pty->path)
        return -ENOTTY;
    strcpy(pty->path, name);
    int err = set_flags(master, true);
    return err ? err : set_flags(slave, true);
}

int nm_pty_open(nm_pty *pty)
{
    int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0)
        return -errno;
    if (grantpt(master) != 0 || unlockpt(master) != 0 || ptsname(master) == NULL) {
        int err = -errno;
        close(master);
        return err;
    }
    int slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave < 0) {
        int err = -errno;
        close(master);
        return err;
    }
    int err = make_raw(slave);
    if (err == 0)
        err = nm_pty_adopt(pty, master, slave);
    if (err != 0) {
        close(slave);
        close(master);
    }
    return err;
}

void nm_pty_handover(nm_pty *pty)
{
    set_flags(pty->master, false);
    set_flags(pty->slave, false);
}

static void on_events(uv_poll_t *handle, int status, int events);

static void update_events(nm_pty *pty)
{
    bool want = pty->queue.len > 0;
    if (!pty->polling || want == pty->want_write)
        return;
    pty->want_write = want;
    uv_poll_start(&pty->poll, UV_READABLE | (want ? UV_WRITABLE : 0), on_events);
}

/* Writes from the queue what the slave takes now. */
static void flush_queue(nm_pty *pty)
{
    size_t done = 0;
    while (done < pty->queue.len) {
        ssize_t n = write(pty->master, pty->queue.data + done, pty->queue.len - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN)
                done = pty->queue.len; /* the device is gone: nothing to keep */
            break;
        }
        done += (size_t)n;
    }
    nm_bytebuf_consume(&pty->queue, done);
}

/* Input first: a flush reported with the same wake-up must drop the
 * queue before it is written into the port the peer just emptied. */
static void on_events(uv_poll_t *handle, int status, int events)
{
    nm_pty *pty = handle->data;
    if (status != 0)
        return;
    if (events & UV_READABLE) {
        char chunk[4097];
        ssize_t n = read(pty->master, chunk, sizeof chunk);
        if (n > 0 && chunk[0] != TIOCPKT_DATA) { /* a status byte alone */
            if (chunk[0] & TIOCPKT_FLUSHREAD)
                pty->queue.len = 0;
        } else if (n > 1 && pty->on_read) {
            pty->on_read(pty, chunk + 1, (size_t)n - 1);
        }
    }
    if ((events & UV_WRITABLE) && pty->polling) {
        flush_queue(pty);
        update_events(pty);
    }
}

int nm_pty_start(nm_pty *pty, nm_pty_read_cb on_read)
{
    pty->on_read = on_read;
    int err = uv_poll_init(nm_loop(), &pty->poll, pty->master);
    if (err != 0)
        return err;
    pty->poll.data = pty;
    pty->polling = true;
    pty->want_write = pty->queue.len > 0;
    return uv_poll_start(&pty->poll, UV_READABLE | (pty->want_write ? UV_WRITABLE : 0), on_events);
}

void nm_pty_write(nm_pty *pty, const char *bytes, size_t len)
{
    if (pty->master < 0 || len == 0)
        return;
    if (pty->queue.len == 0) {
        while (len > 0) {
            ssize_t n = write(pty->master, bytes, len);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                break;
            bytes += n;
            len -= (size_t)n;
        }
        if (len == 0 || errno != EAGAIN)
            return;
    }
    if (pty->queue.len + len <= QUEUE_LIMIT)
        nm_bytebuf_append(&pty->queue, bytes, len);
    update_events(pty);
}

void nm_pty_stop(nm_pty *pty)
{
    if (pty->polling && !uv_is_closing((uv_handle_t *)&pty->poll))
        uv_close((uv_handle_t *)&pty->poll, NULL);
    pty->polling = false;
}

void nm_pty_close(nm_pty *pty)
{
    nm_pty_stop(pty);
    if (pty->master >= 0)
        close(pty->master);
    if (pty->slave >= 0)
        close(pty->slave);
    pty->master = pty->slave = -1;
    nm_bytebuf_free(&pty->queue);
}
