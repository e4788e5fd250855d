/*
 * control.c — the control channel (see control.h): the noun table, the
 * command parser, and the Unix socket served on the loop.
 */
#include "core/control.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/loop.h"

#define NOUN_MAX 15
#define NOUNS_MAX 16
#define CLIENTS_MAX 8

typedef struct noun_entry {
    char name[NOUN_MAX + 1];
    nm_control_fn fn;
    void *data;
} noun_entry;

typedef struct client {
    uv_pipe_t pipe;
    struct client *next;
    size_t len;
    bool overlong; /* discarding the rest of a line that did not fit */
    bool held;     /* not read while its replies wait (too_much_unsent) */
    char line[NM_CONTROL_LINE_MAX + 1];
} client;

typedef struct reply_write {
    uv_write_t req;
    char text[NM_CONTROL_LINE_MAX + 2];
} reply_write;

static noun_entry nouns[NOUNS_MAX];
static int nnouns;

static uv_pipe_t server;
static bool listening;
static char server_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
static client *clients;
static int nclients;

static bool valid_noun(const char *noun)
{
    size_t n = strlen(noun);
    if (n == 0 || n > NOUN_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((noun[i] >= 'a' && noun[i] <= 'z') || (noun[i] >= '0' && noun[i] <= '9') || noun[i] == '_'))
            return false;
    return true;
}

static noun_entry *find_noun(const char *name)
{
    for (int i = 0; i < nnouns; i++)
        if (strcmp(nouns[i].name, name) == 0)
            return &nouns[i];
    return NULL;
}

int nm_control_register(const char *noun, nm_control_fn fn, void *data)
{
    if (fn == NULL || !valid_noun(noun) || strcmp(noun, "help") == 0)
        return -EINVAL;
    noun_entry *e = find_noun(noun);
    if (e != NULL) {
        if (e->fn != fn)
            return -EEXIST;
        e->data = data;
        return 0;
    }
    if (nnouns == NOUNS_MAX)
        return -ENOSPC;
    e = &nouns[nnouns++];
    snprintf(e->name, sizeof e->name, "%s", noun);
    e->fn = fn;
    e->data = data;
    return 0;
}

static int help(char *reply, size_t size)
{
    size_t used = 0;
    reply[0] = '\0';
    for (int i = 0; i < nnouns && used < size; i++) {
        int n = snprintf(reply + used, size - used, "%s%s", used ? " " : "", nouns[i].name);
        if (n < 0)
            break;
        used += (size_t)n;
    }
    return 0;
}

/* Only printable ASCII and tabs; a NUL inside the len bytes is refused too. */
static bool printable(const char *line, size_t len, char *reply, size_t size)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)line[i];
        if (c != '\t' && (c < 0x20 || c > 0x7e)) {
            snprintf(reply, size, "control characters or non-ASCII bytes in the command");
            return false;
        }
    }
    return true;
}

/* Splits line into words at spaces and tabs.
 * Returns the word count, or -1 with the error text in reply. */
static int split_words(char *line, char **words, char *reply, size_t size)
{
    int count = 0;
    char *save = NULL;
    for (char *p = strtok_r(line, " \t", &save); p != NULL; p = strtok_r(NULL, " \t", &save)) {
        if (count == NM_CONTROL_WORDS_MAX) {
            snprintf(reply, size, "too many words (at most %d)", NM_CONTROL_WORDS_MAX);
            return -1;
        }
        words[count++] = p;
    }
    if (count == 0) {
        snprintf(reply, size, "empty command");
        return -1;
    }
    return count;
}

static int run_words(char *line, char *info, size_t size)
{
    char *words[NM_CONTROL_WORDS_MAX];
    int count = split_words(line, words, info, size);
    if (count < 0)
        return -1;
    if (strcmp(words[0], "help") == 0) {
        if (count > 1) {
            snprintf(info, size, "help takes no arguments");
            return -1;
        }
        return help(info, size);
    }
    noun_entry *e = find_noun(words[0]);
    if (e == NULL) {
        snprintf(info, size, "unknown command '%.32s' (help lists the commands)", words[0]);
        return -1;
    }
    return e->fn(e->data, count - 1, words + 1, info, size) == 0 ? 0 : -1;
}

