/*
 * tcp_server.h — a listening TCP socket and the connections it accepted.
 *
 * One nm_tcp_server is one listening session: listen once, close once. The
 * accepted streams stay tied to it for the inactivity timeout, which is the
 * server's: every accepted stream sits in one list ordered by its last
 * activity (bytes received or a write completed), so the head is always the
 * next to expire and one timer, armed for the head, serves them all. Activity
 * only moves a stream to the tail — no timer is touched per packet.
 *
 * A keep-alive server (nm_tcp_server_use_keepalive) has no inactivity
 * timeout: its timeout is the idle time of the kernel's TCP keep-alive on
 * each accepted stream, which ends only connections to a peer that stopped
 * answering, as the 2.x firmware's lwIP keep-alive does.
 *
 * The struct lives until it is closed and its last accepted stream is gone.
 */
#ifndef NETMCU_TCP_SERVER_H
#define NETMCU_TCP_SERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "core/stream.h"

typedef struct nm_tcp_server_events {
    /* A new connection; the owner adopts it with nm_stream_adopt or leaves it
     * unowned (its data is then discarded until the timeout closes it). */
    void (*accepted)(nm_tcp_server *srv, nm_stream *s);
    /* accept() failed (e.g. EMFILE), or no memory was left for the connection
     * (UV_ENOMEM, the connection is closed); reported once, the server keeps
     * running. */
    void (*accept_failed)(nm_tcp_server *srv, int status);
    /* A connection past the limit (nm_tcp_server_limit) was reset; optional. */
    void (*refused)(nm_tcp_server *srv);
    /* A connection waits unaccepted: the process-wide limit
     * (nm_tcp_connections_limit) is reached; optional. */
    void (*waiting)(nm_tcp_server *srv);
} nm_tcp_server_events;

struct nm_tcp_server {
    uv_tcp_t listener;
    uv_timer_t idle_timer;
    const nm_tcp_server_events *ev;
    void *owner;
    uint32_t timeout_ms;
    nm_stream *idle_head, *idle_tail;
    nm_stream *spare;                     /* takes a connection when no stream can be made for it */
    nm_tcp_server *prev_live, *next_live; /* every server not yet freed */
    int open_handles;
    unsigned live_accepted, max_accepted; /* max 0: no limit */
    unsigned listening : 1, closed : 1, accept_error_seen : 1, waiting : 1, keepalive : 1;
};

nm_tcp_server *nm_tcp_server_new(const nm_tcp_server_events *ev, void *owner, unsigned timeout_s);
/* Before listen: the timeout becomes the 2.x firmware's keep-alive. An idle
 * connection stays open; one whose peer leaves a probe unanswered for
 * NM_KEEPALIVE_PROBE_S more seconds ends with UV_ECONNABORTED (lwIP's abort). */
#define NM_KEEPALIVE_PROBE_S 10
void nm_tcp_server_use_keepalive(nm_tcp_server *srv);
/* Binds and listens; returns 0 or a libuv error (EADDRINUSE, EACCES, ...). */
int nm_tcp_server_listen(nm_tcp_server *srv, const struct sockaddr *addr);
int nm_tcp_server_address(const nm_tcp_server *srv, struct sockaddr_storage *addr);
typedef enum { NM_KEEP_ACCEPTED, NM_CLOSE_ACCEPTED, NM_ABORT_ACCEPTED } nm_accepted_fate;
/* At most max connections at once (0: no limit): one more is reset at once,
 * as 1.5's net.c closes one past its 5 per server. */
void nm_tcp_server_limit(nm_tcp_server *srv, unsigned max);
/* At most max TCP connections open at once in the process, accepted and
 * outgoing together (0: no limit). When exactly max are open a server leaves
 * a new connection unaccepted in its backlog, as lwIP on the ESP8266 leaves
 * the SYN unanswered, and accepts it once one of them ends; past max (more
 * outgoing ones), lwIP's equality test lets it through, and so does this. */
void nm_tcp_connections_limit(unsigned max);
/* TCP connections open now: accepted by any server, and outgoing. */
unsigned nm_tcp_connections_open(void);
/* For stream.c: a connection ended (a waiting one may be accepted). */
void nm_tcp_server_slot_freed(void);

/* Stops listening and detaches the owner; the accepted streams stay open, are
 * closed gracefully or aborted (each reports `closed` later). */
void nm_tcp_server_close(nm_tcp_server *srv, nm_accepted_fate fate);

/* For stream.c: activity on an accepted stream, and its end. */
void nm_tcp_server_touch(nm_stream *s);
void nm_tcp_server_forget(nm_stream *s);

#endif
