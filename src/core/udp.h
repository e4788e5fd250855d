/*
 * udp.h — one bound UDP socket, and the module-wide multicast memberships.
 *
 * An nm_udp exists from bind to close. Every datagram received is one
 * `received` with its sender; datagrams are read in batches (recvmmsg) into
 * a shared buffer with room for the largest, so boundaries are kept and
 * nothing is allocated per datagram.
 *
 * A datagram goes to the kernel at once when nothing is queued before it
 * (uv_udp_try_send), without a copy; only when the socket buffer is full is
 * it queued with uv_udp_send, and the caller keeps the bytes alive until
 * `sent` reports them (trying and queueing are two calls, so that the caller
 * can make the bytes safe in between). The one exception is a reply: a
 * datagram of at most 1472 bytes sent from `received` to that datagram's
 * sender is copied and leaves with the batch's other replies in one sendmmsg
 * when the batch has been dispatched (or earlier, to keep the order before a
 * datagram that goes at once, or when the socket is closed). `sent` comes
 * once per datagram that asked for it (and for every queued one), in send
 * order, always from the loop and never inside the call that sent it.
 *
 * Multicast membership is module-wide, as lwIP's is on the device: a join
 * applies to every UDP socket that is bound now or later, a leave to all.
 * Sockets also get SO_BROADCAST (lwIP sends to broadcast addresses without an
 * option) and IP_MULTICAST_ALL off, so that only this set decides which
 * groups reach them, never another process's memberships.
 */
#ifndef NETMCU_UDP_H
#define NETMCU_UDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "core/loop.h"

/* The largest UDP payload over IPv4 (65535 − 20 − 8). */
#define NM_UDP_MAX_DATAGRAM 65507

typedef struct nm_udp nm_udp;

typedef struct nm_udp_events {
    /* One datagram (len may be 0) from the sender at `from`. */
    void (*received)(nm_udp *u, const char *data, size_t len, const struct sockaddr *from);
    /* One datagram left: taken by the kernel (status 0) or abandoned (< 0,
     * e.g. UV_ECANCELED after close). cookie is what nm_udp_queue was given,
     * 0 for datagrams that went out at once. Also comes after close, with
     * the owner NULL, so that the caller can release queued bytes. */
    void (*sent)(nm_udp *u, intptr_t cookie, int status);
} nm_udp_events;

struct nm_udp {
    uv_udp_t handle; /* handle.data is this struct */
    const nm_udp_events *ev;
    void *owner;       /* NULL once closed */
    nm_task sent_task; /* reports the datagrams sent at once */
    uint32_t sent_now; /* of those, how many `sent` are still to come */
    uint32_t queued;   /* uv_udp_send requests not yet completed */
    nm_udp *prev_live, *next_live;
    int family;
};

static inline void *nm_udp_owner(const nm_udp *u)
{
    return u->owner;
}

/* Binds a new socket to addr (SO_REUSEADDR, so several sockets may share a
 * group port) and starts receiving. On success *out is the socket and 0 is
 * returned; otherwise a libuv error and nothing is left open. */
int nm_udp_open(const nm_udp_events *ev, void *owner, const struct sockaddr *addr, nm_udp **out);
/* Sends one datagram of len bytes at data to `to` if the kernel takes it at
 * once: returns 0 (data may be released now), UV_EAGAIN when it must be
 * queued instead (nm_udp_queue), or another libuv error (nothing sent, no
 * `sent`). report: whether the datagram gets its `sent`. */
int nm_udp_try_send(nm_udp *u, const struct sockaddr *to, const char *data, size_t len, bool report);
/* Queues the datagram behind the ones waiting for room in the socket buffer;
 * data must stay valid until its `sent`, which reports cookie. Returns 0 or a
 * libuv error (nothing queued, no `sent`). */
int nm_udp_queue(nm_udp *u, const struct sockaddr *to, const char *data, size_t len, intptr_t cookie);
int nm_udp_local(const nm_udp *u, struct sockaddr_storage *addr);
/* Time to live of unicast and multicast datagrams (1…255); get returns it or an error. */
int nm_udp_set_ttl(nm_udp *u, int ttl);
int nm_udp_get_ttl(const nm_udp *u);
/* Stops receiving and closes; no more events reach the owner, and the struct
 * is freed once libuv has closed the handle. */
void nm_udp_close(nm_udp *u);

/* Module-wide membership of group on the interface with address iface
 * (NULL: every interface). Both are IP literals, IPv4 or IPv6. Returns 0 or a
 * libuv error: UV_EINVAL for a group that is not a multicast address,
 * UV_EADDRNOTAVAIL for an interface address this host does not have. Joining
 * twice and leaving a group never joined are no-ops. */
int nm_udp_join(const char *iface, const char *group);
int nm_udp_leave(const char *iface, const char *group);

#endif
