/*
 * socket.c — `net.socket`: TCP client and accepted sockets.
 *
 * Behaviour follows docs/firmware-behaviour.md §6 for both profiles; where
 * the firmware drops data or fails silently this host queues and reports
 * instead (README, compatibility table).
 */
#include "modules/net/socket.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/dns.h"
#include "core/rxchunk.h"
#include "core/tcp_server.h"
#include "core/tls.h"
#include "runtime/device.h"
#include "runtime/luacall.h"
#include "modules/net/cert.h"
#include "modules/net/dns.h"
#include "core/netaddr.h"
#include "modules/net/netself.h"
#include "modules/net/netvalue.h"
#include "modules/net/sendbuf.h"
#include "runtime/profile.h"
#include "runtime/shared_ref.h"

/* The events every server script sets come first: their references live in
 * the socket itself (EV_HOT of them), the rest in its extra part. */
enum { EV_RECEIVE, EV_SENT, EV_CONNECTION, EV_RECONNECTION, EV_DISCONNECTION, EV_DNS, EV_COUNT };
#define EV_HOT 2

static const char *const event_names[] = {
    "receive", "sent", "connection", "reconnection", "disconnection", "dns", NULL,
};

typedef enum { SOCK_FRESH, SOCK_RESOLVING, SOCK_CONNECTING, SOCK_CONNECTED, SOCK_CLOSING, SOCK_DEAD } sock_state;

typedef struct sock_lookup sock_lookup;

/* What the many accepted sockets of a server seldom need, kept out of the
 * userdata so that it stays a 32-byte payload: allocated on first use, by
 * connect(), dns(), a rarely set callback or the device's send buffer. */
typedef struct sock_extra {
    nm_addr remote;          /* the connect() target */
    sock_lookup *lookups;    /* pending: connect()'s and dns()'s */
    int waiting_ref;         /* strings sent while connect() looks its name up, in order */
    bool close_after_lookup; /* close() came while they waited: deliver, then close */
    int cb[EV_COUNT - EV_HOT];
    nm_sendbuf *sendbuf; /* --device=esp8266: the firmware's send buffer, from the first send */
} sock_extra;

typedef struct net_socket {
    nm_stream *stream; /* NULL unless connecting, connected or closing */
    int self_ref;      /* the anchor, held while stream is set or a lookup runs */
    int cb[EV_HOT];    /* receive and sent; the others are in extra */
    uint8_t state;
    bool accepted : 1;
    bool secure : 1;  /* connects with TLS */
    bool tls_api : 1; /* a tls.socket: the 3.0 tls module's rules (§5) */
    sock_extra *extra;
} net_socket;

/* With Lua's 40-byte userdata header, a 32-byte payload is an 80-byte malloc
 * chunk: one per connection, so rare fields wait in `extra`. */
_Static_assert(sizeof(net_socket) <= 32, "net_socket outgrew its 32-byte payload");

static const nm_stream_events socket_events;
static const void *socket_metatable, *tls_metatable;

/* The receive callback, which every connection sets, is kept in the socket's
 * own user value where Lua allows (5.2+): a registry slot less per connection.
 * Its cb[] entry then says so. Callbacks are set and cleared by methods, whose
 * object is at stack index 1. */
#define CB_IN_OBJECT (LUA_NOREF - 1)

static int *cb_slot(net_socket *sock, int ev, bool make);

static void callback_set(lua_State *L, net_socket *sock, int ev, int idx)
{
    if (NM_USERVALUE_ANY && ev == EV_RECEIVE) {
        lua_pushvalue(L, idx);
        lua_setuservalue(L, 1);
        sock->cb[ev] = CB_IN_OBJECT;
        return;
    }
    int *slot = cb_slot(sock, ev, true);
    if (slot == NULL)
        luaL_error(L, "not enough memory");
    nm_shared_ref_set(L, slot, idx);
}

static void callback_clear(lua_State *L, net_socket *sock, int ev)
{
    int *slot = cb_slot(sock, ev, false);
    if (slot == NULL)
        return;
    if (*slot == CB_IN_OBJECT) {
        lua_pushnil(L);
        lua_setuservalue(L, 1);
        *slot = LUA_NOREF;
    } else {
        nm_shared_ref_clear(L, slot);
    }
}

static net_socket *check_socket(lua_State *L)
{
    return net_check_self(L, socket_metatable, NET_SOCKET_TYPE);
}

/* Methods that net.socket and tls.socket share accept either. */
static net_socket *check_any_socket(lua_State *L)
{
    if (tls_metatable && lua_getmetatable(L, 1)) {
        bool tls = lua_topointer(L, -1) == tls_metatable;
        lua_pop(L, 1);
        if (tls)
            return lua_touserdata(L, 1);
    }
    return check_socket(L);
}

static net_socket *check_tls_socket(lua_State *L)
{
    return nm_check_self(L, tls_metatable, TLS_SOCKET_TYPE);
}

