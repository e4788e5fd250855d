/*
 * serial.c — the serial console on a pseudo-terminal.
 */
#include "runner/serial.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/pty.h"
#include "runtime/input.h"
#include "runtime/output.h"

#define HANDOVER_ENV "NETMCU_SERIAL_FDS" /* "master,slave" across a reboot */

static nm_pty pty = {.master = -1, .slave = -1};
static bool opened, started;
static char *link_path;

/* Console text as uart0_putc sends it: LF as CR LF, CR dropped. */
static void write_text(const char *text, size_t len)
{
    char out[512];
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (n + 2 > sizeof out) {
            nm_pty_write(&pty, out, n);
            n = 0;
        }
        if (text[i] == '\n')
            out[n++] = '\r';
        if (text[i] != '\r')
            out[n++] = text[i];
    }
    nm_pty_write(&pty, out, n);
}

static void write_raw(const char *bytes, size_t len)
{
    nm_pty_write(&pty, bytes, len);
}

static void on_read(nm_pty *p, const char *bytes, size_t len)
{
    (void)p;
    nm_input_bytes(bytes, len);
}

/* A rebooting run left its descriptors in the environment. */
static int adopt(void)
{
    const char *fds = getenv(HANDOVER_ENV);
    int master, slave;
    if (fds == NULL || sscanf(fds, "%d,%d", &master, &slave) != 2)
        return 1;
    unsetenv(HANDOVER_ENV);
    return nm_pty_adopt(&pty, master, slave);
}

/* Points `path` at the device, replacing an old link but never a file. */
static int make_link(const char *path)
{
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
        unlink(path);
    return symlink(pty.path, path) == 0 ? 0 : -errno;
}

bool nm_serial_open(const char *link)
{
    int err = adopt();
    bool reboot = err <= 0;
    if (err > 0)
        err = nm_pty_open(&pty);
    if (err < 0) {
        fprintf(stderr, "netmcu: cannot open a pseudo-terminal: %s\n", strerror(-err));
        return false;
    }
    if (link && !reboot && (err = make_link(link)) < 0) {
        fprintf(stderr, "netmcu: cannot link %s to %s: %s\n", link, pty.path, strerror(-err));
        nm_pty_close(&pty);
        return false;
    }
    if (link)
        link_path = strdup(link);
    if (!reboot) {
        printf("%s\n", pty.path);
        fflush(stdout);
    }
    nm_output_set_device(write_text, write_raw);
    opened = true;
    return true;
}

bool nm_serial_start(void)
{
    int err = nm_pty_start(&pty, on_read);
    if (err != 0) {
        fprintf(stderr, "netmcu: cannot watch %s: %s\n", pty.path, uv_strerror(err));
        return false;
    }
    started = true;
    nm_input_prompt();
    return true;
}

bool nm_serial_opened(void)
{
    return opened;
}

void nm_serial_pause(void)
{
    nm_pty_stop(&pty);
    started = false;
}

void nm_serial_report(const char *msg)
{
    if (!started)
        return;
    if (msg == NULL)
        msg = "";
    nm_output_device(msg, strlen(msg));
    nm_output_device("\n", 1);
    nm_input_prompt();
}

void nm_serial_reboot(char **argv)
{
    char fds[32];
    snprintf(fds, sizeof fds, "%d,%d", pty.master, pty.slave);
    setenv(HANDOVER_ENV, fds, 1);
    nm_pty_handover(&pty);
    fflush(NULL);
    execv("/proc/self/exe", argv);
    fprintf(stderr, "netmcu: cannot reboot: %s\n", strerror(errno));
    unsetenv(HANDOVER_ENV);
}

void nm_serial_stop(void)
{
    if (!opened)
        return;
    nm_output_set_device(NULL, NULL);
    nm_pty_close(&pty);
    if (link_path) {
        unlink(link_path);
        free(link_path);
        link_path = NULL;
    }
    opened = started = false;
}
