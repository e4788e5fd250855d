/*
 * stream.h — one connected TCP byte stream (outgoing or accepted).
 *
 * Reads go through one shared buffer and are handed up as they arrive; hold
 * stops reading so that the kernel's window pushes back on the peer. Writes
 * never copy: a write goes to the socket at once when nothing is queued before
 * it (uv_try_write), and only what the kernel did not take is queued with
 * uv_write, whose queue keeps the order; the caller keeps queued bytes alive
 * until `written` reports them. Closing is graceful by default: queued writes
 * drain (also when close() comes while still connecting), then FIN, then the
 * stream lingers, reading and discarding, until the peer's FIN or a bounded
 * time: closing with unread input never resets the connection under data
 * still on its way. `closed` then says whether everything was delivered.
 *
 * When the peer ends its side (FIN), the stream stays writable while the
 * owner still answers: writes pending then, and the chain of writes their
 * `written` events start, are delivered before our FIN. With nothing pending
 * the stream ends at once, except an accepted one that received data it has
 * not answered yet (written nothing since): a peer that half-closes after its
 * request awaits the answer, so the owner gets NM_STREAM_ANSWER_WINDOW_MS to
 * start one. There is never a state where writes are refused but the owner
 * was not told.
 *
 * Every outcome reaches the owner through nm_stream_events, always from the
 * loop and never inside the call that caused it; `closed` comes exactly once.
 * When the stream ends by itself (the peer's FIN, an error, the inactivity
 * timeout) `closed` comes at once and the owner is detached: what remains
 * (a final flush) happens without it. After `closed` only `written` events
 * with a NULL owner may follow, so that the owner's events can release what
 * each write kept alive.
 */
#ifndef NETMCU_STREAM_H
#define NETMCU_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

typedef struct nm_stream nm_stream;
typedef struct nm_tcp_server nm_tcp_server;
struct nm_tls;

typedef struct nm_stream_events {
    void (*connected)(nm_stream *s);
    void (*received)(nm_stream *s, const char *data, size_t len);
    /* One write left the queue: handed to the kernel (status 0) or abandoned (<0). */
    void (*written)(nm_stream *s, intptr_t cookie, int status);
    /* The handle is closed; status is 0 for an orderly end, else a libuv error. */
    void (*closed)(nm_stream *s, int status);
} nm_stream_events;

struct nm_stream {
    uv_tcp_t tcp; /* tcp.data is the owner */
    const nm_stream_events *ev;
    /* Accepted streams (`accepted`): the server whose idle list holds them
     * (NULL once off it); outgoing ones: their TLS filter when secure (tls.h),
     * else NULL. Only outgoing streams speak TLS, so one pointer serves both
     * and the stream fits a 320-byte malloc chunk. nm_stream_server and
     * nm_stream_tls read it. */
    union {
        nm_tcp_server *server;
        struct nm_tls *tls;
    } side;
    /* Accepted streams: the server's idle list, ordered by last activity. */
    nm_stream *idle_prev, *idle_next;
    uint32_t last_active;   /* loop time in ms, modulo 2^32 */
    uint32_t queued_mark;   /* unacknowledged bytes at the last idle check, saturated */
    uint32_t writes_queued; /* uv_write requests whose `written` is still to come */
    uint32_t writes_taken;  /* writes the kernel took at once, not yet reported */
    uv_timer_t *timer;      /* the answer window or the linger, only while one runs */
    int16_t close_status;   /* reported by `closed` (libuv errors fit) */
    uint8_t connecting : 1, connected : 1, closing : 1, held : 1, reading : 1;
    uint8_t in_chain : 1, gathering : 1, chain_wrote : 1;
    uint8_t peer_ended : 1, shut : 1, reported : 1, answer_due : 1, accepted : 1;
};

static inline nm_tcp_server *nm_stream_server(const nm_stream *s)
{
    return s->accepted ? s->side.server : NULL;
}