static net_socket *new_socket(lua_State *L, const char *type)
{
    net_socket *sock = lua_newuserdata(L, sizeof(*sock));
    memset(sock, 0, sizeof(*sock));
    sock->self_ref = LUA_NOREF;
    for (int i = 0; i < EV_HOT; i++)
        sock->cb[i] = LUA_NOREF;
    luaL_setmetatable(L, type);
    return sock;
}

static void anchor(lua_State *L, net_socket *sock, int idx)
{
    if (sock->self_ref == LUA_NOREF)
        nm_ref_set(L, &sock->self_ref, idx);
}

static sock_extra *extra_of(net_socket *sock)
{
    if (sock->extra == NULL) {
        sock->extra = calloc(1, sizeof(*sock->extra));
        if (sock->extra) {
            sock->extra->waiting_ref = LUA_NOREF;
            for (int i = 0; i < EV_COUNT - EV_HOT; i++)
                sock->extra->cb[i] = LUA_NOREF;
        }
    }
    return sock->extra;
}

/* The registry reference (or CB_IN_OBJECT) of the event's callback. */
static int cb_ref(const net_socket *sock, int ev)
{
    if (ev < EV_HOT)
        return sock->cb[ev];
    return sock->extra ? sock->extra->cb[ev - EV_HOT] : LUA_NOREF;
}

/* Where the event's reference is kept; NULL when out of memory (setting) or
 * when no rare callback was ever set (clearing: nothing to do). */
static int *cb_slot(net_socket *sock, int ev, bool make)
{
    if (ev < EV_HOT)
        return &sock->cb[ev];
    sock_extra *x = make ? extra_of(sock) : sock->extra;
    return x ? &x->cb[ev - EV_HOT] : NULL;
}

static nm_sendbuf *sendbuf_of(const net_socket *sock)
{
    return sock->extra ? sock->extra->sendbuf : NULL;
}

/* Under --device=esp8266, whether the firmware's send buffer takes len more
 * bytes (sendbuf.h); the extra part is made only there. */
static nm_send_fit send_fits(lua_State *L, net_socket *sock, size_t len)
{
    if (!nm_device_esp8266())
        return NM_SEND_FITS;
    sock_extra *x = extra_of(sock);
    if (x == NULL)
        return luaL_error(L, "not enough memory");
    return nm_sendbuf_check(L, &x->sendbuf, len);
}

static sock_lookup *pending_lookups(const net_socket *sock)
{
    return sock->extra ? sock->extra->lookups : NULL;
}

/* Drops the anchor once nothing can call back any more. */
static void release_if_idle(lua_State *L, net_socket *sock)
{
    if (sock->stream == NULL && pending_lookups(sock) == NULL)
        nm_ref_clear(L, &sock->self_ref);
}

/* Pushes the event's callback and the socket; returns false, pushing
 * nothing, when no callback is set. Runs inside a protected body. */
static bool push_callback(lua_State *L, net_socket *sock, int ev)
{
    int ref = cb_ref(sock, ev);
    if (ref == LUA_NOREF)
        return false;
    if (ref == CB_IN_OBJECT) {
        nm_ref_push(L, sock->self_ref);
        lua_getuservalue(L, -1);
        lua_insert(L, -2);
    } else {
        nm_ref_push(L, ref);
        nm_ref_push(L, sock->self_ref);
    }
    return true;
}

/* One event for Lua: everything it pushes happens inside the protected call
 * (received data, the socket for an accepted connection), so that running out
 * of Lua memory there is an ordinary error. */
typedef struct socket_event {
    nm_protected base;
    net_socket *sock;
    int ev;
    const char *data;
    size_t len;
} socket_event;

static void fire_body(lua_State *L, nm_protected *ctx)
{
    socket_event *e = (socket_event *)ctx;
    if (!push_callback(L, e->sock, e->ev))
        return;
    if (e->data) {
        lua_pushlstring(L, e->data, e->len);
        lua_call(L, 2, 0);
    } else {
        lua_call(L, 1, 0);
    }
}

static void fire(lua_State *L, net_socket *sock, int ev)
{
    if (cb_ref(sock, ev) == LUA_NOREF)
        return;
    socket_event e = {{fire_body}, sock, ev, NULL, 0};
    nm_lua_protect(L, &e.base);
}

/* Core events ----------------------------------------------------------- */

static void on_connected(nm_stream *s)
{
    net_socket *sock = nm_stream_owner(s);
    lua_State *L = nm_lua_state();
    if (sock == NULL || L == NULL)
        return;
    sock->state = SOCK_CONNECTED;
    fire(L, sock, EV_CONNECTION);
}

/* A read goes up in the pieces --rx-chunks cuts (whole by default); a
 * callback that closes the socket, drops its receive callback or fails ends
 * the delivery of the rest, as a closed pcb receives nothing more. */
