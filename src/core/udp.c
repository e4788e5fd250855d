/*
 * udp.c — datagram sockets on uv_udp_t, and the multicast membership set.
 */
#include "core/udp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#ifndef IP_MULTICAST_ALL
#define IP_MULTICAST_ALL 49
#endif
#ifndef IPV6_MULTICAST_ALL
#define IPV6_MULTICAST_ALL 29
#endif

/* Datagrams come in batches of up to RECV_BATCH (one recvmmsg), each into
 * its own 64 KiB slot of one buffer shared by every socket: callbacks run
 * one at a time and copy out. Only the pages datagrams touch become resident. */
#define RECV_SLOT 65536
#if UV_VERSION_HEX >= 0x012800 /* 1.40: recvmmsg that says when a batch ends */
#define RECV_BATCH 20          /* libuv's width */
#define RECV_FLAGS UV_UDP_RECVMMSG
#else
#define RECV_BATCH 1
#define RECV_FLAGS 0
#endif
static char recv_buffer[RECV_BATCH * RECV_SLOT];
static nm_udp *live_sockets;

typedef struct membership {
    struct membership *next;
    int family;
    unsigned ifindex; /* 0: every multicast interface */
    union {
        struct in_addr v4;
        struct in6_addr v6;
    } group;
} membership;

static membership *memberships;
static void close_all_sockets(void);

typedef struct send_req {
    uv_udp_send_t req;
    intptr_t cookie;
    bool report;  /* whether its completion is reported with `sent` */
    char bytes[]; /* a batched reply's own copy, when it has to wait */
} send_req;

/* Replies batched while one socket's received datagrams are dispatched: they
 * leave in one sendmmsg when the batch ends (see nm_udp_try_send). */
#define REPLY_BATCH 32
#define REPLY_MAX 1472 /* one Ethernet frame's payload; larger ones go at once */
static struct {
    nm_udp *socket;                /* the socket whose receive batch is running, or NULL */
    const struct sockaddr *sender; /* of the datagram being dispatched */
    unsigned count;
    bool report[REPLY_BATCH]; /* whether each gets its `sent` */
    struct mmsghdr msgs[REPLY_BATCH];
    struct iovec iov[REPLY_BATCH];
    struct sockaddr_in6 to[REPLY_BATCH];
    char bytes[REPLY_BATCH][REPLY_MAX];
} replies;

static void replies_flush(void);

/* Memberships --------------------------------------------------------------- */

/* The indexes of the interfaces that can carry multicast of family: what
 * "every interface" means, as on the device, where lwIP joins on each netif
 * (the kernel's INADDR_ANY would pick a single one by route). */
static int multicast_interfaces(int family, unsigned *out, int max)
{
    struct ifaddrs *list;
    int n = 0;
    if (getifaddrs(&list) != 0)
        return 0;
    for (struct ifaddrs *ifa = list; ifa && n < max; ifa = ifa->ifa_next) {
        if (!ifa->ifa_addr || ifa->ifa_addr->sa_family != family)
            continue;
        if (!(ifa->ifa_flags & IFF_UP) || !(ifa->ifa_flags & IFF_MULTICAST))
            continue;
        unsigned idx = if_nametoindex(ifa->ifa_name);
        bool seen = false;
        for (int i = 0; i < n; i++)
            seen = seen || out[i] == idx;
        if (idx && !seen)
            out[n++] = idx;
    }
    freeifaddrs(list);
    return n;
}

static bool same_address(const struct sockaddr *sa, const struct sockaddr *want)
{
    if (sa->sa_family != want->sa_family)
        return false;
    if (sa->sa_family == AF_INET)
        return ((const struct sockaddr_in *)sa)->sin_addr.s_addr == ((const struct sockaddr_in *)want)->sin_addr.s_addr;
    return memcmp(&((const struct sockaddr_in6 *)sa)->sin6_addr, &((const struct sockaddr_in6 *)want)->sin6_addr,
                  sizeof(struct in6_addr)) == 0;
}