static inline struct nm_tls *nm_stream_tls(const nm_stream *s)
{
    return s->accepted ? NULL : s->side.tls;
}

static inline void *nm_stream_owner(const nm_stream *s)
{
    return s->tcp.data;
}

/* A new, unconnected stream on the loop; NULL when out of memory. */
nm_stream *nm_stream_new(const nm_stream_events *ev, void *owner);
/* Starts connecting; failures arrive later as `closed` with the error. */
void nm_stream_connect(nm_stream *s, const struct sockaddr *addr);
/* Queues len bytes at data. Returns 0 when the kernel took every queued byte
 * at once (data may be released now), NM_WRITE_QUEUED when data must stay
 * valid until `written`, or a libuv error. `written` follows in every case. */
int nm_stream_write(nm_stream *s, const char *data, size_t len);
#define NM_WRITE_QUEUED 1
/* Gives the write just queued the cookie that `written` reports (default 0). */
void nm_stream_tag_queued_write(intptr_t cookie);
/* Sends made from a `sent` callback form a chain, the NodeMCU way to stream.
 * Around such a callback the owner calls chain_begin and chain_end: while a
 * chain runs, the kernel gathers its pieces into large segments (Nagle), and
 * the last piece leaves at once when a callback sends nothing more. Every
 * other send goes out immediately (TCP_NODELAY). */
void nm_stream_chain_begin(nm_stream *s);
void nm_stream_chain_end(nm_stream *s);
/* Stops (true) or resumes (false) reading. */
void nm_stream_hold(nm_stream *s, bool hold);
/* Orderly close: drain writes, send FIN, linger until the peer's FIN (at most
 * NM_STREAM_LINGER_MS without progress, counted from a mark taken 200 ms into
 * the linger), close. `closed` reports status, or
 * the error that kept data from being delivered (a reset, UV_ETIMEDOUT). */
void nm_stream_close(nm_stream *s, int status);
/* Immediate close: queued writes are abandoned. */
void nm_stream_abort(nm_stream *s, int status);
/* True while writes are accepted (connecting or connected, not closing). */
bool nm_stream_writable(const nm_stream *s);
/* The inactivity timeout of an accepted stream has passed (tcp_server.c):
 * a stream whose peer still acknowledges data is left alone; an open one
 * ends with `closed(UV_ETIMEDOUT)`, a closing one stops lingering. */
void nm_stream_expire(nm_stream *s);

#define NM_STREAM_LINGER_MS 5000
#define NM_STREAM_ANSWER_WINDOW_MS 1000
/* Gives the stream its (new) owner: an accepted stream, or one whose owner
 * moves on while it still drains (owner NULL: events carry no owner). */
void nm_stream_adopt(nm_stream *s, const nm_stream_events *ev, void *owner);
/* Detaches the owner: no more events, and the stream closes at once if open. */
void nm_stream_release(nm_stream *s);
int nm_stream_peer(const nm_stream *s, struct sockaddr_storage *addr);
int nm_stream_local(const nm_stream *s, struct sockaddr_storage *addr);
size_t nm_stream_queued_bytes(const nm_stream *s);

/* For tls.c: writes bytes past the filter, as nm_stream_write does for a
 * plain stream; `written` reports the cookie given here. */
int nm_stream_write_raw(nm_stream *s, const char *data, size_t len, intptr_t cookie);

/* For tcp_server.c: a stream for uv_accept to fill. Unlike nm_stream_new it
 * does not set TCP_NODELAY: the accepted socket inherits the listener's (Linux
 * copies it at accept), which saves a system call per connection. */
nm_stream *nm_stream_new_unaccepted(void);
/* For tcp_server.c: sets up a freshly accepted stream and starts reading. */
void nm_stream_start_accepted(nm_stream *s);
/* Outgoing streams connecting or connected (not yet closed). */
unsigned nm_stream_clients_open(void);

#endif