static void on_received(nm_stream *s, const char *data, size_t len)
{
    while (len > 0) {
        net_socket *sock = nm_stream_owner(s);
        lua_State *L = nm_lua_state();
        if (sock == NULL || L == NULL || sock->state == SOCK_CLOSING || cb_ref(sock, EV_RECEIVE) == LUA_NOREF)
            return;
        size_t piece = nm_rxchunk_next(len);
        socket_event e = {{fire_body}, sock, EV_RECEIVE, data, piece};
        if (!nm_lua_protect(L, &e.base))
            return;
        data += piece;
        len -= piece;
    }
}

static void on_written(nm_stream *s, intptr_t cookie, int status)
{
    net_socket *sock = nm_stream_owner(s);
    lua_State *L = nm_lua_state();
    if (L == NULL)
        return;
    if (cookie != 0)
        luaL_unref(L, LUA_REGISTRYINDEX, (int)cookie); /* the sent string */
    if (sock)
        nm_sendbuf_done(sendbuf_of(sock));
    if (sock && status == 0 && sock->state == SOCK_CONNECTED && cb_ref(sock, EV_SENT) != LUA_NOREF) {
        nm_stream_chain_begin(s);
        fire(L, sock, EV_SENT);
        nm_stream_chain_end(s);
    }
}

/* Which event ends a connection, per profile (docs/firmware-behaviour.md §6.5). A local
 * close that could not deliver everything is an error like any other, so
 * that in the 3.0 profile too no lost send goes unreported. */
static int closing_event(const net_socket *sock, bool local, int status)
{
    if (sock->tls_api) /* a tls.socket reports every end, as the tls module does (§5) */
        return status != 0 && cb_ref(sock, EV_RECONNECTION) != LUA_NOREF ? EV_RECONNECTION : EV_DISCONNECTION;
    if (local && status == 0)
        return nm_since(NM_ERA_2_2) ? -1 : EV_DISCONNECTION;
    if (status != 0 && nm_since(NM_ERA_2_2) && cb_ref(sock, EV_RECONNECTION) != LUA_NOREF)
        return EV_RECONNECTION;
    return EV_DISCONNECTION;
}

typedef struct closing_call {
    nm_protected base;
    net_socket *sock;
    int ev;
    int code;           /* the lwIP err_t value the callback gets */
    const char *reason; /* the cause in words, with a code */
    bool unanchored;
} closing_call;

/* Keeps the object on the stack and drops the anchor (unless a lookup still
 * needs it) before the callback, so that a callback which connects again
 * anchors it afresh. */
static void closing_body(lua_State *L, nm_protected *ctx)
{
    closing_call *c = (closing_call *)ctx;
    nm_ref_push(L, c->sock->self_ref);
    release_if_idle(L, c->sock);
    c->unanchored = true;
    if (c->ev < 0 || cb_ref(c->sock, c->ev) == LUA_NOREF)
        return;
    nm_ref_push(L, cb_ref(c->sock, c->ev));
    lua_pushvalue(L, -2);
    /* (sock, code[, reason]): the reason in words, for scripts to print, is a
     * netmcu addition; a tls.socket's reconnection gets the tls module's
     * reason text in place of the code (§5). */
    if (c->sock->tls_api && c->ev == EV_RECONNECTION)
        net_push_tls_reason(L, c->code);
    else
        lua_pushinteger(L, c->code);
    if (c->code == 0 || c->reason == NULL) {
        lua_call(L, 2, 0);
        return;
    }
    lua_pushstring(L, c->reason);
    lua_call(L, 3, 0);
}

/* The end of a connection (or of its attempt): ev(sock, code), or no event
 * for ev < 0; the anchor goes either way. */
static void fire_closing(lua_State *L, net_socket *sock, int ev, int code, const char *reason)
{
    closing_call c = {{closing_body}, sock, ev, code, reason, false};
    nm_lua_protect(L, &c.base);
    if (!c.unanchored) /* the body could not even start */
        release_if_idle(L, sock);
}

static void on_closed(nm_stream *s, int status)
{
    net_socket *sock = nm_stream_owner(s);
    lua_State *L = nm_lua_state();
    if (sock == NULL || L == NULL)
        return;
    bool local = sock->state == SOCK_CLOSING;
    int ev = closing_event(sock, local, status);
    sock->stream = NULL;
    sock->state = SOCK_DEAD;
    nm_sendbuf_reset(sendbuf_of(sock));
    const char *why = nm_stream_tls_reason(s);
    fire_closing(L, sock, ev, status == 0 ? 0 : nm_err_code(status),
                 status == 0 ? NULL
                 : why       ? why
                             : uv_strerror(status));
}

static const nm_stream_events socket_events = {
    .connected = on_connected,
    .received = on_received,
    .written = on_written,
    .closed = on_closed,
};

/* A registry slot, holding `true`, kept ready for the next string a write
 * leaves queued: storing into a slot that exists allocates nothing, so it
 * cannot fail once libuv holds a pointer into the string, and a string the
 * kernel takes at once (the usual case) costs no reference at all. The slot
 * belongs to one registry: a restarted or second Lua state makes its own. */
