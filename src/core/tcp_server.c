/*
 * tcp_server.c — listening, accepting, and the inactivity timeout.
 */
#include "core/tcp_server.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "core/loop.h"

static void idle_unlink(nm_tcp_server *srv, nm_stream *s)
{
    if (s->idle_prev)
        s->idle_prev->idle_next = s->idle_next;
    else
        srv->idle_head = s->idle_next;
    if (s->idle_next)
        s->idle_next->idle_prev = s->idle_prev;
    else
        srv->idle_tail = s->idle_prev;
    s->idle_prev = s->idle_next = NULL;
}

static void idle_append(nm_tcp_server *srv, nm_stream *s)
{
    s->idle_prev = srv->idle_tail;
    s->idle_next = NULL;
    if (srv->idle_tail)
        srv->idle_tail->idle_next = s;
    else
        srv->idle_head = s;
    srv->idle_tail = s;
}

static void on_idle_timer(uv_timer_t *timer);

static uint32_t now_ms(void)
{
    return (uint32_t)uv_now(nm_loop());
}

/* Milliseconds since the stream's last activity; stamps wrap every 49 days,
 * far beyond the longest timeout. */
static uint32_t idle_for(const nm_stream *s, uint32_t now)
{
    return now - s->last_active;
}

static void arm_idle_timer(nm_tcp_server *srv)
{
    if (srv->idle_head == NULL || srv->keepalive) {
        uv_timer_stop(&srv->idle_timer);
        return;
    }
    uint32_t idle = idle_for(srv->idle_head, now_ms());
    uint64_t left = idle < srv->timeout_ms ? srv->timeout_ms - idle : 0;
    uv_timer_start(&srv->idle_timer, on_idle_timer, left, 0);
}

/* Expires every stream whose deadline has passed (nm_stream_expire decides
 * what that means for it); each gets one more period in which to finish. */
static void on_idle_timer(uv_timer_t *timer)
{
    nm_tcp_server *srv = timer->data;
    uint32_t now = now_ms();
    nm_stream *last = srv->idle_tail;
    while (srv->idle_head && idle_for(srv->idle_head, now) >= srv->timeout_ms) {
        nm_stream *s = srv->idle_head;
        idle_unlink(srv, s);
        s->last_active = now;
        idle_append(srv, s);
        nm_stream_expire(s);
        if (s == last)
            break;
    }
    arm_idle_timer(srv);
}

static nm_tcp_server *live_servers;

static void on_handle_closed(uv_handle_t *handle)
{
    nm_tcp_server *srv = handle->data;
    if (--srv->open_handles > 0)
        return;
    if (srv->prev_live)
        srv->prev_live->next_live = srv->next_live;
    else
        live_servers = srv->next_live;
    if (srv->next_live)
        srv->next_live->prev_live = srv->prev_live;
    free(srv);
}

/* At exit, connections that no script object owns (accepted without a
 * listen callback, or left open by a closed server) are aborted too. */
static void abort_all_servers(void)
{
    for (nm_tcp_server *srv = live_servers; srv; srv = srv->next_live)
        nm_tcp_server_close(srv, NM_ABORT_ACCEPTED);
}

/* Frees the server once it is closed and no accepted stream needs its timer. */
static void maybe_free(nm_tcp_server *srv)
{
    if (!srv->closed || srv->idle_head != NULL || uv_is_closing((uv_handle_t *)&srv->idle_timer))
        return;
    uv_close((uv_handle_t *)&srv->idle_timer, on_handle_closed);
}

nm_tcp_server *nm_tcp_server_new(const nm_tcp_server_events *ev, void *owner, unsigned timeout_s)
{
    nm_tcp_server *srv = calloc(1, sizeof(*srv));
    if (srv == NULL)
        return NULL;
    uv_tcp_init(nm_loop(), &srv->listener);
    uv_timer_init(nm_loop(), &srv->idle_timer);
    /* The timer only watches connections, which keep the loop alive themselves. */
    uv_unref((uv_handle_t *)&srv->idle_timer);
    srv->listener.data = srv;
    srv->idle_timer.data = srv;
    srv->open_handles = 2;
    srv->ev = ev;
    srv->owner = owner;
    srv->timeout_ms = timeout_s * 1000u;
    srv->next_live = live_servers;
    if (live_servers)
        live_servers->prev_live = srv;
    live_servers = srv;
    nm_loop_at_shutdown(abort_all_servers);
    return srv;
}

static void report_accept_failure(nm_tcp_server *srv, int status)
{
    if (!srv->accept_error_seen && srv->ev && srv->ev->accept_failed)
        srv->ev->accept_failed(srv, status);
    srv->accept_error_seen = 1;
}

/* No memory for the connection's stream: libuv holds the accepted socket and
 * stops watching the listener until it is taken, so it is taken into the
 * spare stream kept for this and closed at once. */
static void refuse_connection(nm_tcp_server *srv)
{
    report_accept_failure(srv, UV_ENOMEM);
    nm_stream *spare = srv->spare;
    if (spare == NULL)
        return; /* nothing to take it with: accepting resumes with the next listen event */
    srv->spare = NULL;
    uv_accept((uv_stream_t *)&srv->listener, (uv_stream_t *)&spare->tcp);
    nm_stream_abort(spare, 0);
}

void nm_tcp_server_use_keepalive(nm_tcp_server *srv)
{
    srv->keepalive = 1;
}

/* lwIP's keep-alive as the 2.x net.c sets it: the first probe after the
 * server's timeout of silence, and the connection aborted when that one
 * probe goes unanswered for the probe interval. Set on the listener, since
 * Linux's accepted sockets inherit it (and start its timer) from there: no
 * system call per connection. */
