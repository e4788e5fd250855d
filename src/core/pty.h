/*
 * pty.h — a pseudo-terminal on the loop, standing in for the board's UART.
 *
 * The master side is ours; the slave device (/dev/pts/N) is what a terminal
 * program or an upload tool opens as its serial port. The slave is kept in
 * raw mode (no echo, no CR/LF translation: the console does those itself, as
 * the device does) and held open by us, so that peers may come and go: the
 * master then never sees a hang-up, and the slave keeps its settings.
 *
 * Writes never block the loop. Bytes the slave cannot take at once wait in a
 * queue and go out when it drains; past a bound (nobody is reading) further
 * output is dropped, as a UART's output is lost with no one listening, and a
 * program that flushes the port as it opens it (tcflush) drops the queue too.
 * The descriptors survive exec (nm_pty_adopt), so a rebooting board keeps its
 * device path.
 */
#ifndef NETMCU_PTY_H
#define NETMCU_PTY_H

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

#include "core/bytebuf.h"

typedef struct nm_pty nm_pty;
typedef void (*nm_pty_read_cb)(nm_pty *pty, const char *bytes, size_t len);

struct nm_pty {
    int master, slave;
    char path[64]; /* the slave device */
    uv_poll_t poll;
    bool polling, want_write;
    nm_bytebuf queue; /* output the slave has not taken yet */
    nm_pty_read_cb on_read;
    void *data; /* the owner's */
};

/* Opens a new pseudo-terminal. Returns 0 or a negative errno. */
int nm_pty_open(nm_pty *pty);
/* Takes over descriptors left by nm_pty_handover before an exec. */
int nm_pty_adopt(nm_pty *pty, int master, int slave);
/* Keeps the descriptors open across exec (the board reboots into the same device). */
void nm_pty_handover(nm_pty *pty);
/* Starts delivering input to on_read. */
int nm_pty_start(nm_pty *pty, nm_pty_read_cb on_read);
/* Stops delivering input (before the loop's handles are closed). */
void nm_pty_stop(nm_pty *pty);
/* Writes bytes as they are; never blocks. */
void nm_pty_write(nm_pty *pty, const char *bytes, size_t len);
/* Stops reading and closes both sides (the device disappears). */
void nm_pty_close(nm_pty *pty);

#endif