static int spare_ref = LUA_NOREF;
static const void *spare_registry;

/* Makes the spare before a write, where an error (out of memory) leaves
 * nothing half done. */
static void ready_spare(lua_State *L)
{
    const void *registry = lua_topointer(L, LUA_REGISTRYINDEX);
    if (spare_ref != LUA_NOREF && spare_registry == registry)
        return;
    spare_ref = LUA_NOREF;
    lua_pushboolean(L, 1);
    spare_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    spare_registry = registry;
}

/* Writes the string at idx; what the kernel did not take at once is kept
 * alive by a reference until `written`. Returns 0 or a libuv error. */
static int write_string(lua_State *L, net_socket *sock, int idx)
{
    size_t len;
    const char *data = lua_tolstring(L, idx, &len);
    ready_spare(L);
    int r = nm_stream_write(sock->stream, data, len);
    if (r >= 0)
        nm_sendbuf_add(sendbuf_of(sock), len);
    if (r == NM_WRITE_QUEUED) {
        int ref = spare_ref;
        lua_pushvalue(L, idx);
        lua_rawseti(L, LUA_REGISTRYINDEX, ref);
        nm_stream_tag_queued_write(ref);
        spare_ref = LUA_NOREF; /* the next write makes another */
        return 0;
    }
    return r;
}

/* Sends made while connect() looks its name up wait in a table, in order,
 * and go to the stream as soon as it exists: none is lost, and each gets its
 * `sent` as any other send. */
static void wait_for_lookup(lua_State *L, net_socket *sock, int idx)
{
    sock_extra *client = sock->extra;
    if (client->waiting_ref == LUA_NOREF) {
        lua_newtable(L);
        nm_ref_set(L, &client->waiting_ref, -1);
        lua_pop(L, 1);
    }
    nm_ref_push(L, client->waiting_ref);
    lua_pushvalue(L, idx);
    lua_rawseti(L, -2, (int)lua_rawlen(L, -2) + 1);
    lua_pop(L, 1);
}

typedef struct waiting_call {
    nm_protected base;
    net_socket *sock;
} waiting_call;

static void send_waiting_body(lua_State *L, nm_protected *ctx)
{
    net_socket *sock = ((waiting_call *)ctx)->sock;
    nm_ref_push(L, sock->extra->waiting_ref);
    int n = (int)lua_rawlen(L, -1);
    for (int i = 1; i <= n; i++) {
        lua_rawgeti(L, -1, i);
        int r = write_string(L, sock, -1);
        if (r < 0)
            luaL_error(L, "send: %s", uv_strerror(r));
        lua_pop(L, 1);
    }
}

static void send_waiting(lua_State *L, net_socket *sock)
{
    if (sock->extra->waiting_ref == LUA_NOREF)
        return;
    waiting_call c = {{send_waiting_body}, sock};
    nm_lua_protect(L, &c.base);
    nm_ref_clear(L, &sock->extra->waiting_ref);
}

/* Lookups: connect() by name and dns() -------------------------------- */

struct sock_lookup {
    nm_dns_lookup *lookup;
    net_socket *sock;
    sock_lookup *next;
    bool for_connect;
    char host[]; /* the name looked up: a secure connect's SNI and certificate check */
};

/* A new stream for the socket, secure when the socket is: never plain text
 * where the script asked for TLS. NULL when out of memory. */
static nm_stream *new_stream(net_socket *sock, const char *host)
{
    nm_stream *stream = nm_stream_new(&socket_events, sock);
    if (stream && sock->secure && net_cert_secure(stream, host) != 0) {
        nm_stream_release(stream);
        return NULL;
    }
    return stream;
}

static void unlink_lookup(sock_lookup *sl)
{
    sock_lookup **link = &sl->sock->extra->lookups;
    while (*link != sl)
        link = &(*link)->next;
    *link = sl->next;
}

/* The "dns" callback with an answer. */
typedef struct dns_call {
    nm_protected base;
    net_socket *sock;
    const struct sockaddr *addr; /* NULL: the lookup failed */
    bool release;                /* the anchor may go (see fire_dns) */
    bool released;
} dns_call;

static void dns_body(lua_State *L, nm_protected *ctx)
{
    dns_call *c = (dns_call *)ctx;
    nm_ref_push(L, c->sock->self_ref); /* the object outlives its anchor here */
    if (c->release)
        release_if_idle(L, c->sock);
    c->released = true;
    if (cb_ref(c->sock, EV_DNS) == LUA_NOREF)
        return;
    nm_ref_push(L, cb_ref(c->sock, EV_DNS));
    lua_pushvalue(L, -2);
    net_dns_push_answer(L, c->addr);
    lua_call(L, 2, 0);
}

/* Calls "dns" if registered; release says whether the anchor may go first
 * (an answer to dns()) or must stay (connect() continues after it). */
