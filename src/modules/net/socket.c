/*
 * socket.c — `net.socket`: TCP client and accepted sockets.
 *
 * Behaviour follows net-behaviour.md §2.8–2.17 for the 1.5 profile and §4.3
 * for 3.0; where the firmware drops data or fails silently this host queues
 * and reports instead (README, compatibility table).
 */
#include "modules/net/socket.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/dns.h"
#include "runtime/luacall.h"
#include "modules/net/dns.h"
#include "modules/net/netaddr.h"
#include "runtime/profile.h"

enum { EV_CONNECTION, EV_RECONNECTION, EV_DISCONNECTION, EV_RECEIVE, EV_SENT, EV_DNS, EV_COUNT };

static const char *const event_names[] = {
    "connection", "reconnection", "disconnection", "receive", "sent", "dns", NULL,
};

typedef enum {
    SOCK_FRESH, SOCK_RESOLVING, SOCK_CONNECTING, SOCK_CONNECTED, SOCK_CLOSING, SOCK_DEAD
} sock_state;

typedef struct sock_lookup sock_lookup;

typedef struct net_socket {
    nm_stream *stream; /* NULL unless connecting, connected or closing */
    int self_ref;      /* the anchor, held while stream is set or a lookup runs */
    sock_lookup *lookups; /* pending: connect()'s and dns()'s */
    int cb[EV_COUNT];
    uint8_t state;
    bool accepted;
    nm_addr *remote;   /* the connect() target: client sockets only, which
                        * keeps the many accepted ones small */
} net_socket;

static const nm_stream_events socket_events;
static const void *socket_metatable;

/* The receive callback, which every connection sets, is kept in the socket's
 * own user value where Lua allows (5.2+): a registry slot less per connection.
 * Its cb[] entry then says so. Callbacks are set and cleared by methods, whose
 * object is at stack index 1. */
#define CB_IN_OBJECT (LUA_NOREF - 1)

static void callback_set(lua_State *L, net_socket *sock, int ev, int idx)
{
    if (NM_USERVALUE_ANY && ev == EV_RECEIVE) {
        lua_pushvalue(L, idx);
        lua_setuservalue(L, 1);
        sock->cb[ev] = CB_IN_OBJECT;
    } else {
        nm_ref_set(L, &sock->cb[ev], idx);
    }
}

static void callback_clear(lua_State *L, net_socket *sock, int ev)
{
    if (sock->cb[ev] == CB_IN_OBJECT) {
        lua_pushnil(L);
        lua_setuservalue(L, 1);
        sock->cb[ev] = LUA_NOREF;
    } else {
        nm_ref_clear(L, &sock->cb[ev]);
    }
}

static net_socket *check_socket(lua_State *L)
{
    return nm_check_self(L, socket_metatable, NET_SOCKET_TYPE);
}

static net_socket *new_socket(lua_State *L)
{
    net_socket *sock = lua_newuserdata(L, sizeof(*sock));
    memset(sock, 0, sizeof(*sock));
    sock->self_ref = LUA_NOREF;
    for (int i = 0; i < EV_COUNT; i++)
        sock->cb[i] = LUA_NOREF;
    luaL_setmetatable(L, NET_SOCKET_TYPE);
    return sock;
}

static void anchor(lua_State *L, net_socket *sock, int idx)
{
    if (sock->self_ref == LUA_NOREF)
        nm_ref_set(L, &sock->self_ref, idx);
}

/* Drops the anchor once nothing can call back any more. */
static void release_if_idle(lua_State *L, net_socket *sock)
{
    if (sock->stream == NULL && sock->lookups == NULL)
        nm_ref_clear(L, &sock->self_ref);
}

/* Pushes what calling the event's callback with the socket takes; the caller
 * pushes any further arguments and calls nm_lua_call_at with the handler
 * index returned. Returns 0, pushing nothing, when no callback is set. */
static int fire_begin(lua_State *L, net_socket *sock, int ev)
{
    if (sock->cb[ev] == LUA_NOREF)
        return 0;
    int handler = nm_lua_call_begin(L);
    if (sock->cb[ev] == CB_IN_OBJECT) {
        /* A copy of the socket stays below the callback; nm_lua_call_at
         * drops it with the handler. */
        nm_ref_push(L, sock->self_ref);
        lua_getuservalue(L, -1);
        lua_pushvalue(L, -2);
    } else {
        nm_ref_push(L, sock->cb[ev]);
        nm_ref_push(L, sock->self_ref);
    }
    return handler;
}

