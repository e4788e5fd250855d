/*
 * stream.c — reading, writing and closing one TCP connection.
 */
#include "core/stream.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "core/loop.h"
#include "core/tcp_server.h"
#include "core/tls.h"

#define READ_BUFFER_SIZE (64 * 1024)
#define WRITE_POOL_MAX 1024

/* One buffer serves every read: the loop is single-threaded and the owner
 * copies what it keeps before the next read can happen. */
static char read_buffer[READ_BUFFER_SIZE];

typedef struct nm_write {
    uv_write_t req;
    nm_stream *stream;
    intptr_t cookie;
    struct nm_write *next; /* in the pool, or in the list of writes taken at once */
} nm_write;

/* Write requests are recycled so that a busy connection does not allocate per send. */
static nm_write *write_pool;
static size_t write_pool_size;

static nm_write *write_get(void)
{
    nm_write *w = write_pool;
    if (w) {
        write_pool = w->next;
        write_pool_size--;
        return w;
    }
    return malloc(sizeof(nm_write));
}

static void write_put(nm_write *w)
{
    if (write_pool_size >= WRITE_POOL_MAX) {
        free(w);
        return;
    }
    w->next = write_pool;
    write_pool = w;
    write_pool_size++;
}

nm_stream *nm_stream_new(const nm_stream_events *ev, void *owner)
{
    nm_stream *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return NULL;
    if (uv_tcp_init(nm_loop(), &s->tcp) != 0) {
        free(s);
        return NULL;
    }
    s->tcp.data = owner;
    s->ev = ev;
    /* Scripts send a response in several pieces; Nagle would hold the later
     * pieces back for the peer's delayed ACK. */
    uv_tcp_nodelay(&s->tcp, 1);
    return s;
}

static void report_taken_at_once(nm_stream *s);

static void on_closed(uv_handle_t *handle)
{
    nm_stream *s = (nm_stream *)handle;
    report_taken_at_once(s);
    if (s->server)
        nm_tcp_server_forget(s);
    if (s->tls)
        nm_tls_on_closed(s);
    if (s->ev && s->ev->closed)
        s->ev->closed(s, s->close_status);
    if (s->tls)
        nm_tls_free(s);
    free(s);
}

static void close_handle(nm_stream *s)
{
    if (!uv_is_closing((uv_handle_t *)&s->tcp))
        uv_close((uv_handle_t *)&s->tcp, on_closed);
}

static void touch(nm_stream *s)
{
    if (s->server)
        nm_tcp_server_touch(s);
}

static void on_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
    (void)handle;
    (void)suggested;
    buf->base = read_buffer;
    buf->len = sizeof(read_buffer);
}

static void on_read(uv_stream_t *handle, ssize_t nread, const uv_buf_t *buf)
{
    nm_stream *s = (nm_stream *)handle;
    if (nread > 0) {
        touch(s);
        if (s->tls)
            nm_tls_on_received(s, buf->base, (size_t)nread);
        else if (s->ev && s->ev->received)
            s->ev->received(s, buf->base, (size_t)nread);
    } else if (nread == UV_EOF) {
        nm_stream_close(s, s->tls ? nm_tls_on_eof(s) : 0);
    } else if (nread < 0) {
        nm_stream_abort(s, (int)nread);
    }
}

static void start_reading(nm_stream *s)
{
    if (s->reading || s->held || s->closing || !s->connected)
        return;
    if (uv_read_start((uv_stream_t *)&s->tcp, on_alloc, on_read) == 0)
        s->reading = 1;
}

static void stop_reading(nm_stream *s)
{
    if (!s->reading)
        return;
    uv_read_stop((uv_stream_t *)&s->tcp);
    s->reading = 0;
}

static void on_connect(uv_connect_t *req, int status)
{
    nm_stream *s = (nm_stream *)req->handle;
    free(req);
    s->connecting = 0;
    if (status == UV_ECANCELED || s->closing)
        return;
    if (status < 0) {
        nm_stream_abort(s, status);
        return;
    }
    s->connected = 1;
    start_reading(s);
    if (s->tls)
        nm_tls_on_connected(s); /* `connected` comes after the handshake */
    else if (s->ev && s->ev->connected)
        s->ev->connected(s);
}