static void fire_dns(lua_State *L, net_socket *sock, const struct sockaddr *addr, bool release)
{
    if (cb_ref(sock, EV_DNS) == LUA_NOREF) {
        if (release)
            release_if_idle(L, sock);
        return;
    }
    dns_call c = {{dns_body}, sock, addr, release, false};
    nm_lua_protect(L, &c.base);
    if (release && !c.released)
        release_if_idle(L, sock);
}

/* --device=esp8266, 1.5: espconn_connect refuses a connection while 5 TCP
 * connections are open (ESPCONN_ISCONN) and net.c ignores the refusal: the
 * socket stays as it was and no event ever comes. */
static bool device_refuses_connect(lua_State *L)
{
    if (!nm_device_esp8266() || nm_since(NM_ERA_2_2) || nm_tcp_connections_open() < NM_ESP8266_TCP_CONNS)
        return false;
    char site[128];
    nm_device_site(L, site, sizeof site);
    nm_device_warn(site, "a connect() while 5 TCP connections are open did nothing, and no event follows "
                         "(the 1.5 firmware's espconn refuses a 6th and net.c ignores the refusal)");
    return true;
}

/* The name of connect() is known: "dns" first (3.0 order), then the connect.
 * A failed lookup ends the attempt like a failed connect, with a code. */
static void connect_answered(lua_State *L, net_socket *sock, const char *host, int status, const struct sockaddr *addr)
{
    bool closed_early = sock->state == SOCK_CLOSING && sock->extra->close_after_lookup;
    if (!closed_early) {
        fire_dns(L, sock, addr, false);
        if (sock->state != SOCK_RESOLVING) /* the callback closed it */
            return;
    }
    if (status == NM_DNS_OK && !closed_early && device_refuses_connect(L)) {
        nm_ref_clear(L, &sock->extra->waiting_ref);
        sock->state = SOCK_FRESH;
        release_if_idle(L, sock);
        return;
    }
    if (status == NM_DNS_OK && (sock->stream = new_stream(sock, host)) == NULL)
        status = NM_DNS_NOMEM;
    if (status == NM_DNS_OK) {
        memcpy(&sock->extra->remote, addr,
               addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in));
        sock->state = closed_early ? SOCK_CLOSING : SOCK_CONNECTING;
        nm_stream_connect(sock->stream, addr);
        send_waiting(L, sock);
        if (closed_early)
            nm_stream_close(sock->stream, 0);
        return;
    }
    /* The sends that waited are not delivered: the event's code says so. */
    nm_ref_clear(L, &sock->extra->waiting_ref);
    sock->state = SOCK_DEAD;
    fire_closing(L, sock, closing_event(sock, false, -1), net_dns_err_code(status), NULL);
}

static void lookup_answered(void *owner, int status, const struct sockaddr *addr)
{
    sock_lookup *sl = owner;
    net_socket *sock = sl->sock;
    unlink_lookup(sl);
    lua_State *L = nm_lua_state();
    if (L != NULL && status != NM_DNS_CANCELLED) {
        if (sl->for_connect)
            connect_answered(L, sock, sl->host, status, addr);
        else
            fire_dns(L, sock, addr, true);
    }
    free(sl);
}

/* Starts a lookup owned by the socket at index 1, which the caller has
 * anchored; false when out of memory. */
static bool lookup_start(net_socket *sock, const char *host, int port, bool for_connect)
{
    sock_extra *client = extra_of(sock);
    sock_lookup *sl = client ? malloc(sizeof(*sl) + strlen(host) + 1) : NULL;
    if (sl == NULL)
        return false;
    strcpy(sl->host, host);
    sl->sock = sock;
    sl->for_connect = for_connect;
    sl->lookup = nm_dns_resolve(host, port, lookup_answered, sl);
    if (sl->lookup == NULL) {
        free(sl);
        return false;
    }
    sl->next = client->lookups;
    client->lookups = sl;
    return true;
}

static void cancel_lookups(net_socket *sock)
{
    while (pending_lookups(sock)) {
        sock_lookup *sl = sock->extra->lookups;
        sock->extra->lookups = sl->next;
        nm_dns_cancel(sl->lookup);
        free(sl);
    }
}

/* Methods --------------------------------------------------------------- */

/* Connects the socket at stack index 1 to host:port (addr: host parsed as
 * an IP literal, NULL for a name to look up); a secure socket runs its
 * handshake next. The outcome arrives as events. */
