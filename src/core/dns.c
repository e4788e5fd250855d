/*
 * dns.c — c-ares driven by libuv: sockets in uv_poll, timeouts in a uv_timer.
 *
 * c-ares 1.18 (Debian's) cannot change the servers of a channel while queries
 * are in flight. So when a server slot changes under running lookups, the
 * channel is retired (it finishes those lookups and is then destroyed) and
 * later lookups get a fresh channel. Normally there is exactly one.
 *
 * Answers go through an nm_task: c-ares answers literals and hosts-file names
 * inside ares_getaddrinfo itself, and an owner must never hear back inside its
 * own call.
 */
#include "core/dns.h"

#include <arpa/inet.h>
#include <ares.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/loop.h"
#include "core/setups.h"

typedef struct dns_poll dns_poll;
typedef struct dns_channel dns_channel;

struct dns_channel {
    ares_channel ares;
    uv_timer_t timer; /* c-ares' next timeout; owns the struct's memory */
    dns_poll *polls;
    nm_task destroy;
    int pending; /* lookups inside c-ares */
    bool retired;
    dns_channel *next; /* all channels, the current one and retired ones */
};

struct dns_poll {
    uv_poll_t poll;
    dns_channel *chan;
    ares_socket_t fd;
    dns_poll *next;
};

struct nm_dns_lookup {
    nm_task answer; /* first: the task is the lookup */
    nm_dns_answer_fn fn;
    void *owner;
    dns_channel *chan; /* while in_ares */
    int port;
    int status;
    int family;   /* AF_INET, then AF_INET6 when the name has no IPv4 address */
    bool in_ares; /* c-ares still owes its callback */
    bool queued;  /* waiting for room below MAX_IN_FLIGHT */
    bool cancelled;
    struct sockaddr_storage addr;
    nm_dns_lookup *next_queued;
    char name[];
};

/* Lookups handed to c-ares at once. More wait in a queue, in order: a burst
 * of thousands of queries overflows the socket buffers of the servers (and
 * ours), and every lost datagram costs a retry timeout. */
#define MAX_IN_FLIGHT 64
static int in_flight;
static nm_dns_lookup *queue_head, **queue_tail = &queue_head;
static nm_task pump_task;

/* The slots; family AF_UNSPEC marks an unset one. */
static struct sockaddr_storage servers[NM_DNS_SERVERS];
static bool servers_loaded, servers_changed;
static dns_channel *current;
static dns_channel *channels;
static bool library_ready;

/* Timer and polls ------------------------------------------------------- */

static void free_channel(uv_handle_t *timer)
{
    free(timer->data);
}

static void destroy_channel(dns_channel *chan)
{
    /* ares_destroy reports the sockets closed (the polls go) and ends any
     * lookup still inside with ARES_EDESTRUCTION. */
    ares_destroy(chan->ares);
    nm_task_cancel(&chan->destroy);
    uv_close((uv_handle_t *)&chan->timer, free_channel);
    if (current == chan)
        current = NULL;
    dns_channel **link = &channels;
    while (*link != chan)
        link = &(*link)->next;
    *link = chan->next;
}

static void destroy_retired(nm_task *task)
{
    dns_channel *chan = (dns_channel *)((char *)task - offsetof(dns_channel, destroy));
    destroy_channel(chan);
}

static void on_timeout(uv_timer_t *timer);

static void rearm(dns_channel *chan)
{
    if (chan->pending == 0) {
        uv_timer_stop(&chan->timer);
        if (chan->retired) /* not from inside c-ares: it may still be running */
            nm_task_post(&chan->destroy, destroy_retired);
        return;
    }
    struct timeval tv;
    if (ares_timeout(chan->ares, NULL, &tv) == NULL) {
        uv_timer_stop(&chan->timer);
        return;
    }
    uint64_t ms = (uint64_t)tv.tv_sec * 1000 + ((uint64_t)tv.tv_usec + 999) / 1000;
    uv_timer_start(&chan->timer, on_timeout, ms, 0);
}