static void fire(lua_State *L, net_socket *sock, int ev)
{
    int handler = fire_begin(L, sock, ev);
    if (handler)
        nm_lua_call_at(L, handler, 1);
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

static void on_received(nm_stream *s, const char *data, size_t len)
{
    net_socket *sock = nm_stream_owner(s);
    lua_State *L = nm_lua_state();
    if (sock == NULL || L == NULL || sock->state == SOCK_CLOSING)
        return;
    int handler = fire_begin(L, sock, EV_RECEIVE);
    if (handler) {
        lua_pushlstring(L, data, len);
        nm_lua_call_at(L, handler, 2);
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
    if (sock && status == 0 && sock->state == SOCK_CONNECTED && sock->cb[EV_SENT] != LUA_NOREF) {
        nm_stream_chain_begin(s);
        fire(L, sock, EV_SENT);
        nm_stream_chain_end(s);
    }
}

/* Which event ends a connection, per profile (net-behaviour.md §9). */
static int closing_event(const net_socket *sock, bool local, int status)
{
    if (local)
        return nm_modern() ? -1 : EV_DISCONNECTION;
    if (status != 0 && nm_modern() && sock->cb[EV_RECONNECTION] != LUA_NOREF)
        return EV_RECONNECTION;
    return EV_DISCONNECTION;
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
    /* Keep the object on the stack and drop the anchor before the callback,
     * so that a callback which connects again anchors it afresh. */
    nm_ref_push(L, sock->self_ref);
    release_if_idle(L, sock);
    if (ev >= 0 && sock->cb[ev] != LUA_NOREF) {
        nm_ref_push(L, sock->cb[ev]);
        lua_pushvalue(L, -2);
        lua_pushinteger(L, local ? 0 : nm_err_code(status));
        nm_lua_call(L, 2);
    }
    lua_pop(L, 1);
}

static const nm_stream_events socket_events = {
    .connected = on_connected,
    .received = on_received,
    .written = on_written,
    .closed = on_closed,
};

/* Lookups: connect() by name and dns() -------------------------------- */

struct sock_lookup {
    nm_dns_lookup *lookup;
    net_socket *sock;
    sock_lookup *next;
    bool for_connect;
};

static void unlink_lookup(sock_lookup *sl)
{
    sock_lookup **link = &sl->sock->lookups;
    while (*link != sl)
        link = &(*link)->next;
    *link = sl->next;
}

/* Calls the socket's "dns" callback, if any, with the answer. */
static void fire_dns(lua_State *L, net_socket *sock, int obj, const struct sockaddr *addr)
{
    if (sock->cb[EV_DNS] == LUA_NOREF)
        return;
    nm_ref_push(L, sock->cb[EV_DNS]);
    lua_pushvalue(L, obj);
    net_dns_push_answer(L, addr);
    nm_lua_call(L, 2);
}

/* The name of connect() is known: "dns" first (3.0 order), then the connect.
 * A failed lookup ends the attempt like a failed connect, with a code. */
static void connect_answered(lua_State *L, net_socket *sock, int status, const struct sockaddr *addr)
{
    int obj = lua_gettop(L);
    fire_dns(L, sock, obj, addr);
    if (sock->state != SOCK_RESOLVING) /* the callback closed it */
        return;
    if (status == NM_DNS_OK && (sock->stream = nm_stream_new(&socket_events, sock)) == NULL)
        status = NM_DNS_NOMEM;
    if (status == NM_DNS_OK) {
        memcpy(sock->remote, addr, addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                                                : sizeof(struct sockaddr_in));
        sock->state = SOCK_CONNECTING;
        nm_stream_connect(sock->stream, addr);
        return;
    }
    sock->state = SOCK_DEAD;
    release_if_idle(L, sock);
    int ev = closing_event(sock, false, -1);
    if (sock->cb[ev] != LUA_NOREF) {
        nm_ref_push(L, sock->cb[ev]);
        lua_pushvalue(L, obj);
        lua_pushinteger(L, net_dns_err_code(status));
        nm_lua_call(L, 2);
    }
}

static void lookup_answered(void *owner, int status, const struct sockaddr *addr)
{
    sock_lookup *sl = owner;
    net_socket *sock = sl->sock;
    bool for_connect = sl->for_connect;
    unlink_lookup(sl);
    free(sl);
    lua_State *L = nm_lua_state();
    if (L == NULL || status == NM_DNS_CANCELLED)
        return;
    nm_ref_push(L, sock->self_ref); /* the object outlives its anchor here */
    if (for_connect) {
        connect_answered(L, sock, status, addr);
    } else {
        release_if_idle(L, sock);
        fire_dns(L, sock, lua_gettop(L), addr);
    }
    lua_pop(L, 1);
}

/* Starts a lookup owned by the socket at index 1 and anchors it; false when
 * out of memory. */
static bool lookup_start(lua_State *L, net_socket *sock, const char *host, int port, bool for_connect)
{
    sock_lookup *sl = malloc(sizeof(*sl));
    if (sl == NULL)
        return false;
    sl->sock = sock;
    sl->for_connect = for_connect;
    sl->lookup = nm_dns_lookup_start(host, port, lookup_answered, sl);
    if (sl->lookup == NULL) {
        free(sl);
        return false;
    }
    sl->next = sock->lookups;
    sock->lookups = sl;
    anchor(L, sock, 1);
    return true;
}

static void cancel_lookups(net_socket *sock)
{
    while (sock->lookups) {
        sock_lookup *sl = sock->lookups;
        sock->lookups = sl->next;
        nm_dns_cancel(sl->lookup);
        free(sl);
    }
}

/* Methods --------------------------------------------------------------- */

static int socket_connect(lua_State *L)
{
    net_socket *sock = check_socket(L);
    if ((sock->state == SOCK_DEAD || sock->state == SOCK_CLOSING) && !nm_modern())
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
    if (nm_modern() && lua_gettop(L) >= 4 && !lua_isfunction(L, 4))
        return luaL_error(L, "bad argument #3 to 'connect' (not a function)");
    if (lua_isfunction(L, next))
        callback_set(L, sock, EV_CONNECTION, next);
    if (sock->state == SOCK_RESOLVING || sock->state == SOCK_CONNECTING || sock->state == SOCK_CONNECTED)
        return luaL_error(L, "already connected");
    nm_addr addr;
    bool literal = nm_addr_parse(host, (int)port, &addr);
    if (!literal && nm_modern() && (host[0] == '\0' || strlen(host) > 255))
        return luaL_error(L, "illegal argument"); /* lwIP's refusal, thrown by 3.0 */
    if (sock->remote == NULL && (sock->remote = malloc(sizeof(*sock->remote))) == NULL)
        return luaL_error(L, "not enough memory");
    if (sock->stream) { /* still draining after close(): let it finish on its own */
        nm_stream_adopt(sock->stream, &socket_events, NULL);
        sock->stream = NULL;
    }
    nm_profile_lock();
    if (!literal) {
        /* A name never raises: the lookup's outcome arrives as events. Until
         * then getpeer shows 255.255.255.255, the firmware's "no address". */
        if (!lookup_start(L, sock, host, (int)port, true))
            return luaL_error(L, "not enough memory");
        nm_addr_parse("255.255.255.255", (int)port, sock->remote);
        sock->state = SOCK_RESOLVING;
        return 0;
    }
    sock->stream = nm_stream_new(&socket_events, sock);
    if (sock->stream == NULL)
        return luaL_error(L, "not enough memory");
    *sock->remote = addr;
    sock->state = SOCK_CONNECTING;
    anchor(L, sock, 1);
    nm_stream_connect(sock->stream, &addr.sa);
    return 0;
}

/* close() while connect() looks its name up: the lookup is dropped, and the
 * 1.5 profile reports the close as for a connect in progress. */
static void close_lookups(lua_State *L, net_socket *sock)
{
    bool resolving = sock->state == SOCK_RESOLVING;
    cancel_lookups(sock);
    if (resolving) {
        sock->state = SOCK_DEAD;
        if (!nm_modern() && sock->cb[EV_DISCONNECTION] != LUA_NOREF) {
            nm_ref_push(L, sock->cb[EV_DISCONNECTION]);
            lua_pushvalue(L, 1);
            lua_pushinteger(L, 0);
            nm_lua_call_later(L, 2);
        }
    }
    release_if_idle(L, sock);
}

static int socket_close(lua_State *L)
{
    net_socket *sock = check_socket(L);
    if (sock->lookups)
        close_lookups(L, sock);
    if (sock->stream && sock->state != SOCK_CLOSING) {
        sock->state = SOCK_CLOSING;
        nm_stream_close(sock->stream, 0);
    }
    return 0; /* never an error, in either profile (net-behaviour.md Q31) */
}

static int socket_send(lua_State *L)
{
    net_socket *sock = check_socket(L);
    if (sock->state == SOCK_DEAD && !nm_modern())
        return 0; /* 1.5: silent on a disconnected socket, arguments unchecked */
    size_t len;
    const char *data = luaL_checklstring(L, 2, &len);
    if (lua_isfunction(L, 3))
        callback_set(L, sock, EV_SENT, 3);
    if (len == 0) {
        if (nm_modern())
            return luaL_error(L, "no data to send");
        return 0;
    }
    if (sock->stream == NULL || sock->state == SOCK_CLOSING) {
        if (nm_modern())
            return luaL_error(L, "not connected");
        return 0;
    }
    /* The string itself is written, not a copy; what the kernel did not take
     * at once is kept alive by a reference until `written`. */
    if (nm_stream_write(sock->stream, data, len) == NM_WRITE_QUEUED) {
        lua_pushvalue(L, 2);
        nm_stream_tag_queued_write(luaL_ref(L, LUA_REGISTRYINDEX));
    }
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
    if (!nm_modern()) {
        if (!lua_isfunction(L, 3))
            return luaL_argerror(L, 3, lua_pushfstring(L, "function or lightfunction expected, got %s",
                                                       luaL_typename(L, 3)));
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
    net_socket *sock = check_socket(L);
    if (sock->stream)
        nm_stream_hold(sock->stream, true);
    return 0;
}

static int socket_unhold(lua_State *L)
{
    net_socket *sock = check_socket(L);
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
    } else if ((sock->stream || sock->state == SOCK_RESOLVING) && sock->remote) {
        sa = &sock->remote->sa;
    }
    nm_addr_push_peer(L, sa, nm_modern());
    return 2;
}

static int socket_getaddr(lua_State *L)
{
    net_socket *sock = check_socket(L);
    struct sockaddr_storage ss;
    bool known = sock->stream && nm_stream_local(sock->stream, &ss) == 0;
    nm_addr_push_peer(L, known ? (struct sockaddr *)&ss : NULL, true);
    return 2;
}

/* dns(host[, fn]): the answer comes from the loop, never inside the call
 * (the firmware answers IP literals at once). */
static int socket_dns(lua_State *L)
{
    net_socket *sock = check_socket(L);
    if (sock->state == SOCK_DEAD && !nm_modern())
        return 0;
    size_t len;
    const char *host = luaL_checklstring(L, 2, &len);
    if (len > 128 && !nm_modern())
        return luaL_error(L, "need <128 domain");
    if (lua_isfunction(L, 3))
        callback_set(L, sock, EV_DNS, 3);
    if (nm_modern() && sock->cb[EV_DNS] == LUA_NOREF)
        return luaL_error(L, "no callback specified");
    if (len == 0 || len > 255) { /* refused by lwIP up front */
        if (nm_modern())
            return luaL_error(L, "illegal argument");
        return 0;                /* 1.5: no callback, ever */
    }
    if (sock->cb[EV_DNS] == LUA_NOREF)
        return 0; /* 1.5 without a callback: nothing could report the answer */
    if (!lookup_start(L, sock, host, 0, false))
        return luaL_error(L, "not enough memory");
    return 0;
}

static int socket_gc(lua_State *L)
{
    net_socket *sock = lua_touserdata(L, 1);
    cancel_lookups(sock);
    for (int i = 0; i < EV_COUNT; i++)
        if (sock->cb[i] != CB_IN_OBJECT) /* the user value goes with the object */
            nm_ref_clear(L, &sock->cb[i]);
    if (sock->stream) {
        nm_stream_release(sock->stream);
        sock->stream = NULL;
    }
    free(sock->remote);
    sock->remote = NULL;
    return 0;
}

static const luaL_Reg socket_methods[] = {
    {"connect", socket_connect}, {"close", socket_close},     {"on", socket_on},
    {"send", socket_send},       {"hold", socket_hold},       {"unhold", socket_unhold},
    {"dns", socket_dns},         {"getpeer", socket_getpeer}, {"getaddr", socket_getaddr},
    {NULL, NULL},
};

void net_socket_register(lua_State *L)
{
    nm_newmetatable(L, NET_SOCKET_TYPE);
    socket_metatable = lua_topointer(L, -1);
    luaL_newlib(L, socket_methods);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, socket_gc);
    lua_setfield(L, -2, "__gc");
    lua_pop(L, 1);
}

void net_socket_push_new(lua_State *L)
{
    new_socket(L);
}

void net_socket_push_accepted(lua_State *L, nm_stream *s)
{
    net_socket *sock = new_socket(L);
    sock->accepted = true;
    sock->state = SOCK_CONNECTED;
    sock->stream = s;
    nm_stream_adopt(s, &socket_events, sock);
    anchor(L, sock, -1);
}

void net_socket_fire_connection(lua_State *L, int idx)
{
    net_socket *sock = luaL_checkudata(L, idx, NET_SOCKET_TYPE);
    if (sock->state == SOCK_CONNECTED)
        fire(L, sock, EV_CONNECTION);
}