int nm_control_execute(const char *line, char *reply, size_t size)
{
    return nm_control_execute_bytes(line, strlen(line), reply, size);
}

int nm_control_execute_bytes(const char *line, size_t len, char *reply, size_t size)
{
    char copy[NM_CONTROL_LINE_MAX + 1];
    char info[NM_CONTROL_LINE_MAX + 1];
    int rc = -1;
    info[0] = '\0';
    if (len > NM_CONTROL_LINE_MAX) {
        snprintf(info, sizeof info, "line too long (at most %d bytes)", NM_CONTROL_LINE_MAX);
    } else if (printable(line, len, info, sizeof info)) {
        memcpy(copy, line, len);
        copy[len] = '\0';
        rc = run_words(copy, info, sizeof info);
    }
    if (rc == 0)
        snprintf(reply, size, info[0] ? "ok %s" : "ok", info);
    else
        snprintf(reply, size, "error %s", info[0] ? info : "failed");
    return rc;
}

/* ---- the socket ---- */

static void free_client(uv_handle_t *handle)
{
    client *c = handle->data;
    client **p = &clients;
    while (*p && *p != c)
        p = &(*p)->next;
    if (*p)
        *p = c->next;
    nclients--;
    free(c);
}

static void close_client(client *c)
{
    if (!uv_is_closing((uv_handle_t *)&c->pipe))
        uv_close((uv_handle_t *)&c->pipe, free_client);
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf);
static void alloc_read(uv_handle_t *handle, size_t suggested, uv_buf_t *buf);

/* A client that does not read its replies is not read either, so that its
 * commands cannot pile up replies in memory; it is read again once half of
 * the bound has drained. */
static bool too_much_unsent(client *c)
{
    return uv_stream_get_write_queue_size((uv_stream_t *)&c->pipe) > NM_CONTROL_UNSENT_MAX;
}

static void written(uv_write_t *req, int status)
{
    client *c = req->handle->data;
    free(req->data);
    if (status < 0) { /* the client went away (a held one is not read, so this is how it ends) */
        close_client(c);
        return;
    }
    if (c->held && !uv_is_closing((uv_handle_t *)&c->pipe) &&
        uv_stream_get_write_queue_size((uv_stream_t *)&c->pipe) <= NM_CONTROL_UNSENT_MAX / 2) {
        c->held = false;
        uv_read_start((uv_stream_t *)&c->pipe, alloc_read, on_read);
    }
}

static void send_line(client *c, const char *text)
{
    reply_write *w = malloc(sizeof *w);
    if (w == NULL) {
        close_client(c);
        return;
    }
    int n = snprintf(w->text, sizeof w->text, "%s\n", text);
    if (n < 0 || (size_t)n >= sizeof w->text) { /* keep the newline of a truncated reply */
        n = (int)sizeof w->text - 1;
        w->text[n - 1] = '\n';
    }
    w->req.data = w;
    uv_buf_t buf = uv_buf_init(w->text, (unsigned)n);
    if (uv_write(&w->req, (uv_stream_t *)&c->pipe, &buf, 1, written) != 0) {
        free(w);
        close_client(c);
    }
}

static void end_line(client *c)
{
    char reply[NM_CONTROL_LINE_MAX + 1];
    if (c->overlong) {
        snprintf(reply, sizeof reply, "error line too long (at most %d bytes)", NM_CONTROL_LINE_MAX);
    } else {
        if (c->len > 0 && c->line[c->len - 1] == '\r')
            c->len--;
        nm_control_execute_bytes(c->line, c->len, reply, sizeof reply);
    }
    c->len = 0;
    c->overlong = false;
    send_line(c, reply);
}