static void on_timeout(uv_timer_t *timer)
{
    dns_channel *chan = timer->data;
    ares_process_fd(chan->ares, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
    rearm(chan);
}

static void on_poll(uv_poll_t *handle, int status, int events)
{
    dns_poll *p = handle->data;
    dns_channel *chan = p->chan;
    ares_socket_t fd = p->fd;
    /* On an error, let c-ares read and write: it sees the error and closes. */
    bool readable = status < 0 || (events & UV_READABLE);
    bool writable = status < 0 || (events & UV_WRITABLE);
    ares_process_fd(chan->ares, readable ? fd : ARES_SOCKET_BAD, writable ? fd : ARES_SOCKET_BAD);
    rearm(chan);
}

static void free_poll(uv_handle_t *handle)
{
    free(handle->data);
}

static void on_sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
    dns_channel *chan = data;
    dns_poll **link = &chan->polls;
    while (*link && (*link)->fd != fd)
        link = &(*link)->next;
    dns_poll *p = *link;
    if (!readable && !writable) {
        if (p) {
            *link = p->next;
            uv_close((uv_handle_t *)&p->poll, free_poll);
        }
        return;
    }
    if (p == NULL) {
        p = malloc(sizeof(*p));
        if (p == NULL || uv_poll_init_socket(nm_loop(), &p->poll, fd) != 0) {
            free(p); /* c-ares times the query out: the lookup still ends */
            return;
        }
        p->poll.data = p;
        p->chan = chan;
        p->fd = fd;
        p->next = chan->polls;
        chan->polls = p;
    }
    uv_poll_start(&p->poll, (readable ? UV_READABLE : 0) | (writable ? UV_WRITABLE : 0), on_poll);
}

/* Channels -------------------------------------------------------------- */

static void shutdown_dns(void);

/* The system's first two servers become the slots. */
static void load_servers(ares_channel ares)
{
    struct ares_addr_port_node *list = NULL;
    if (ares_get_servers_ports(ares, &list) == ARES_SUCCESS) {
        int slot = 0;
        for (struct ares_addr_port_node *n = list; n && slot < NM_DNS_SERVERS; n = n->next) {
            struct sockaddr_storage *s = &servers[slot++];
            memset(s, 0, sizeof(*s));
            if (n->family == AF_INET) {
                struct sockaddr_in *in = (struct sockaddr_in *)s;
                in->sin_family = AF_INET;
                memcpy(&in->sin_addr, &n->addr.addr4, sizeof(in->sin_addr));
            } else if (n->family == AF_INET6) {
                struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)s;
                in6->sin6_family = AF_INET6;
                memcpy(&in6->sin6_addr, &n->addr.addr6, sizeof(in6->sin6_addr));
            }
        }
    }
    ares_free_data(list);
    servers_loaded = true;
}

static int apply_servers(ares_channel ares)
{
    struct ares_addr_node nodes[NM_DNS_SERVERS], *head = NULL, **tail = &head;
    for (int i = 0; i < NM_DNS_SERVERS; i++) {
        struct ares_addr_node *n = &nodes[i];
        memset(n, 0, sizeof(*n));
        if (servers[i].ss_family == AF_INET)
            memcpy(&n->addr.addr4, &((struct sockaddr_in *)&servers[i])->sin_addr, sizeof(n->addr.addr4));
        else if (servers[i].ss_family == AF_INET6)
            memcpy(&n->addr.addr6, &((struct sockaddr_in6 *)&servers[i])->sin6_addr, sizeof(n->addr.addr6));
        else
            continue;
        n->family = servers[i].ss_family;
        *tail = n;
        tail = &n->next;
    }
    return ares_set_servers(ares, head);
}

static dns_channel *new_channel(void)
{
    if (!library_ready) {
        if (ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS)
            return NULL;
        library_ready = true;
        nm_loop_at_shutdown(shutdown_dns);
    }
    dns_channel *chan = calloc(1, sizeof(*chan));
    if (chan == NULL)
        return NULL;
    struct ares_options opt;
    memset(&opt, 0, sizeof(opt));
    opt.flags = ARES_FLAG_NOSEARCH; /* names as given, as on the device */
    opt.timeout = 1500;             /* ms per attempt (see NM_DNS_MAX_WAIT_MS) */
    opt.tries = 2;
    opt.ndomains = 0;
    opt.lookups = (char *)"fb"; /* the hosts file, then DNS */
    opt.sock_state_cb = on_sock_state;
    opt.sock_state_cb_data = chan;
    opt.socket_receive_buffer_size = 1 << 20; /* a window of answers arrives at once */
    int mask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_DOMAINS | ARES_OPT_LOOKUPS |
               ARES_OPT_SOCK_STATE_CB | ARES_OPT_SOCK_RCVBUF;
    if (ares_init_options(&chan->ares, &opt, mask) != ARES_SUCCESS) {
        free(chan);
        return NULL;
    }
    if (!servers_loaded)
        load_servers(chan->ares);
    else
        apply_servers(chan->ares);
    nm_setup_done(NM_SETUP_DNS_CHANNEL);
    uv_timer_init(nm_loop(), &chan->timer);
    chan->timer.data = chan;
    chan->next = channels;
    channels = chan;
    return chan;
}