/* The index of the interface that has the address; 0 if none has. */
static unsigned interface_with(const struct sockaddr *addr)
{
    struct ifaddrs *list;
    unsigned idx = 0;
    if (getifaddrs(&list) != 0)
        return 0;
    for (struct ifaddrs *ifa = list; ifa && idx == 0; ifa = ifa->ifa_next)
        if (ifa->ifa_addr && same_address(ifa->ifa_addr, addr))
            idx = if_nametoindex(ifa->ifa_name);
    freeifaddrs(list);
    return idx;
}

static int set_membership(int fd, const membership *m, unsigned ifindex, bool join)
{
    int r;
    if (m->family == AF_INET) {
        struct ip_mreqn mreq = {.imr_multiaddr = m->group.v4, .imr_ifindex = (int)ifindex};
        r = setsockopt(fd, IPPROTO_IP, join ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP, &mreq, sizeof(mreq));
    } else {
        struct ipv6_mreq mreq = {.ipv6mr_multiaddr = m->group.v6, .ipv6mr_interface = ifindex};
        r = setsockopt(fd, IPPROTO_IPV6, join ? IPV6_ADD_MEMBERSHIP : IPV6_DROP_MEMBERSHIP, &mreq, sizeof(mreq));
    }
    return r == 0 ? 0 : uv_translate_sys_error(errno);
}

/* Whether a socket hears the groups of family: its own, and IPv4 on an IPv6
 * socket that is dual-stack (bound to :: without IPV6_V6ONLY), which Linux
 * lets join IPv4 groups with the IPv4 options. */
static bool hears_family(nm_udp *u, int fd, int family)
{
    if (u->family == family)
        return true;
    int v6only = 1;
    socklen_t len = sizeof(v6only);
    return family == AF_INET && u->family == AF_INET6 &&
           getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &len) == 0 && !v6only;
}

/* Applies one membership to one socket; returns the first error that is not
 * "already a member" (joining) — leaving ignores every error. */
static int apply_membership(nm_udp *u, const membership *m, bool join)
{
    uv_os_fd_t fd;
    if (uv_fileno((uv_handle_t *)&u->handle, &fd) != 0 || !hears_family(u, fd, m->family))
        return 0;
    unsigned idx[32];
    int n = 1;
    idx[0] = m->ifindex;
    if (m->ifindex == 0 && (n = multicast_interfaces(m->family, idx, 32)) == 0) {
        idx[0] = 0; /* no multicast interface: let the kernel choose by route */
        n = 1;
    }
    int first_error = 0;
    for (int i = 0; i < n; i++) {
        int r = set_membership(fd, m, idx[i], join);
        if (join && r < 0 && r != UV_EADDRINUSE && first_error == 0)
            first_error = r;
    }
    return first_error;
}

static int parse_ip(const char *text, int port, struct sockaddr_storage *out)
{
    memset(out, 0, sizeof(*out));
    if (strchr(text, ':')) {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)out;
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        return inet_pton(AF_INET6, text, &in6->sin6_addr) == 1 ? 0 : UV_EINVAL;
    }
    struct sockaddr_in *in = (struct sockaddr_in *)out;
    in->sin_family = AF_INET;
    in->sin_port = htons((uint16_t)port);
    /* inet_aton reads what the firmware's ipaddr_addr reads */
    return inet_aton(text, &in->sin_addr) ? 0 : UV_EINVAL;
}

/* Fills m from the group and interface texts. */
static int describe_membership(const char *iface, const char *group, membership *m)
{
    struct sockaddr_storage g;
    memset(m, 0, sizeof(*m));
    if (parse_ip(group, 0, &g) != 0)
        return UV_EINVAL;
    m->family = g.ss_family;
    if (m->family == AF_INET) {
        m->group.v4 = ((struct sockaddr_in *)&g)->sin_addr;
        if (!IN_MULTICAST(ntohl(m->group.v4.s_addr)))
            return UV_EINVAL;
    } else {
        m->group.v6 = ((struct sockaddr_in6 *)&g)->sin6_addr;
        if (!IN6_IS_ADDR_MULTICAST(&m->group.v6))
            return UV_EINVAL;
    }
    if (iface == NULL)
        return 0;
    struct sockaddr_storage ia;
    if (parse_ip(iface, 0, &ia) != 0)
        return UV_EINVAL;
    m->ifindex = interface_with((struct sockaddr *)&ia);
    return m->ifindex ? 0 : UV_EADDRNOTAVAIL;
}