static void take_bytes(client *c, const char *p, size_t n)
{
    for (size_t i = 0; i < n && !uv_is_closing((uv_handle_t *)&c->pipe); i++) {
        if (p[i] == '\n')
            end_line(c);
        else if (c->len < NM_CONTROL_LINE_MAX)
            c->line[c->len++] = p[i];
        else
            c->overlong = true;
    }
}

/* One read at a time on one thread: a single buffer serves every client. */
static void alloc_read(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
    static char chunk[1024];
    (void)handle;
    (void)suggested;
    *buf = uv_buf_init(chunk, sizeof chunk);
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
    client *c = stream->data;
    if (nread > 0) {
        take_bytes(c, buf->base, (size_t)nread);
        if (!uv_is_closing((uv_handle_t *)&c->pipe) && too_much_unsent(c)) {
            c->held = true;
            uv_read_stop(stream);
        }
    } else if (nread < 0) {
        close_client(c); /* EOF or error; a partial last line is dropped */
    }
}

/* Only the user running netmcu may drive it, whatever the file mode. */
static bool peer_is_owner(uv_pipe_t *pipe)
{
    uv_os_fd_t fd;
    struct ucred cred;
    socklen_t len = sizeof cred;
    if (uv_fileno((uv_handle_t *)pipe, &fd) != 0 || getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0)
        return false;
    return cred.uid == geteuid();
}

static void on_connection(uv_stream_t *srv, int status)
{
    if (status != 0)
        return;
    client *c = calloc(1, sizeof *c);
    if (c == NULL)
        return;
    uv_pipe_init(nm_loop(), &c->pipe, 0);
    c->pipe.data = c;
    c->next = clients;
    clients = c;
    nclients++;
    uv_unref((uv_handle_t *)&c->pipe); /* a control client never keeps a run alive */
    if (uv_accept(srv, (uv_stream_t *)&c->pipe) != 0 || !peer_is_owner(&c->pipe)) {
        close_client(c);
        return;
    }
    if (nclients > CLIENTS_MAX) {
        send_line(c, "error too many control connections");
        close_client(c);
        return;
    }
    uv_read_start((uv_stream_t *)&c->pipe, alloc_read, on_read);
}

static void free_detached(uv_handle_t *handle)
{
    free(handle->data);
}

static void close_channel(void)
{
    while (clients) {
        client *c = clients;
        clients = c->next;
        c->next = NULL;
        if (!uv_is_closing((uv_handle_t *)&c->pipe))
            uv_close((uv_handle_t *)&c->pipe, free_detached);
        nclients--;
    }
    if (listening) {
        uv_close((uv_handle_t *)&server, NULL);
        unlink(server_path);
        listening = false;
    }
}

/* An existing socket file is stale unless something still accepts on it. */
static int clear_old_socket(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? 0 : -errno;
    if (!S_ISSOCK(st.st_mode))
        return -EEXIST;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path);
    int live = connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0;
    close(fd);
    if (live)
        return -EADDRINUSE;
    return unlink(path) == 0 ? 0 : -errno;
}

int nm_control_listen(const char *path)
{
    if (listening)
        return -EALREADY;
    if (path == NULL || *path == '\0')
        return -EINVAL;
    if (strlen(path) >= sizeof server_path)
        return -ENAMETOOLONG;
    int rc = clear_old_socket(path);
    if (rc != 0)
        return rc;
    uv_pipe_init(nm_loop(), &server, 0);
    /* The mode is right from the moment the file exists: no window for others. */
    mode_t old = umask(0177);
    rc = uv_pipe_bind(&server, path);
    umask(old);
    if (rc == 0 && chmod(path, 0600) != 0) {
        rc = -errno;
        unlink(path);
    }
    if (rc == 0)
        rc = uv_listen((uv_stream_t *)&server, 4, on_connection);
    if (rc != 0) {
        uv_close((uv_handle_t *)&server, NULL);
        return rc;
    }
    snprintf(server_path, sizeof server_path, "%s", path);
    listening = true;
    uv_unref((uv_handle_t *)&server);
    nm_loop_at_shutdown(close_channel);
    return 0;
}

const char *nm_control_path(void)
{
    return listening ? server_path : NULL;
}