/* The channel for a new lookup, with the slots' servers in force. */
static dns_channel *channel_for_lookup(void)
{
    if (current && servers_changed) {
        if (current->pending == 0 && apply_servers(current->ares) == ARES_SUCCESS) {
            servers_changed = false;
        } else {
            current->retired = true;
            if (current->pending == 0)
                nm_task_post(&current->destroy, destroy_retired);
            current = NULL;
        }
    }
    if (current == NULL) {
        current = new_channel();
        servers_changed = false;
    }
    return current;
}

/* Lookups --------------------------------------------------------------- */

static void deliver(nm_task *task)
{
    nm_dns_lookup *l = (nm_dns_lookup *)task;
    l->fn(l->owner, l->status, l->status == NM_DNS_OK ? (struct sockaddr *)&l->addr : NULL);
    free(l);
}

static int status_of(int ares_status)
{
    switch (ares_status) {
    case ARES_SUCCESS: return NM_DNS_OK;
    case ARES_ENOTFOUND:
    case ARES_ENODATA:
    case ARES_ENONAME: return NM_DNS_NOTFOUND;
    case ARES_ETIMEOUT: return NM_DNS_TIMEOUT;
    case ARES_EBADNAME:
    case ARES_EBADSTR: return NM_DNS_BADNAME;
    case ARES_ENOMEM: return NM_DNS_NOMEM;
    case ARES_EDESTRUCTION:
    case ARES_ECANCELLED: return NM_DNS_CANCELLED;
    default: return NM_DNS_FAILED;
    }
}

/* An IPv4 address when there is one (the device knows only A records), else IPv6. */
static bool pick_address(const struct ares_addrinfo *res, struct sockaddr_storage *out)
{
    const struct ares_addrinfo_node *v6 = NULL;
    for (const struct ares_addrinfo_node *n = res ? res->nodes : NULL; n; n = n->ai_next) {
        if (n->ai_family == AF_INET) {
            memcpy(out, n->ai_addr, sizeof(struct sockaddr_in));
            return true;
        }
        if (n->ai_family == AF_INET6 && v6 == NULL)
            v6 = n;
    }
    if (v6)
        memcpy(out, v6->ai_addr, sizeof(struct sockaddr_in6));
    return v6 != NULL;
}

static void set_port(struct sockaddr_storage *addr, int port)
{
    if (addr->ss_family == AF_INET)
        ((struct sockaddr_in *)addr)->sin_port = htons((uint16_t)port);
    else
        ((struct sockaddr_in6 *)addr)->sin6_port = htons((uint16_t)port);
}

static void pump_queue(nm_task *task);

static bool issue(nm_dns_lookup *l, dns_channel *chan);

static void on_ares_answer(void *arg, int status, int timeouts, struct ares_addrinfo *res)
{
    (void)timeouts;
    nm_dns_lookup *l = arg;
    dns_channel *chan = l->chan;
    chan->pending--; /* the caller of c-ares rearms the channel's timer */
    in_flight--;
    l->chan = NULL;
    l->in_ares = false;
    /* No IPv4 address: ask for IPv6 on the same channel (the extension for
     * AAAA-only names). A timeout or a server failure ends the lookup. */
    if (!l->cancelled && l->family == AF_INET && (status == ARES_ENODATA || status == ARES_ENOTFOUND)) {
        ares_freeaddrinfo(res);
        l->family = AF_INET6;
        if (issue(l, chan))
            return;
        status = ARES_ENOMEM;
        res = NULL;
    }
    if (queue_head)
        nm_task_post(&pump_task, pump_queue);
    l->status = status_of(status);
    if (l->status == NM_DNS_OK && !pick_address(res, &l->addr))
        l->status = NM_DNS_NOTFOUND;
    if (l->status == NM_DNS_OK)
        set_port(&l->addr, l->port);
    ares_freeaddrinfo(res);
    if (l->cancelled)
        free(l);
    else if (l->status == NM_DNS_CANCELLED)
        deliver(&l->answer); /* at exit: the owner frees its part now */
    else
        nm_task_post(&l->answer, deliver);
}

static bool parse_literal(const char *name, struct sockaddr_storage *out)
{
    memset(out, 0, sizeof(*out));
    struct sockaddr_in *in = (struct sockaddr_in *)out;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)out;
    if (strchr(name, ':') == NULL && inet_aton(name, &in->sin_addr)) {
        in->sin_family = AF_INET;
        return true;
    }
    if (inet_pton(AF_INET6, name, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        return true;
    }
    return false;
}

/* A name DNS can carry: 1..253 characters (a trailing dot allowed). */
static bool name_ok(const char *name)
{
    size_t len = strlen(name);
    if (len > 0 && name[len - 1] == '.')
        len--;
    return len > 0 && len <= 253;
}