static membership **find_membership(const membership *want)
{
    membership **p = &memberships;
    for (; *p; p = &(*p)->next) {
        const membership *m = *p;
        if (m->family == want->family && m->ifindex == want->ifindex &&
            memcmp(&m->group, &want->group, sizeof(m->group)) == 0)
            break;
    }
    return p;
}

int nm_udp_join(const char *iface, const char *group)
{
    membership want;
    int r = describe_membership(iface, group, &want);
    if (r < 0)
        return r;
    membership **slot = find_membership(&want);
    if (*slot)
        return 0;
    membership *m = malloc(sizeof(*m));
    if (m == NULL)
        return UV_ENOMEM;
    *m = want;
    m->next = NULL;
    *slot = m;
    nm_loop_at_shutdown(close_all_sockets); /* which also frees the set */
    int first_error = 0;
    for (nm_udp *u = live_sockets; u; u = u->next_live) {
        r = apply_membership(u, m, true);
        if (first_error == 0)
            first_error = r;
    }
    return first_error;
}

int nm_udp_leave(const char *iface, const char *group)
{
    membership want;
    int r = describe_membership(iface, group, &want);
    if (r < 0)
        return r;
    membership **slot = find_membership(&want);
    membership *m = *slot;
    if (m == NULL)
        return 0;
    for (nm_udp *u = live_sockets; u; u = u->next_live)
        apply_membership(u, m, false);
    *slot = m->next;
    free(m);
    return 0;
}

/* At exit the set goes, so that leak checkers see nothing left. */
static void forget_memberships(void)
{
    while (memberships) {
        membership *m = memberships;
        memberships = m->next;
        free(m);
    }
}

/* Sockets ------------------------------------------------------------------- */

static void on_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
    (void)handle;
    (void)suggested;
    *buf = uv_buf_init(recv_buffer, sizeof(recv_buffer));
}

static void on_recv(uv_udp_t *handle, ssize_t nread, const uv_buf_t *buf, const struct sockaddr *from, unsigned flags)
{
    nm_udp *u = handle->data;
#if RECV_BATCH > 1
    if (flags & UV_UDP_MMSG_FREE) { /* the batch has been dispatched */
        replies_flush();
        replies.socket = NULL;
        return;
    }
    if (flags & UV_UDP_MMSG_CHUNK)
        replies.socket = u;
#else
    (void)flags;
#endif
    /* nread 0 without a sender means "nothing more for now"; errors on an
     * unconnected socket (none reports ICMP) leave it receiving. */
    if (nread < 0 || from == NULL || u->owner == NULL)
        return;
    replies.sender = from;
    u->ev->received(u, buf->base, (size_t)nread, from);
    replies.sender = NULL;
}

static void set_socket_options(nm_udp *u)
{
    uv_os_fd_t fd;
    int off = 0;
    uv_udp_set_broadcast(&u->handle, 1);
    if (uv_fileno((uv_handle_t *)&u->handle, &fd) != 0)
        return;
    /* IPv4 too on an IPv6 socket: a dual-stack one hears IPv4 groups */
    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_ALL, &off, sizeof(off));
    if (u->family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_ALL, &off, sizeof(off)); /* Linux ≥ 4.20 */
    for (const membership *m = memberships; m; m = m->next)
        apply_membership(u, m, true);
}

/* Fires the `sent` of the datagrams that went out at once, as many as were
 * waiting when the task started; any sent from these callbacks wait a turn. */
static void report_sent_now(nm_task *task)
{
    nm_udp *u = (nm_udp *)((char *)task - offsetof(nm_udp, sent_task));
    for (uint32_t n = u->sent_now; n > 0 && u->sent_now > 0 && u->owner; n--) {
        u->sent_now--;
        u->ev->sent(u, 0, 0);
    }
}

/* One more datagram that went out at once gets its `sent` from the loop. */
static void report_later(nm_udp *u)
{
    u->sent_now++;
    nm_task_post(&u->sent_task, report_sent_now);
}

static void on_handle_closed(uv_handle_t *handle)
{
    free(handle->data);
}

static void close_all_sockets(void)
{
    while (live_sockets)
        nm_udp_close(live_sockets);
    forget_memberships();
}