static int start_connect(lua_State *L, net_socket *sock, lua_Integer port, const char *host, const nm_addr *addr)
{
    if (extra_of(sock) == NULL)
        return luaL_error(L, "not enough memory");
    if (addr != NULL && device_refuses_connect(L))
        return 0;
    anchor(L, sock, 1); /* may run out of memory: before anything changes */
    if (addr == NULL) {
        /* A name never raises: the lookup's outcome arrives as events. Until
         * then getpeer shows 255.255.255.255, the firmware's "no address". */
        if (!lookup_start(sock, host, (int)port, true)) {
            release_if_idle(L, sock);
            return luaL_error(L, "not enough memory");
        }
        if (sock->stream) { /* still draining after close(): let it finish on its own */
            nm_stream_adopt(sock->stream, &socket_events, NULL);
            sock->stream = NULL;
        }
        nm_profile_lock();
        nm_addr_parse("255.255.255.255", (int)port, &sock->extra->remote);
        sock->state = SOCK_RESOLVING;
        return 0;
    }
    nm_stream *stream = new_stream(sock, host);
    if (stream == NULL) {
        release_if_idle(L, sock);
        return luaL_error(L, "not enough memory");
    }
    if (sock->stream) /* still draining after close(): let it finish on its own */
        nm_stream_adopt(sock->stream, &socket_events, NULL);
    sock->stream = stream;
    nm_profile_lock();
    sock->extra->remote = *addr;
    sock->state = SOCK_CONNECTING;
    nm_stream_connect(sock->stream, &addr->sa);
    return 0;
}

static int socket_connect(lua_State *L)
{
    net_socket *sock = check_socket(L);
    if ((sock->state == SOCK_DEAD || sock->state == SOCK_CLOSING) && !nm_since(NM_ERA_2_2))
        return 0; /* 1.5: a closed socket cannot connect again, silently */
    lua_Integer port = luaL_checkinteger(L, 2);
    luaL_argcheck(L, port >= 0 && port <= 65535, 2, "port out of range");
    const char *host = "127.0.0.1";
    int next = 3;
    if (lua_isstring(L, 3)) {
        host = lua_tostring(L, 3);
        next = 4;
    } else if (lua_isnil(L, 3)) {
        next = 4;
    }
    if (nm_since(NM_ERA_2_2) && lua_gettop(L) >= 4 && !lua_isfunction(L, 4))
        return luaL_error(L, "bad argument #3 to 'connect' (not a function)");
    if (lua_isfunction(L, next))
        callback_set(L, sock, EV_CONNECTION, next);
    if (sock->state == SOCK_RESOLVING || sock->state == SOCK_CONNECTING || sock->state == SOCK_CONNECTED)
        return luaL_error(L, "already connected");
    nm_addr addr;
    bool literal = nm_addr_parse(host, (int)port, &addr);
    if (!literal && nm_since(NM_ERA_2_2) && (host[0] == '\0' || strlen(host) > 255))
        return luaL_error(L, "illegal argument"); /* lwIP's refusal, thrown by 3.0 */
    return start_connect(L, sock, port, host, literal ? &addr : NULL);
}

/* close() while connect() looks its name up: the lookup is dropped, and the
 * 1.5 profile reports the close as for a connect in progress. */
static void close_lookups(lua_State *L, net_socket *sock)
{
    bool resolving = sock->state == SOCK_RESOLVING;
    cancel_lookups(sock);
    if (resolving) {
        sock->state = SOCK_DEAD;
        if (!nm_since(NM_ERA_2_2) && cb_ref(sock, EV_DISCONNECTION) != LUA_NOREF) {
            nm_ref_push(L, cb_ref(sock, EV_DISCONNECTION));
            lua_pushvalue(L, 1);
            lua_pushinteger(L, 0);
            nm_lua_call_later(L, 2);
        }
    }
    release_if_idle(L, sock);
}

/* close() while sends wait for connect()'s lookup: they are still delivered,
 * then the stream closes; only connect()'s own lookup goes on. */
static bool close_after_lookup(net_socket *sock)
{
    if (sock->state != SOCK_RESOLVING || sock->extra->waiting_ref == LUA_NOREF)
        return false;
    for (sock_lookup **link = &sock->extra->lookups; *link;) {
        sock_lookup *sl = *link;
        if (sl->for_connect) {
            link = &sl->next;
            continue;
        }
        *link = sl->next;
        nm_dns_cancel(sl->lookup);
        free(sl);
    }
    sock->extra->close_after_lookup = true;
    sock->state = SOCK_CLOSING;
    return true;
}

static int socket_close(lua_State *L)
{
    net_socket *sock = check_any_socket(L);
    if (close_after_lookup(sock))
        return 0;
    if (pending_lookups(sock) || sock->state == SOCK_RESOLVING) /* also from connect's dns callback */
        close_lookups(L, sock);
    if (sock->stream && sock->state != SOCK_CLOSING) {
        sock->state = SOCK_CLOSING;
        nm_stream_close(sock->stream, 0);
    }
    return 0; /* never an error, in either profile (docs/firmware-behaviour.md §6.4) */
}

