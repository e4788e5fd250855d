/*
 * stream.c — reading, writing and closing one TCP connection.
 */
#include "core/stream.h"

#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "core/loop.h"
#include "core/tcp_server.h"
#include "core/tls.h"

#define READ_BUFFER_SIZE (64 * 1024)
#define WRITE_POOL_MAX 1024
/* libuv counts a buffer's length in an unsigned int: longer writes go as
 * several buffers of one request, so no length is ever cut. */
#define WRITE_PIECE ((size_t)1 << 30)
/* A closing stream whose peer has not answered our FIN by then takes the mark
 * its linger measures progress against (on_linger_mark). */
#define LINGER_MARK_MS 200

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

nm_stream *nm_stream_new_unaccepted(void)
{
    nm_stream *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return NULL;
    if (uv_tcp_init(nm_loop(), &s->tcp) != 0) {
        free(s);
        return NULL;
    }
    return s;
}

nm_stream *nm_stream_new(const nm_stream_events *ev, void *owner)
{
    nm_stream *s = nm_stream_new_unaccepted();
    if (s == NULL)
        return NULL;
    s->tcp.data = owner;
    s->ev = ev;
    /* Scripts send a response in several pieces; Nagle would hold the later
     * pieces back for the peer's delayed ACK. */
    uv_tcp_nodelay(&s->tcp, 1);
    return s;
}

static void report_taken_at_once(nm_stream *s);

/* Writes the kernel took whole, inside nm_stream_write, wait here to be
 * reported from the loop. They are older than any write of the same stream
 * still in libuv's queue (the socket is tried only when that queue is empty),
 * so a stream reports its own first whenever it reports anything else. */
static nm_write *taken_head, **taken_tail = &taken_head;
static nm_task taken_task;

/* A server holds thousands of idle streams: at 312 bytes at most (on 64-bit
 * Linux) one is a 320-byte malloc chunk, not a 336-byte one. */
_Static_assert(sizeof(nm_stream) <= 312, "nm_stream outgrew its 320-byte malloc chunk");

/* Outgoing streams still open, so that those no owner holds any more (left
 * to drain) are closed at exit too; they reuse the idle links, which only
 * accepted streams need. */
static nm_stream *live_clients;
static unsigned clients_open;

unsigned nm_stream_clients_open(void)
{
    return clients_open;
}

static void clients_unlink(nm_stream *s)
{
    if (s->idle_prev != NULL || live_clients == s) {
        clients_open--;
        nm_tcp_server_slot_freed(); /* a connection waiting for a server may go on */
    }
    if (s->idle_prev)
        s->idle_prev->idle_next = s->idle_next;
    else if (live_clients == s)
        live_clients = s->idle_next;
    if (s->idle_next)
        s->idle_next->idle_prev = s->idle_prev;
    s->idle_prev = s->idle_next = NULL;
}

static void abort_all_clients(void)
{
    for (nm_stream *s = live_clients; s; s = s->idle_next)
        nm_stream_abort(s, 0);
}

static void clients_add(nm_stream *s)
{
    s->idle_prev = NULL;
    s->idle_next = live_clients;
    if (live_clients)
        live_clients->idle_prev = s;
    live_clients = s;
    clients_open++;
    nm_loop_at_shutdown(abort_all_clients);
}

/* Tells the owner, once, that the connection is over, and detaches it. */
static void report_closed(nm_stream *s, int status)
{
    if (s->reported)
        return;
    s->reported = 1;
    if (nm_stream_tls(s)) {
        nm_tls_on_closed(s); /* writes still waiting for the handshake are abandoned */
        status = nm_tls_end_status(s, status);
    }
    if (s->ev && s->ev->closed)
        s->ev->closed(s, status);
    s->tcp.data = NULL;
}

static void on_closed(uv_handle_t *handle)
{
    nm_stream *s = (nm_stream *)handle;
    report_taken_at_once(s);
    if (nm_stream_server(s))
        nm_tcp_server_forget(s);
    else
        clients_unlink(s);
    report_closed(s, s->close_status);
    if (nm_stream_tls(s))
        nm_tls_free(s);
    free(s);
}

static void free_timer(uv_handle_t *handle)
{
    free(handle);
}

/* Stopped timers wait here for the next stream that needs one: otherwise
 * every closed connection's linger would allocate, initialise, close and free
 * a uv_timer_t. A stopped timer keeps no loop alive; the few kept are closed
 * at shutdown, and any beyond them are closed as before. */