int nm_udp_open(const nm_udp_events *ev, void *owner, const struct sockaddr *addr, nm_udp **out)
{
    nm_udp *u = calloc(1, sizeof(*u));
    if (u == NULL)
        return UV_ENOMEM;
    uv_udp_init_ex(nm_loop(), &u->handle, (unsigned)addr->sa_family | RECV_FLAGS);
    u->handle.data = u;
    u->ev = ev;
    u->owner = owner;
    u->family = addr->sa_family;
    int r = uv_udp_bind(&u->handle, addr, UV_UDP_REUSEADDR);
    if (r == 0)
        r = uv_udp_recv_start(&u->handle, on_alloc, on_recv);
    if (r < 0) {
        uv_close((uv_handle_t *)&u->handle, on_handle_closed);
        return r;
    }
    u->next_live = live_sockets;
    if (live_sockets)
        live_sockets->prev_live = u;
    live_sockets = u;
    nm_loop_at_shutdown(close_all_sockets);
    set_socket_options(u);
    *out = u;
    return 0;
}

/* Reports the datagrams sent at once before this one, then this one: libuv
 * may complete a queued send before the task for earlier ones has run. */
static void on_send_done(uv_udp_send_t *req, int status)
{
    send_req *sr = (send_req *)req;
    nm_udp *u = req->handle->data;
    intptr_t cookie = sr->cookie;
    bool report = sr->report;
    free(sr);
    u->queued--;
    if (u->owner && u->sent_now > 0) {
        nm_task_cancel(&u->sent_task);
        report_sent_now(&u->sent_task);
    }
    if (report)
        u->ev->sent(u, cookie, status);
}

static int queue_request(nm_udp *u, send_req *sr, const struct sockaddr *to, const char *data, size_t len)
{
    uv_buf_t buf = uv_buf_init((char *)data, (unsigned)len);
    int r = uv_udp_send(&sr->req, &u->handle, &buf, 1, to, on_send_done);
    if (r < 0) {
        free(sr);
        return r;
    }
    u->queued++;
    return 0;
}

/* Batched replies ------------------------------------------------------------ */

/* A batched reply the socket buffer had no room for waits in libuv's queue
 * as a copy, behind which later sends line up (u->queued). */
static void replies_queue(nm_udp *u, unsigned i)
{
    const struct msghdr *h = &replies.msgs[i].msg_hdr;
    size_t len = h->msg_iov->iov_len;
    send_req *sr = malloc(sizeof(*sr) + len);
    if (sr != NULL) {
        sr->cookie = 0;
        sr->report = replies.report[i];
        memcpy(sr->bytes, h->msg_iov->iov_base, len);
        if (queue_request(u, sr, h->msg_name, sr->bytes, len) == 0)
            return;
    }
    if (replies.report[i]) /* dropped, as the kernel drops what it has no memory for */
        report_later(u);
}

/* Hands the batch to the kernel in one call. What the socket buffer cannot
 * take is queued; a reply the kernel refuses all the same (a firewall) is
 * dropped, as UDP drops datagrams. */
static void replies_flush(void)
{
    nm_udp *u = replies.socket;
    unsigned n = replies.count, done = 0;
    uv_os_fd_t fd;
    replies.count = 0;
    if (n == 0 || uv_fileno((uv_handle_t *)&u->handle, &fd) != 0)
        return;
    while (done < n) {
        int r = sendmmsg(fd, replies.msgs + done, n - done, 0);
        if (r > 0)
            done += (unsigned)r;
        else if (errno == EAGAIN || errno == ENOBUFS)
            break;
        else if (errno != EINTR)
            done++;
    }
    for (unsigned i = 0; i < done; i++)
        if (replies.report[i])
            report_later(u);
    for (; done < n; done++)
        replies_queue(u, done);
}

/* Batches one datagram of the socket whose receive batch is running. */
static void replies_add(const struct sockaddr *to, const char *data, size_t len, bool report)
{
    unsigned i = replies.count++;
    socklen_t to_len = to->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
    replies.report[i] = report;
    memcpy(replies.bytes[i], data, len);
    replies.iov[i] = (struct iovec){replies.bytes[i], len};
    memcpy(&replies.to[i], to, to_len);
    replies.msgs[i].msg_hdr = (struct msghdr){
        .msg_name = &replies.to[i],
        .msg_namelen = to_len,
        .msg_iov = &replies.iov[i],
        .msg_iovlen = 1,
    };
}