static int socket_send(lua_State *L)
{
    net_socket *sock = check_socket(L);
    if (sock->state == SOCK_DEAD && !nm_since(NM_ERA_2_2))
        return 0; /* 1.5: silent on a disconnected socket, arguments unchecked */
    size_t len;
    luaL_checklstring(L, 2, &len); /* numbers become strings in place */
    if (lua_isfunction(L, 3))
        callback_set(L, sock, EV_SENT, 3);
    if (len == 0) {
        if (nm_since(NM_ERA_2_2))
            return luaL_error(L, "no data to send");
        return 0;
    }
    if (sock->state == SOCK_RESOLVING) {
        if (send_fits(L, sock, len) == NM_SEND_FITS)
            wait_for_lookup(L, sock, 2);
        return 0;
    }
    if (sock->stream == NULL || sock->state == SOCK_CLOSING || !nm_stream_writable(sock->stream)) {
        if (nm_since(NM_ERA_2_2))
            return luaL_error(L, "not connected");
        return 0;
    }
    if (send_fits(L, sock, len) == NM_SEND_DROPPED)
        return 0;
    /* The string itself is written, not a copy. */
    int r = write_string(L, sock, 2);
    if (r < 0)
        return luaL_error(L, r == UV_ENOMEM ? "not enough memory" : "%s", uv_strerror(r));
    return 0;
}

static int event_index(const char *name)
{
    for (int i = 0; event_names[i]; i++)
        if (strcmp(name, event_names[i]) == 0)
            return i;
    return -1;
}

static int socket_on(lua_State *L)
{
    net_socket *sock = check_socket(L);
    const char *name = luaL_checkstring(L, 2);
    int ev = event_index(name);
    if (!nm_since(NM_ERA_2_2)) {
        nm_check_any_function(L, 3);
        if (ev < 0)
            return luaL_error(L, "method not supported");
    } else {
        if (ev < 0)
            return luaL_error(L, "invalid callback name");
        if (lua_isnoneornil(L, 3)) {
            callback_clear(L, sock, ev);
            return 0;
        }
        if (!lua_isfunction(L, 3))
            return luaL_error(L, "invalid callback function");
    }
    callback_set(L, sock, ev, 3);
    return 0;
}

static int socket_hold(lua_State *L)
{
    net_socket *sock = check_any_socket(L);
    if (sock->stream)
        nm_stream_hold(sock->stream, true);
    return 0;
}

static int socket_unhold(lua_State *L)
{
    net_socket *sock = check_any_socket(L);
    if (sock->stream)
        nm_stream_hold(sock->stream, false);
    return 0;
}

static int socket_getpeer(lua_State *L)
{
    net_socket *sock = check_socket(L);
    nm_addr peer;
    const struct sockaddr *sa = NULL;
    if (sock->stream && sock->accepted) {
        struct sockaddr_storage ss;
        if (nm_stream_peer(sock->stream, &ss) == 0) {
            memcpy(&peer, &ss, sizeof(peer));
            sa = &peer.sa;
        }
    } else if ((sock->stream || sock->state == SOCK_RESOLVING) && sock->extra) {
        sa = &sock->extra->remote.sa;
    }
    net_push_peer(L, sa, nm_since(NM_ERA_2_2));
    return 2;
}

static int socket_getaddr(lua_State *L)
{
    net_socket *sock = check_socket(L);
    struct sockaddr_storage ss;
    bool known = sock->stream && nm_stream_local(sock->stream, &ss) == 0;
    net_push_peer(L, known ? (struct sockaddr *)&ss : NULL, true);
    return 2;
}

/* dns(host[, fn]): the answer comes from the loop, never inside the call
 * (the firmware answers IP literals at once). */
static int socket_dns(lua_State *L)
{
    net_socket *sock = check_socket(L);
    if (sock->state == SOCK_DEAD && !nm_since(NM_ERA_2_2))
        return 0;
    size_t len;
    const char *host = luaL_checklstring(L, 2, &len);
    if (len > 128 && !nm_since(NM_ERA_2_2))
        return luaL_error(L, "need <128 domain");
    if (lua_isfunction(L, 3))
        callback_set(L, sock, EV_DNS, 3);
    if (nm_since(NM_ERA_2_2) && cb_ref(sock, EV_DNS) == LUA_NOREF)
        return luaL_error(L, "no callback specified");
    if (len == 0 || len > 255) { /* refused by lwIP up front */
        if (nm_since(NM_ERA_2_2))
            return luaL_error(L, "illegal argument");
        return 0; /* 1.5: no callback, ever */
    }
    if (cb_ref(sock, EV_DNS) == LUA_NOREF)
        return 0;       /* 1.5 without a callback: nothing could report the answer */
    anchor(L, sock, 1); /* may run out of memory: before anything changes */
    if (!lookup_start(sock, host, 0, false)) {
        release_if_idle(L, sock);
        return luaL_error(L, "not enough memory");
    }
    return 0;
}

static int socket_gc(lua_State *L)
{
    net_socket *sock = lua_touserdata(L, 1);
    cancel_lookups(sock);
    if (sock->extra)
        nm_ref_clear(L, &sock->extra->waiting_ref);
    for (int i = 0; i < EV_COUNT; i++) {
        int *slot = cb_slot(sock, i, false);
        if (slot && *slot != CB_IN_OBJECT) /* the user value goes with the object */
            nm_shared_ref_clear(L, slot);
    }
    if (sock->stream) {
        nm_stream_release(sock->stream);
        sock->stream = NULL;
    }
    if (sock->extra)
        free(sock->extra->sendbuf);
    free(sock->extra);
    sock->extra = NULL;
    return 0;
}