#define SPARE_TIMERS 64
static uv_timer_t *spare_timers[SPARE_TIMERS];
static unsigned spare_count;

static void close_spare_timers(void)
{
    while (spare_count > 0)
        uv_close((uv_handle_t *)spare_timers[--spare_count], free_timer);
}

static uv_timer_t *take_timer(void)
{
    if (spare_count > 0)
        return spare_timers[--spare_count];
    uv_timer_t *timer = malloc(sizeof(*timer));
    if (timer) {
        uv_timer_init(nm_loop(), timer);
        nm_loop_at_shutdown(close_spare_timers);
    }
    return timer;
}

static void stop_timer(nm_stream *s)
{
    if (s->timer == NULL)
        return;
    if (spare_count < SPARE_TIMERS) {
        uv_timer_stop(s->timer);
        spare_timers[spare_count++] = s->timer;
    } else {
        uv_close((uv_handle_t *)s->timer, free_timer);
    }
    s->timer = NULL;
}

static void close_handle(nm_stream *s)
{
    stop_timer(s);
    if (!uv_is_closing((uv_handle_t *)&s->tcp))
        uv_close((uv_handle_t *)&s->tcp, on_closed);
}

/* Runs fn once after ms; a stream has one timer, for one purpose at a time. */
static void start_timer(nm_stream *s, uint64_t ms, uv_timer_cb fn)
{
    if (s->timer == NULL) {
        s->timer = take_timer();
        if (s->timer == NULL)
            return; /* the inactivity timeout, or exit, still ends the stream */
        s->timer->data = s;
    }
    uv_ref((uv_handle_t *)s->timer); /* the handshake's bound left it unreferenced */
    uv_timer_start(s->timer, fn, ms, 0);
}

/* An error ends the stream: the owner hears it now, the handle closes. */
static void fail(nm_stream *s, int status)
{
    if (!s->closing || s->close_status == 0)
        s->close_status = (int16_t)status;
    s->closing = 1;
    report_closed(s, s->close_status);
    close_handle(s);
}

static uint32_t pending_writes(const nm_stream *s)
{
    return s->writes_queued + s->writes_taken;
}

static void touch(nm_stream *s)
{
    if (nm_stream_server(s))
        nm_tcp_server_touch(s);
}

/* An error the kernel reported for the connection, as the device's stack
 * would: a keep-alive server's stream that timed out there had its probe
 * go unanswered, which lwIP reports as an abort. */
static int kernel_error(const nm_stream *s, int status)
{
    nm_tcp_server *srv = nm_stream_server(s);
    return status == UV_ETIMEDOUT && srv != NULL && srv->keepalive ? UV_ECONNABORTED : status;
}

static void on_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
    (void)handle;
    (void)suggested;
    buf->base = read_buffer;
    buf->len = sizeof(read_buffer);
}

static void peer_ended(nm_stream *s);

static void on_read(uv_stream_t *handle, ssize_t nread, const uv_buf_t *buf)
{
    nm_stream *s = (nm_stream *)handle;
    if (nread > 0) {
        /* A write the kernel took is older than the data read after it: its
         * report (the script's `sent`) comes first, even when the peer
         * answers within the loop turn that would have reported it. (Not
         * before an error: libuv has made the socket unwritable by then.) */
        report_taken_at_once(s);
        touch(s);
        /* Closing: read only so that unread input never turns our FIN into a reset. */
        if (!s->closing && nm_stream_tls(s)) {
            nm_tls_on_received(s, buf->base, (size_t)nread);
        } else if (!s->closing && s->ev && s->ev->received) {
            s->answer_due = 1;
            s->ev->received(s, buf->base, (size_t)nread);
        }
    } else if (nread == UV_EOF) {
        int status = nm_stream_tls(s) && !s->closing ? nm_tls_on_eof(s) : 0; /* an unfinished handshake fails */
        if (status != 0)
            fail(s, status);
        else
            peer_ended(s);
    } else if (nread < 0) {
        fail(s, kernel_error(s, (int)nread));
    }
}