void nm_stream_connect(nm_stream *s, const struct sockaddr *addr)
{
    /* Requests that happen once per connection are allocated when needed,
     * which keeps an idle connection small. */
    uv_connect_t *req = malloc(sizeof(*req));
    int r = req ? uv_tcp_connect(req, &s->tcp, addr, on_connect) : UV_ENOMEM;
    if (r == 0) {
        s->connecting = 1;
    } else {
        free(req);
        nm_stream_abort(s, r); /* reported by `closed`, from the loop */
    }
}

void nm_stream_start_accepted(nm_stream *s)
{
    s->connected = 1; /* TCP_NODELAY, set in nm_stream_new, came with uv_accept */
    start_reading(s);
}

static void report_written(nm_stream *s, intptr_t cookie, int status)
{
    if (s->tls && !nm_tls_on_written(s, &cookie))
        return; /* records of the handshake or of the close, not the owner's */
    if (status == 0)
        touch(s);
    if (s->ev && s->ev->written)
        s->ev->written(s, cookie, status);
}

/* Writes the kernel took whole, inside nm_stream_write, wait here to be
 * reported from the loop. They are older than any write of the same stream
 * still in libuv's queue (the socket is tried only when that queue is empty),
 * so a stream reports its own first whenever it reports anything else. */
static nm_write *taken_head, **taken_tail = &taken_head;
static nm_task taken_task;

/* Reports a detached list of taken writes, oldest first. */
static void report_taken(nm_write *w)
{
    while (w) {
        nm_write *next = w->next;
        nm_stream *s = w->stream;
        intptr_t cookie = w->cookie;
        write_put(w);
        report_written(s, cookie, 0);
        w = next;
    }
}

static void report_all_taken(nm_task *task)
{
    (void)task;
    nm_write *all = taken_head;
    /* Detach the list: writes taken by the callbacks it runs wait a turn. */
    taken_head = NULL;
    taken_tail = &taken_head;
    report_taken(all);
}

static void report_taken_at_once(nm_stream *s)
{
    nm_write *mine = NULL, **mine_tail = &mine;
    for (nm_write **link = &taken_head; *link;) {
        nm_write *w = *link;
        if (w->stream != s) {
            link = &w->next;
            continue;
        }
        *link = w->next;
        if (taken_tail == &w->next)
            taken_tail = link;
        w->next = NULL;
        *mine_tail = w;
        mine_tail = &w->next;
    }
    report_taken(mine);
}

static void on_written(uv_write_t *req, int status)
{
    nm_write *w = (nm_write *)req;
    nm_stream *s = w->stream;
    intptr_t cookie = w->cookie;
    write_put(w);
    s->writes_queued--;
    if (taken_head)
        report_taken_at_once(s);
    report_written(s, cookie, status);
    if (status < 0 && status != UV_ECANCELED)
        nm_stream_abort(s, status);
}

/* The write of the last nm_stream_write call that left bytes queued; valid
 * until the next call (the loop is single-threaded). */
static nm_write *last_queued;

/* Inside a chain Nagle's algorithm is switched on, so that pieces written
 * while earlier ones are unacknowledged leave together; switching TCP_NODELAY
 * back on pushes what it holds at once (Linux sends pending data then).
 * Measured on loopback, this streams as fast as plain libuv, where TCP_CORK
 * (full segments only) cost a fifth of the throughput. */
static void set_gathering(nm_stream *s, int on)
{
    uv_os_fd_t fd;
    int nodelay = !on;
    if (uv_fileno((uv_handle_t *)&s->tcp, &fd) == 0 &&
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &nodelay, sizeof(nodelay)) == 0)
        s->gathering = on;
}

void nm_stream_chain_begin(nm_stream *s)
{
    s->in_chain = 1;
    s->chain_wrote = 0;
}

void nm_stream_chain_end(nm_stream *s)
{
    s->in_chain = 0;
    if (s->gathering && !s->chain_wrote)
        set_gathering(s, 0); /* the chain ended: push its last piece now */
}

int nm_stream_write(nm_stream *s, const char *data, size_t len)
{
    if (s->closing)
        return UV_EPIPE;
    if (s->tls)
        return nm_tls_write(s, data, len);
    return nm_stream_write_raw(s, data, len, 0);
}