/* Whether `to` is the sender of the datagram being dispatched: a route to it
 * exists, so that the kernel has no error to give that send() could raise. */
static bool is_reply(const struct sockaddr *to)
{
    const struct sockaddr *from = replies.sender;
    if (from == NULL || from->sa_family != to->sa_family)
        return false;
    if (to->sa_family == AF_INET) {
        const struct sockaddr_in *a = (const void *)from, *b = (const void *)to;
        return a->sin_port == b->sin_port && a->sin_addr.s_addr == b->sin_addr.s_addr;
    }
    const struct sockaddr_in6 *a = (const void *)from, *b = (const void *)to;
    return a->sin6_port == b->sin6_port && a->sin6_scope_id == b->sin6_scope_id &&
           memcmp(&a->sin6_addr, &b->sin6_addr, sizeof(a->sin6_addr)) == 0;
}

int nm_udp_try_send(nm_udp *u, const struct sockaddr *to, const char *data, size_t len, bool report)
{
    bool batch = u == replies.socket && len <= REPLY_MAX && is_reply(to);
    if (u == replies.socket && (!batch || replies.count == REPLY_BATCH))
        replies_flush(); /* to make room, or to keep the order before one that goes at once */
    if (u->queued > 0)
        return UV_EAGAIN; /* behind the queue, to keep the order */
    if (batch) {
        /* A reply from a receive callback: copying a small datagram costs
         * less than the system call it saves by leaving with the others. A
         * send elsewhere goes at once, so that its errors are still raised. */
        replies_add(to, data, len, report);
        return 0; /* its `sent` is counted when it leaves */
    }
    uv_buf_t buf = uv_buf_init((char *)data, (unsigned)len);
    int r = uv_udp_try_send(&u->handle, &buf, 1, to);
    if (r == UV_ENOBUFS)
        return UV_EAGAIN;
    if (r < 0)
        return r;
    if (report)
        report_later(u);
    return 0;
}

int nm_udp_queue(nm_udp *u, const struct sockaddr *to, const char *data, size_t len, intptr_t cookie)
{
    send_req *sr = malloc(sizeof(*sr));
    if (sr == NULL)
        return UV_ENOMEM;
    sr->cookie = cookie;
    sr->report = true;
    return queue_request(u, sr, to, data, len);
}

int nm_udp_local(const nm_udp *u, struct sockaddr_storage *addr)
{
    int len = sizeof(*addr);
    return uv_udp_getsockname(&u->handle, (struct sockaddr *)addr, &len);
}

int nm_udp_set_ttl(nm_udp *u, int ttl)
{
    int r = uv_udp_set_ttl(&u->handle, ttl);
    if (r == 0)
        r = uv_udp_set_multicast_ttl(&u->handle, ttl);
    return r;
}

int nm_udp_get_ttl(const nm_udp *u)
{
    uv_os_fd_t fd;
    int ttl = 0;
    socklen_t len = sizeof(ttl);
    if (uv_fileno((const uv_handle_t *)&u->handle, &fd) != 0)
        return UV_EBADF;
    int r = u->family == AF_INET ? getsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, &len)
                                 : getsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, &len);
    return r == 0 ? ttl : uv_translate_sys_error(errno);
}

void nm_udp_close(nm_udp *u)
{
    if (u->owner == NULL && uv_is_closing((uv_handle_t *)&u->handle))
        return;
    if (u == replies.socket) { /* closed by a receive callback: what it sent goes first */
        replies_flush();
        replies.socket = NULL;
    }
    u->owner = NULL;
    u->sent_now = 0;
    nm_task_cancel(&u->sent_task);
    uv_udp_recv_stop(&u->handle);
    if (u->prev_live)
        u->prev_live->next_live = u->next_live;
    else
        live_sockets = u->next_live;
    if (u->next_live)
        u->next_live->prev_live = u->prev_live;
    u->prev_live = u->next_live = NULL;
    /* Queued sends are cancelled: their `sent` (status UV_ECANCELED, owner
     * NULL) still comes, for the caller to release their bytes. */
    uv_close((uv_handle_t *)&u->handle, on_handle_closed);
}