static void start_reading(nm_stream *s)
{
    if (s->reading || (s->held && !s->closing) || s->peer_ended || !s->connected)
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

static void drain_then_shut(nm_stream *s);

/* A secure stream's handshake is bounded (tls.h); once it has finished the
 * timer is simply let go when it fires. */
static void on_handshake_timeout(uv_timer_t *timer)
{
    nm_stream *s = timer->data;
    if (!nm_tls_on_handshake_timeout(s))
        stop_timer(s);
}

static void on_connect(uv_connect_t *req, int status)
{
    nm_stream *s = (nm_stream *)req->handle;
    free(req);
    s->connecting = 0;
    if (status == UV_ECANCELED)
        return;
    if (status < 0) {
        fail(s, status); /* libuv cancels the writes queued meanwhile */
        return;
    }
    s->connected = 1;
    if (s->closing) { /* closed while connecting: what was sent still goes out */
        drain_then_shut(s);
        return;
    }
    start_reading(s);
    if (nm_stream_tls(s)) {
        start_timer(s, nm_tls_handshake_timeout(), on_handshake_timeout);
        if (s->timer) /* the connection holds the run, not its bound (a deferred close lets go) */
            uv_unref((uv_handle_t *)s->timer);
        nm_tls_on_connected(s); /* `connected` comes after the handshake */
    } else if (s->ev && s->ev->connected)
        s->ev->connected(s);
}

void nm_stream_connect(nm_stream *s, const struct sockaddr *addr)
{
    /* Requests that happen once per connection are allocated when needed,
     * which keeps an idle connection small. */
    uv_connect_t *req = malloc(sizeof(*req));
    int r = req ? uv_tcp_connect(req, &s->tcp, addr, on_connect) : UV_ENOMEM;
    clients_add(s);
    if (r == 0) {
        s->connecting = 1;
    } else {
        free(req);
        nm_stream_abort(s, r); /* reported by `closed`, from the loop */
    }
}

void nm_stream_start_accepted(nm_stream *s)
{
    s->connected = 1; /* TCP_NODELAY came from the listener (tcp_server.c) */
    start_reading(s);
}

static void end_of_stream(nm_stream *s);

/* After the peer's FIN the stream ends when its last write is reported and
 * the owner's chain of writes stops. */
static void maybe_end(nm_stream *s)
{
    if (s->peer_ended && !s->closing && !s->in_chain && pending_writes(s) == 0)
        end_of_stream(s);
}

static void report_written(nm_stream *s, intptr_t cookie, int status)
{
    if (nm_stream_tls(s) && !nm_tls_on_written(s, &cookie))
        return; /* records of the handshake or of the close, not the owner's */
    if (status == 0)
        touch(s);
    if (s->ev && s->ev->written)
        s->ev->written(s, cookie, status);
    if (status == 0)
        maybe_end(s);
}

/* Reports a detached list of taken writes, oldest first. */
static void report_taken(nm_write *w)
{
    while (w) {
        nm_write *next = w->next;
        nm_stream *s = w->stream;
        intptr_t cookie = w->cookie;
        write_put(w);
        s->writes_taken--;
        report_written(s, cookie, 0);
        w = next;
    }
}

/* Writes taken by the callbacks of one round are reported by the next, up to
 * TAKEN_ROUNDS rounds a loop turn, as libuv runs its own write callbacks
 * after a poll: a chain of sends (one in flight, the next from `sent`) then
 * costs a loop turn per TAKEN_ROUNDS sends, not per send, while the bound
 * keeps a chain from starving other connections. */
#define TAKEN_ROUNDS 9

static void report_all_taken(nm_task *task)
{
    for (int round = 0; round < TAKEN_ROUNDS && taken_head; round++) {
        nm_write *all = taken_head;
        /* Detach the list: writes taken by the callbacks it runs wait a round. */
        taken_head = NULL;
        taken_tail = &taken_head;
        report_taken(all);
    }
    if (taken_head == NULL)
        nm_task_cancel(task); /* no turn for an empty list */
}

static void report_taken_at_once(nm_stream *s)
{
    /* The list holds every stream's writes: scanning it on each read of each
     * connection would cost in proportion to the connections. */
    if (s->writes_taken == 0)
        return;
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
    report_taken_at_once(s);
    report_written(s, cookie, status);
    if (status < 0 && status != UV_ECANCELED)
        fail(s, kernel_error(s, status));
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

/* Hands what it can to the kernel at once; returns the bytes taken. */
static size_t try_write(nm_stream *s, const char *data, size_t len)
{
    size_t taken = 0;
    while (taken < len) {
        size_t n = len - taken < WRITE_PIECE ? len - taken : WRITE_PIECE;
        uv_buf_t buf = uv_buf_init((char *)data + taken, (unsigned)n);
        int r = uv_try_write((uv_stream_t *)&s->tcp, &buf, 1);
        if (r <= 0)
            break; /* EAGAIN; other errors come back from uv_write, through `written` */
        taken += (size_t)r;
        if ((size_t)r < n)
            break;
    }
    return taken;
}

static int queue_write(nm_stream *s, nm_write *w, const char *data, size_t len)
{
    uv_buf_t few[4], *bufs = few;
    size_t nbufs = (len + WRITE_PIECE - 1) / WRITE_PIECE;
    if (nbufs > sizeof(few) / sizeof(few[0]) && (bufs = malloc(nbufs * sizeof(*bufs))) == NULL)
        return UV_ENOMEM;
    for (size_t i = 0; i < nbufs; i++) {
        size_t off = i * WRITE_PIECE, n = len - off < WRITE_PIECE ? len - off : WRITE_PIECE;
        bufs[i] = uv_buf_init((char *)data + off, (unsigned)n);
    }
    /* libuv copies the buffer list into the request. */
    int r = uv_write(&w->req, (uv_stream_t *)&s->tcp, bufs, (unsigned)nbufs, on_written);
    if (bufs != few)
        free(bufs);
    return r;
}

int nm_stream_write(nm_stream *s, const char *data, size_t len)
{
    if (s->closing || s->reported)
        return UV_EPIPE;
    if (nm_stream_tls(s))
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
    s->answer_due = 0;
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
    /* Straight to the socket when nothing waits before it: a write the kernel
     * takes whole costs no queue, no epoll change and no extra loop turn. */
    size_t taken = s->writes_queued == 0 ? try_write(s, data, len) : 0;
    if (taken == len) {
        *taken_tail = w;
        taken_tail = &w->next;
        s->writes_taken++;
        nm_task_post(&taken_task, report_all_taken);
        return 0;
    }
    int r = queue_write(s, w, data + taken, len - taken);
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

/* Bytes not yet acknowledged by the peer: libuv's queue plus the kernel's. */
static size_t unacked_bytes(const nm_stream *s)
{
    size_t queued = s->tcp.write_queue_size;
    uv_os_fd_t fd;
    int in_kernel = 0;
    if (uv_fileno((const uv_handle_t *)&s->tcp, &fd) == 0 && ioctl(fd, SIOCOUTQ, &in_kernel) == 0)
        queued += (size_t)in_kernel;
    return queued;
}

/* A large send that the peer drains slowly completes late, but every byte the
 * peer acknowledged since the last check is activity (the firmware counts
 * ACKs). A send resets the mark to "unknown" (no syscall on the hot path), so
 * data still unacknowledged then buys one more period in which to measure. */
static bool made_write_progress(nm_stream *s)
{
    size_t unacked = unacked_bytes(s);
    uint32_t mark = unacked < UINT32_MAX ? (uint32_t)unacked : UINT32_MAX - 1;
    bool progress = mark > 0 && mark < s->queued_mark;
    s->queued_mark = mark;
    return progress;
}

/* The linger found no progress: what the peer has not acknowledged is lost. */
static void linger_over(nm_stream *s)
{
    if (unacked_bytes(s) > 0) {
        fail(s, UV_ETIMEDOUT);
        return;
    }
    close_handle(s); /* all delivered; the peer just never closed its side */
}

static void on_linger(uv_timer_t *timer)
{
    nm_stream *s = timer->data;
    if (made_write_progress(s))
        start_timer(s, NM_STREAM_LINGER_MS, on_linger);
    else
        linger_over(s);
}

/* The linger's periods are measured from this mark. It is not taken when the
 * close begins: most peers answer our FIN with theirs within a round trip,
 * and then the system call would be wasted on every connection. */
static void on_linger_mark(uv_timer_t *timer)
{
    nm_stream *s = timer->data;
    made_write_progress(s);
    start_timer(s, NM_STREAM_LINGER_MS, on_linger);
}

static void on_shutdown(uv_shutdown_t *req, int status)
{
    nm_stream *s = (nm_stream *)req->handle;
    free(req);
    if (status == UV_ECANCELED)
        return; /* the handle is closing */
    if (status < 0) {
        fail(s, status);
        return;
    }
    s->shut = 1;
    if (s->peer_ended)
        close_handle(s);
}

/* FIN now: the kernel sends it after the data it still holds. */
static void shut_now(nm_stream *s)
{
    uv_os_fd_t fd;
    if (!s->peer_ended && uv_fileno((uv_handle_t *)&s->tcp, &fd) == 0 && shutdown(fd, SHUT_WR) == 0) {
        s->shut = 1;
        return;
    }
    close_handle(s);
}

/* The closing sequence of a connected stream: queued writes drain, FIN, and
 * input is read and discarded until the peer's FIN or the linger's end. */
static void drain_then_shut(nm_stream *s)
{
    if (s->gathering)
        set_gathering(s, 0); /* push the chain's last piece */
    start_reading(s);
    start_timer(s, LINGER_MARK_MS, on_linger_mark);
    if (s->writes_queued > 0) {
        uv_shutdown_t *req = malloc(sizeof(*req));
        if (req && uv_shutdown(req, (uv_stream_t *)&s->tcp, on_shutdown) == 0)
            return;
        free(req);
        fail(s, UV_ENOMEM);
        return;
    }
    shut_now(s);
}

static void on_answer_window(uv_timer_t *timer)
{
    nm_stream *s = timer->data;
    if (!s->closing && pending_writes(s) == 0 && !s->in_chain)
        end_of_stream(s);
}

/* The peer sent its FIN and we have nothing more to say: our FIN follows
 * whatever the kernel still holds, and nothing unread can turn it into a reset. */
static void end_of_stream(nm_stream *s)
{
    s->closing = 1;
    report_closed(s, 0);
    close_handle(s);
}

static void peer_ended(nm_stream *s)
{
    s->peer_ended = 1;
    stop_reading(s);
    if (s->closing) {
        if (s->shut || !s->connected)
            close_handle(s);
        return; /* on_shutdown closes once the queue has drained */
    }
    if (pending_writes(s) > 0 || s->in_chain)
        return; /* maybe_end, when the chain stops */
    if (nm_stream_server(s) && s->answer_due)
        start_timer(s, NM_STREAM_ANSWER_WINDOW_MS, on_answer_window);
    else
        end_of_stream(s);
}

void nm_stream_hold(nm_stream *s, bool hold)
{
    s->held = hold;
    if (s->closing)
        return; /* a closing stream reads, to discard, whatever hold says */
    if (hold) {
        stop_reading(s);
    } else {
        start_reading(s);
        if (nm_stream_tls(s))
            nm_tls_on_unhold(s); /* plaintext already decrypted waits no longer */
    }
}

void nm_stream_close(nm_stream *s, int status)
{
    if (s->closing)
        return;
    if (nm_stream_tls(s) && nm_tls_on_close(s, status))
        return; /* the handshake still has writes to deliver first */
    s->closing = 1;
    s->close_status = (int16_t)status;
    if (s->connecting)
        return; /* on_connect drains once connected, or fails */
    if (!s->connected || s->peer_ended) {
        if (s->connected && s->writes_queued > 0) {
            drain_then_shut(s); /* on_shutdown closes: the peer has ended */
            return;
        }
        close_handle(s);
        return;
    }
    drain_then_shut(s);
}

void nm_stream_abort(nm_stream *s, int status)
{
    if (!s->closing || s->close_status == 0)
        s->close_status = (int16_t)status;
    s->closing = 1;
    stop_reading(s);
    close_handle(s);
}

bool nm_stream_writable(const nm_stream *s)
{
    return !s->closing && !s->reported && (s->connected || s->connecting);
}

void nm_stream_expire(nm_stream *s)
{
    if (made_write_progress(s))
        return;
    if (s->closing) {
        linger_over(s);
        return;
    }
    if (s->peer_ended && pending_writes(s) == 0) {
        end_of_stream(s); /* the answer window outlived the timeout */
        return;
    }
    /* Idle: the owner hears it now; the stream then closes on its own,
     * gracefully unless data it could not deliver is still waiting. */
    report_closed(s, UV_ETIMEDOUT);
    if (s->tcp.write_queue_size > 0 || unacked_bytes(s) > 0)
        fail(s, UV_ETIMEDOUT);
    else
        nm_stream_close(s, UV_ETIMEDOUT);
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
    s->reported = 1;
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