int nm_stream_write_raw(nm_stream *s, const char *data, size_t len, intptr_t cookie)
{
    if (s->closing)
        return UV_EPIPE;
    if (s->in_chain) {
        s->chain_wrote = 1;
        if (!s->gathering)
            set_gathering(s, 1);
    }
    nm_write *w = write_get();
    if (w == NULL)
        return UV_ENOMEM;
    w->stream = s;
    w->cookie = cookie;
    w->next = NULL;
    last_queued = NULL;
    /* Unknown until the next idle check measures it: the hot path makes no
     * syscall, and a peer that acknowledges nothing is caught one check later. */
    s->queued_mark = UINT32_MAX;
    uv_buf_t buf = uv_buf_init((char *)data, (unsigned)len);
    /* Straight to the socket when nothing waits before it: a write the kernel
     * takes whole costs no queue, no epoll change and no extra loop turn. */
    int taken = s->writes_queued == 0 ? uv_try_write((uv_stream_t *)&s->tcp, &buf, 1) : 0;
    if (taken == (int)len) {
        *taken_tail = w;
        taken_tail = &w->next;
        nm_task_post(&taken_task, report_all_taken);
        return 0;
    }
    if (taken > 0) {
        buf.base += taken;
        buf.len -= (unsigned)taken;
    }
    /* Errors other than EAGAIN come back from uv_write, through `written`. */
    int r = uv_write(&w->req, (uv_stream_t *)&s->tcp, &buf, 1, on_written);
    if (r < 0) {
        write_put(w);
        return r;
    }
    s->writes_queued++;
    last_queued = w;
    return NM_WRITE_QUEUED;
}

void nm_stream_tag_queued_write(intptr_t cookie)
{
    if (last_queued)
        last_queued->cookie = cookie;
}

void nm_stream_hold(nm_stream *s, bool hold)
{
    s->held = hold;
    if (hold) {
        stop_reading(s);
    } else {
        start_reading(s);
        if (s->tls)
            nm_tls_on_unhold(s); /* plaintext already decrypted waits no longer */
    }
}

static void on_shutdown(uv_shutdown_t *req, int status)
{
    (void)status;
    nm_stream *s = (nm_stream *)req->handle;
    free(req);
    close_handle(s);
}

void nm_stream_close(nm_stream *s, int status)
{
    if (s->closing)
        return;
    if (s->tls && nm_tls_on_close(s, status))
        return; /* the handshake still has writes to deliver first */
    s->closing = 1;
    s->close_status = status;
    stop_reading(s);
    /* uv_shutdown waits for the queued writes, then sends FIN. With none
     * queued, closing the socket sends the FIN itself, after whatever the
     * kernel still holds, and saves a syscall and a loop turn. */
    if (s->connected && s->writes_queued > 0) {
        uv_shutdown_t *req = malloc(sizeof(*req));
        if (req && uv_shutdown(req, (uv_stream_t *)&s->tcp, on_shutdown) == 0)
            return;
        free(req);
    }
    close_handle(s);
}

void nm_stream_abort(nm_stream *s, int status)
{
    if (!s->closing) {
        s->closing = 1;
        s->close_status = status;
    }
    stop_reading(s);
    close_handle(s);
}

void nm_stream_adopt(nm_stream *s, const nm_stream_events *ev, void *owner)
{
    s->ev = ev;
    s->tcp.data = owner;
}

void nm_stream_release(nm_stream *s)
{
    s->ev = NULL;
    s->tcp.data = NULL;
    nm_stream_abort(s, 0);
}

int nm_stream_peer(const nm_stream *s, struct sockaddr_storage *addr)
{
    int len = sizeof(*addr);
    return uv_tcp_getpeername(&s->tcp, (struct sockaddr *)addr, &len);
}

int nm_stream_local(const nm_stream *s, struct sockaddr_storage *addr)
{
    int len = sizeof(*addr);
    return uv_tcp_getsockname(&s->tcp, (struct sockaddr *)addr, &len);
}

size_t nm_stream_queued_bytes(const nm_stream *s)
{
    return s->tcp.write_queue_size;
}