static const luaL_Reg socket_methods[] = {
    {"connect", socket_connect}, {"close", socket_close},
    {"on", socket_on},           {"send", socket_send},
    {"hold", socket_hold},       {"unhold", socket_unhold},
    {"dns", socket_dns},         {"getpeer", socket_getpeer},
    {"getaddr", socket_getaddr}, {NULL, NULL},
};

void net_socket_register(lua_State *L)
{
    socket_metatable = nm_register_type(L, NET_SOCKET_TYPE, socket_methods, socket_gc);
    spare_ref = LUA_NOREF; /* a new state (a restart may reuse the old one's address) */
}

void net_socket_push_new(lua_State *L, bool secure)
{
    net_socket *sock = new_socket(L, NET_SOCKET_TYPE);
    sock->secure = secure;
}

void net_socket_push_accepted(lua_State *L, nm_stream *s)
{
    net_socket *sock = new_socket(L, NET_SOCKET_TYPE);
    sock->accepted = true;
    anchor(L, sock, -1); /* may run out of memory: before the object owns s */
    sock->state = SOCK_CONNECTED;
    sock->stream = s;
    nm_stream_adopt(s, &socket_events, sock);
}

void net_socket_fire_connection(lua_State *L, int idx)
{
    net_socket *sock = luaL_checkudata(L, idx, NET_SOCKET_TYPE);
    if (sock->state == SOCK_CONNECTED && push_callback(L, sock, EV_CONNECTION))
        lua_call(L, 1, 0);
}

/* tls.socket (the tls module of 2.2 and 3.0, docs/firmware-behaviour.md §9.3) */

/* connect(port[, host]): no callback argument; the firmware's checks in its
 * order. */
static int tls_socket_connect(lua_State *L)
{
    net_socket *sock = check_tls_socket(L);
    if (sock->state == SOCK_RESOLVING || sock->state == SOCK_CONNECTING || sock->state == SOCK_CONNECTED ||
        sock->state == SOCK_CLOSING)
        return luaL_error(L, "already connected");
    lua_Integer port = luaL_checkinteger(L, 2);
    const char *host = lua_isstring(L, 3) ? lua_tostring(L, 3) : "127.0.0.1";
    if (port == 0)
        return luaL_error(L, "invalid port");
    luaL_argcheck(L, port > 0 && port <= 65535, 2, "port out of range");
    nm_addr addr;
    bool literal = nm_addr_parse(host, (int)port, &addr);
    return start_connect(L, sock, port, host, literal ? &addr : NULL);
}

/* on(event, fn); 3.0 also takes on(event, nil), where 2.2's tls module
 * wants a function before it looks at the name. */
static int tls_socket_on(lua_State *L)
{
    net_socket *sock = check_tls_socket(L);
    int ev = event_index(luaL_checkstring(L, 2));
    if (!nm_since(NM_ERA_3_0))
        nm_check_any_function(L, 3);
    if (ev < 0)
        return luaL_error(L, "invalid method");
    if (lua_isnoneornil(L, 3)) {
        callback_clear(L, sock, ev);
        return 0;
    }
    if (!lua_isfunction(L, 3))
        return luaL_error(L, "invalid callback function");
    callback_set(L, sock, ev, 3);
    return 0;
}

/* send(data): no callback (a function argument is ignored); silent when not
 * connected, as in the firmware. */
static int tls_socket_send(lua_State *L)
{
    net_socket *sock = check_tls_socket(L);
    size_t len;
    const char *data = luaL_checklstring(L, 2, &len);
    if (sock->stream == NULL || sock->state == SOCK_CLOSING || len == 0)
        return 0;
    nm_stream_write(sock->stream, data, len); /* TLS copies it: nothing to keep */
    return 0;
}

/* getpeer() → ip, port in both profiles (docs/firmware-behaviour.md §6.8). */
static int tls_socket_getpeer(lua_State *L)
{
    net_socket *sock = check_tls_socket(L);
    net_push_peer(L, sock->stream && sock->extra ? &sock->extra->remote.sa : NULL, false);
    return 2;
}

static const luaL_Reg tls_socket_methods[] = {
    {"connect", tls_socket_connect}, {"close", socket_close},
    {"on", tls_socket_on},           {"send", tls_socket_send},
    {"hold", socket_hold},           {"unhold", socket_unhold},
    {"getpeer", tls_socket_getpeer}, {NULL, NULL},
};

void net_socket_register_tls(lua_State *L)
{
    tls_metatable = nm_register_type(L, TLS_SOCKET_TYPE, tls_socket_methods, socket_gc);
}

void net_socket_push_tls(lua_State *L)
{
    net_socket *sock = new_socket(L, TLS_SOCKET_TYPE);
    sock->secure = true;
    sock->tls_api = true;
}