static int listen_with_keepalive(nm_tcp_server *srv)
{
    uv_os_fd_t fd;
    int r = uv_fileno((uv_handle_t *)&srv->listener, &fd);
    if (r != 0)
        return r;
    int on = 1, idle = (int)(srv->timeout_ms / 1000u), interval = NM_KEEPALIVE_PROBE_S, probes = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on) != 0 ||
        setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle) != 0 ||
        setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval) != 0 ||
        setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &probes, sizeof probes) != 0)
        return uv_translate_sys_error(errno);
    return 0;
}

static unsigned connections_limit;

void nm_tcp_connections_limit(unsigned max)
{
    connections_limit = max;
}

unsigned nm_tcp_connections_open(void)
{
    unsigned open = nm_stream_clients_open();
    for (nm_tcp_server *srv = live_servers; srv; srv = srv->next_live)
        open += srv->live_accepted;
    return open;
}

static bool connections_full(void)
{
    return connections_limit != 0 && nm_tcp_connections_open() == connections_limit;
}

static void on_connection(uv_stream_t *listener, int status)
{
    nm_tcp_server *srv = listener->data;
    if (status < 0) {
        report_accept_failure(srv, status);
        return;
    }
    /* Not taken, libuv keeps the connection and stops watching the listener
     * until uv_accept: the kernel's backlog holds the rest meanwhile. */
    if (connections_full()) {
        srv->waiting = 1;
        if (srv->ev && srv->ev->waiting)
            srv->ev->waiting(srv);
        return;
    }
    srv->waiting = 0;
    nm_stream *s = nm_stream_new_unaccepted();
    if (s == NULL) {
        refuse_connection(srv);
        return;
    }
    if (srv->spare == NULL)
        srv->spare = nm_stream_new_unaccepted();
    if (uv_accept(listener, (uv_stream_t *)&s->tcp) != 0) {
        nm_stream_abort(s, 0);
        return;
    }
    if (srv->max_accepted != 0 && srv->live_accepted >= srv->max_accepted) {
        nm_stream_abort(s, 0);
        if (srv->ev && srv->ev->refused)
            srv->ev->refused(srv);
        return;
    }
    srv->live_accepted++;
    s->accepted = 1;
    s->side.server = srv;
    s->last_active = now_ms();
    idle_append(srv, s);
    if (!srv->keepalive && !uv_is_active((uv_handle_t *)&srv->idle_timer))
        arm_idle_timer(srv);
    nm_stream_start_accepted(s);
    if (srv->ev && srv->ev->accepted)
        srv->ev->accepted(srv, s);
}

/* From the loop, never inside the call that ended a connection: servers
 * with a connection waiting take it while there is room. */
static void accept_waiting(nm_task *task)
{
    (void)task;
    for (nm_tcp_server *srv = live_servers; srv && !connections_full(); srv = srv->next_live) {
        if (srv->waiting && !srv->closed)
            on_connection((uv_stream_t *)&srv->listener, 0);
    }
}

static nm_task waiting_task;

void nm_tcp_server_slot_freed(void)
{
    if (connections_limit != 0)
        nm_task_post(&waiting_task, accept_waiting);
}

int nm_tcp_server_listen(nm_tcp_server *srv, const struct sockaddr *addr)
{
    /* libuv sets SO_REUSEADDR, so a script can restart a server on its port at once. */
    int r = uv_tcp_bind(&srv->listener, addr, 0);
    /* Accepted sockets inherit TCP_NODELAY from the listener (see stream.h). */
    if (r == 0)
        r = uv_tcp_nodelay(&srv->listener, 1);
    if (r == 0 && srv->keepalive)
        r = listen_with_keepalive(srv);
    if (r == 0)
        r = uv_listen((uv_stream_t *)&srv->listener, SOMAXCONN, on_connection);
    if (r == 0)
        srv->spare = nm_stream_new_unaccepted();
    if (r == 0)
        srv->listening = 1;
    return r;
}

int nm_tcp_server_address(const nm_tcp_server *srv, struct sockaddr_storage *addr)
{
    int len = sizeof(*addr);
    return uv_tcp_getsockname(&srv->listener, (struct sockaddr *)addr, &len);
}

void nm_tcp_server_limit(nm_tcp_server *srv, unsigned max)
{
    srv->max_accepted = max;
}

void nm_tcp_server_close(nm_tcp_server *srv, nm_accepted_fate fate)
{
    if (!srv->closed) {
        srv->closed = 1;
        srv->ev = NULL;
        srv->owner = NULL;
        uv_close((uv_handle_t *)&srv->listener, on_handle_closed);
        if (srv->spare) {
            nm_stream_abort(srv->spare, 0);
            srv->spare = NULL;
        }
    }
    for (nm_stream *s = srv->idle_head; s && fate != NM_KEEP_ACCEPTED; s = s->idle_next) {
        if (fate == NM_CLOSE_ACCEPTED)
            nm_stream_close(s, 0);
        else
            nm_stream_abort(s, 0);
    }
    maybe_free(srv);
}

void nm_tcp_server_touch(nm_stream *s)
{
    nm_tcp_server *srv = s->side.server;
    if (srv->keepalive) /* the kernel keeps the time; the list only holds the accepted */
        return;
    s->last_active = now_ms();
    if (srv->idle_tail != s) {
        idle_unlink(srv, s);
        idle_append(srv, s);
    }
}

void nm_tcp_server_forget(nm_stream *s)
{
    nm_tcp_server *srv = s->side.server;
    idle_unlink(srv, s);
    srv->live_accepted--;
    nm_tcp_server_slot_freed();
    s->side.server = NULL;
    if (srv->idle_head == NULL)
        uv_timer_stop(&srv->idle_timer);
    maybe_free(srv);
}