/* Hands a lookup to c-ares on chan, for l->family. The device asks for A
 * records only: asking for AAAA as well (AF_UNSPEC) would double the queries
 * of every lookup for the rare name that has no A record. */
static bool issue(nm_dns_lookup *l, dns_channel *chan)
{
    if (chan == NULL)
        return false;
    struct ares_addrinfo_hints hints;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = l->family;
    /* The answers in the server's order (the device takes the first one);
     * CARES_HOSTS may name another hosts file. */
    hints.ai_flags = ARES_AI_NOSORT | ARES_AI_ENVHOSTS;
    l->in_ares = true;
    l->chan = chan;
    chan->pending++;
    in_flight++;
    ares_getaddrinfo(chan->ares, l->name, NULL, &hints, on_ares_answer, l);
    rearm(chan);
    return true;
}

static bool ask_ares(nm_dns_lookup *l)
{
    l->family = AF_INET;
    return issue(l, channel_for_lookup());
}

static void pump_queue(nm_task *task)
{
    (void)task;
    while (queue_head && in_flight < MAX_IN_FLIGHT) {
        nm_dns_lookup *l = queue_head;
        queue_head = l->next_queued;
        if (queue_head == NULL)
            queue_tail = &queue_head;
        l->queued = false;
        if (!ask_ares(l)) {
            l->status = NM_DNS_NOMEM;
            nm_task_post(&l->answer, deliver);
        }
    }
}

nm_dns_lookup *nm_dns_resolve(const char *name, int port, nm_dns_answer_fn fn, void *owner)
{
    size_t len = strlen(name);
    nm_dns_lookup *l = calloc(1, sizeof(*l) + len + 1);
    if (l == NULL)
        return NULL;
    memcpy(l->name, name, len + 1);
    l->fn = fn;
    l->owner = owner;
    l->port = port;
    if (parse_literal(name, &l->addr)) {
        l->status = NM_DNS_OK;
        set_port(&l->addr, port);
    } else if (!name_ok(name)) {
        l->status = NM_DNS_BADNAME;
    } else if (in_flight >= MAX_IN_FLIGHT || queue_head) {
        l->queued = true;
        *queue_tail = l;
        queue_tail = &l->next_queued;
        return l;
    } else if (ask_ares(l)) {
        return l;
    } else {
        l->status = NM_DNS_NOMEM;
    }
    nm_task_post(&l->answer, deliver);
    return l;
}

static void unqueue(nm_dns_lookup *l)
{
    nm_dns_lookup **link = &queue_head;
    while (*link != l)
        link = &(*link)->next_queued;
    *link = l->next_queued;
    if (*link == NULL)
        queue_tail = link;
}

void nm_dns_cancel(nm_dns_lookup *l)
{
    if (l->queued) {
        unqueue(l);
        free(l);
    } else if (l->in_ares) {
        l->cancelled = true; /* c-ares frees nothing of ours: on_ares_answer does */
    } else {
        nm_task_cancel(&l->answer);
        free(l);
    }
}

/* Servers --------------------------------------------------------------- */

static void ensure_servers(void)
{
    if (!servers_loaded)
        channel_for_lookup(); /* loads the system's servers */
}

bool nm_dns_get_server(int slot, struct sockaddr_storage *out)
{
    ensure_servers();
    if (slot < 0 || slot >= NM_DNS_SERVERS || servers[slot].ss_family == AF_UNSPEC)
        return false;
    *out = servers[slot];
    return true;
}

void nm_dns_set_server(int slot, const struct sockaddr *addr)
{
    ensure_servers();
    if (slot < 0 || slot >= NM_DNS_SERVERS)
        return;
    memset(&servers[slot], 0, sizeof(servers[slot]));
    memcpy(&servers[slot], addr,
           addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in));
    servers_changed = true;
}

const char *nm_dns_status_text(int status)
{
    switch (status) {
    case NM_DNS_OK: return "ok";
    case NM_DNS_NOTFOUND: return "name not found";
    case NM_DNS_FAILED: return "DNS server failure";
    case NM_DNS_TIMEOUT: return "DNS timeout";
    case NM_DNS_BADNAME: return "bad name";
    case NM_DNS_NOMEM: return "out of memory";
    default: return "cancelled";
    }
}

/* At exit: every channel goes; lookups still inside end as cancelled. */
static void shutdown_dns(void)
{
    nm_task_cancel(&pump_task);
    while (queue_head) {
        nm_dns_lookup *l = queue_head;
        unqueue(l);
        l->status = NM_DNS_CANCELLED;
        deliver(&l->answer);
    }
    while (channels)
        destroy_channel(channels);
    if (library_ready)
        ares_library_cleanup();
    library_ready = false;
    servers_loaded = false;
    servers_changed = false;
}
