/*
 * udp.c — UDP for scripts: the 1.5 client and server forms and 3.0's udpsocket.
 *
 * One Lua type serves createConnection(net.UDP), createServer(net.UDP) and
 * createUDPSocket() (docs/firmware-behaviour.md §7.1): every object has connect, listen,
 * send(data[, fn]) — to the connect()ed remote, else to the sender of the last
 * datagram — and send(port, ip, data[, fn]), chosen when the first argument is
 * a number followed by more arguments. receive always gets (obj, data, port,
 * ip) (C5). `sent` comes from the loop, never inside send() (Q21).
 *
 * An object is anchored while it is bound, so a server made and dropped in
 * one line keeps receiving; close() unbinds and drops the anchor.
 */
#include "modules/net/udp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/dns.h"
#include "core/udp.h"
#include "runtime/device.h"
#include "runtime/luacall.h"
#include "runtime/profile.h"
#include "modules/net/dns.h"
#include "core/netaddr.h"
#include "modules/net/netself.h"
#include "modules/net/netvalue.h"

enum { EV_RECEIVE, EV_SENT, EV_DNS, EV_COUNT };

static const char *const event_names[] = {"receive", "sent", "dns", NULL};

typedef struct udp_lookup udp_lookup;

typedef struct net_udp {
    nm_udp *u;           /* NULL unless bound */
    int self_ref;        /* the anchor, held while bound or a lookup runs */
    udp_lookup *lookups; /* pending: connect()'s and dns()'s */
    int cb[EV_COUNT];
    uint8_t kind;          /* NET_UDP_CLIENT, NET_UDP_SERVER or NET_UDP_SOCKET */
    uint8_t receive_nargs; /* 2 when the receive function cannot see port, ip */
    bool has_remote, has_sender;
    uint8_t closes; /* counts close() calls, to notice one made by a callback */
    nm_addr remote; /* the connect() target */
    nm_addr sender; /* where the last datagram came from */
} net_udp;

static const nm_udp_events udp_events;
static const void *udp_metatable;

static net_udp *check_udp(lua_State *L)
{
    return net_check_self(L, udp_metatable, NET_UDP_TYPE);
}

/* UDP servers anchored now: the 1.5 firmware's "one UDP server". */
static unsigned anchored_servers;

unsigned net_udp_servers_anchored(void)
{
    return anchored_servers;
}

static void anchor(lua_State *L, net_udp *ud)
{
    if (ud->self_ref == LUA_NOREF) {
        nm_ref_set(L, &ud->self_ref, 1);
        if (ud->kind == NET_UDP_SERVER)
            anchored_servers++;
    }
}

/* An event's Lua work runs as the body of a protected call (luacall.h):
 * the received string is made there, so that running out of Lua memory is an
 * ordinary error. */
typedef struct udp_event {
    nm_protected base;
    net_udp *ud;
    const char *data; /* NULL for `sent` */
    size_t len;
    const struct sockaddr *from;
} udp_event;

static void event_body(lua_State *L, nm_protected *ctx)
{
    udp_event *e = (udp_event *)ctx;
    net_udp *ud = e->ud;
    if (e->data == NULL) {
        nm_ref_push(L, ud->cb[EV_SENT]);
        nm_ref_push(L, ud->self_ref);
        lua_call(L, 1, 0);
        return;
    }
    nm_ref_push(L, ud->cb[EV_RECEIVE]);
    nm_ref_push(L, ud->self_ref);
    lua_pushlstring(L, e->data, e->len);
    if (ud->receive_nargs > 2)
        net_push_peer(L, e->from, true);
    lua_call(L, ud->receive_nargs, 0);
}

/* Core events ----------------------------------------------------------- */

static void on_received(nm_udp *u, const char *data, size_t len, const struct sockaddr *from)
{
    net_udp *ud = nm_udp_owner(u);
    lua_State *L = nm_lua_state();
    if (L == NULL)
        return;
    memcpy(&ud->sender, from, from->sa_family == AF_INET6 ? sizeof(ud->sender.in6) : sizeof(ud->sender.in));
    ud->has_sender = true;
    if (ud->cb[EV_RECEIVE] == LUA_NOREF)
        return;
    udp_event e = {{event_body}, ud, data, len, from};
    nm_lua_protect(L, &e.base);
}

static void on_sent(nm_udp *u, intptr_t cookie, int status)
{
    (void)status; /* like the later firmware, `sent` fires whether or not it went out */
    net_udp *ud = nm_udp_owner(u);
    lua_State *L = nm_lua_state();
    if (L == NULL)
        return;
    if (cookie != 0)
        luaL_unref(L, LUA_REGISTRYINDEX, (int)cookie); /* the sent string */
    if (ud == NULL || ud->cb[EV_SENT] == LUA_NOREF)
        return;
    udp_event e = {{event_body}, ud, NULL, 0, NULL};
    nm_lua_protect(L, &e.base);
}

static const nm_udp_events udp_events = {
    .received = on_received,
    .sent = on_sent,
};

/* Binding --------------------------------------------------------------- */

/* Binds to addr; a named address this host does not have falls back to the
 * wildcard (scripts often pass the ESP's own address, Q24). Raises on failure. */
static void bind_to(lua_State *L, net_udp *ud, nm_addr *addr, const char *ip)
{
    int port = nm_addr_port(&addr->sa);
    nm_profile_lock();
    int r = nm_udp_open(&udp_events, ud, &addr->sa, &ud->u);
    if (r == UV_EADDRNOTAVAIL) {
        fprintf(stderr, "netmcu: listen: this host has no address %s; listening on all addresses\n", ip);
        nm_addr_wildcard(ip, port, addr);
        r = nm_udp_open(&udp_events, ud, &addr->sa, &ud->u);
    }
    if (r < 0) {
        ud->u = NULL;
        net_raise_bind_error(L, r, port);
    }
    anchor(L, ud);
}

/* Drops the anchor once nothing can call back any more. */
static void release_if_idle(lua_State *L, net_udp *ud)
{
    if (ud->u == NULL && ud->lookups == NULL && ud->self_ref != LUA_NOREF) {
        nm_ref_clear(L, &ud->self_ref);
        if (ud->kind == NET_UDP_SERVER)
            anchored_servers--;
    }
}

static void unbind(lua_State *L, net_udp *ud)
{
    if (ud->u) {
        nm_udp_close(ud->u);
        ud->u = NULL;
    }
    ud->has_sender = false;
    release_if_idle(L, ud);
}

/* An unbound socket that sends or connects first binds to a free port. */
static void bind_ephemeral(lua_State *L, net_udp *ud, int family)
{
    nm_addr any;
    nm_addr_wildcard(family == AF_INET6 ? "::" : NULL, 0, &any);
    bind_to(L, ud, &any, NULL);
}

/* Methods --------------------------------------------------------------- */

static lua_Integer check_port(lua_State *L, int idx)
{
    lua_Integer port = luaL_checkinteger(L, idx);
    luaL_argcheck(L, port >= 0 && port <= 65535, idx, "port out of range");
    return port;
}

/* listen([port][, ip]): 1.5 requires the port and binds every address
 * whatever ip says; 3.0 binds ip. 1.5 re-binds a bound object, 3.0 refuses. */
static int udp_listen(lua_State *L)
{
    net_udp *ud = check_udp(L);
    lua_Integer port = 0;
    int arg = 2;
    if (!nm_since(NM_ERA_2_2) || lua_isnumber(L, 2)) {
        port = check_port(L, 2);
        arg = 3;
    }
    const char *ip = lua_isstring(L, arg) ? lua_tostring(L, arg) : NULL;
    nm_addr addr;
    if (nm_since(NM_ERA_2_2) && ip) {
        if (!nm_addr_parse(ip, (int)port, &addr))
            return luaL_error(L, "invalid IP address");
    } else {
        nm_addr_wildcard(ip, (int)port, &addr);
    }
    if (ud->u) {
        if (nm_since(NM_ERA_2_2))
            return luaL_error(L, "already listening");
        unbind(L, ud);
    }
    bind_to(L, ud, &addr, ip);
    return 0;
}

/* Makes addr the destination of send(data), binding a free local port of its
 * family first. The object is at stack index 1. */
static void target(lua_State *L, net_udp *ud, const struct sockaddr *addr)
{
    if (ud->u && ud->u->family != addr->sa_family)
        unbind(L, ud);
    if (ud->u == NULL)
        bind_ephemeral(L, ud, addr->sa_family);
    memcpy(&ud->remote, addr, addr->sa_family == AF_INET6 ? sizeof(ud->remote.in6) : sizeof(ud->remote.in));
    ud->has_remote = true;
}

/* Lookups: connect() by name and dns() -------------------------------- */

struct udp_lookup {
    nm_dns_lookup *lookup;
    net_udp *ud;
    udp_lookup *next;
    bool for_connect;
};

static void unlink_lookup(udp_lookup *ul)
{
    udp_lookup **link = &ul->ud->lookups;
    while (*link != ul)
        link = &(*link)->next;
    *link = ul->next;
}

static void cancel_lookups(net_udp *ud, bool only_connect)
{
    for (udp_lookup **link = &ud->lookups; *link;) {
        udp_lookup *ul = *link;
        if (only_connect && !ul->for_connect) {
            link = &ul->next;
            continue;
        }
        *link = ul->next;
        nm_dns_cancel(ul->lookup);
        free(ul);
    }
}

/* The answer to a lookup: `dns` with it, then (for connect) the address
 * becomes the destination. A name that does not resolve leaves the object
 * unconnected: UDP has no event for that, so it is said on stderr (the
 * firmware gave up silently). The object is argument 1. */
typedef struct answer_call {
    nm_protected base;
    net_udp *ud;
    const struct sockaddr *addr; /* NULL: the lookup failed */
    bool for_connect;
    bool released; /* the body ran far enough to drop the lookup's anchor */
} answer_call;

static void answer_body(lua_State *L, nm_protected *ctx)
{
    answer_call *c = (answer_call *)ctx;
    net_udp *ud = c->ud;
    uint8_t closes = ud->closes;
    nm_ref_push(L, ud->self_ref); /* index 1: the object outlives its anchor here */
    release_if_idle(L, ud);
    c->released = true;
    if (ud->cb[EV_DNS] != LUA_NOREF) {
        nm_ref_push(L, ud->cb[EV_DNS]);
        lua_pushvalue(L, 1);
        net_dns_push_answer(L, c->addr);
        lua_call(L, 2, 0);
    }
    if (c->for_connect && c->addr && ud->closes == closes) /* not closed by the callback */
        target(L, ud, c->addr);
}

static void lookup_answered(void *owner, int status, const struct sockaddr *addr)
{
    udp_lookup *ul = owner;
    net_udp *ud = ul->ud;
    bool for_connect = ul->for_connect;
    unlink_lookup(ul);
    free(ul);
    lua_State *L = nm_lua_state();
    if (L == NULL || status == NM_DNS_CANCELLED)
        return;
    if (for_connect && status != NM_DNS_OK)
        fprintf(stderr,
                "netmcu: connect: the name did not resolve (%s); the UDP socket has no "
                "destination\n",
                nm_dns_status_text(status));
    answer_call c = {{answer_body}, ud, status == NM_DNS_OK ? addr : NULL, for_connect, false};
    nm_lua_protect(L, &c.base);
    if (!c.released) /* out of memory before the body began */
        release_if_idle(L, ud);
}

/* Starts a lookup owned by the object at index 1 and anchors it. */
static void lookup_start(lua_State *L, net_udp *ud, const char *host, int port, bool for_connect)
{
    udp_lookup *ul = malloc(sizeof(*ul));
    if (ul == NULL)
        luaL_error(L, "not enough memory");
    ul->ud = ud;
    ul->for_connect = for_connect;
    ul->lookup = nm_dns_resolve(host, port, lookup_answered, ul);
    if (ul->lookup == NULL) {
        free(ul);
        luaL_error(L, "not enough memory");
    }
    ul->next = ud->lookups;
    ud->lookups = ul;
    anchor(L, ud);
}

/* connect(port[, host]): sets the destination of send(data), binding a free
 * local port first; calling it again re-targets. A name is looked up first. */
static int udp_connect(lua_State *L)
{
    net_udp *ud = check_udp(L);
    lua_Integer port = check_port(L, 2);
    const char *host = lua_isstring(L, 3) ? lua_tostring(L, 3) : "127.0.0.1";
    nm_addr addr;
    cancel_lookups(ud, true); /* the latest connect() wins */
    nm_profile_lock();
    if (nm_addr_parse(host, (int)port, &addr))
        target(L, ud, &addr.sa);
    else
        lookup_start(L, ud, host, (int)port, true);
    return 0;
}

/* Where send(data) goes: the connect() target, else the last sender. */
static const nm_addr *implicit_destination(lua_State *L, net_udp *ud)
{
    if (ud->u && ud->has_remote)
        return &ud->remote;
    if (ud->u && ud->has_sender)
        return &ud->sender;
    if (ud->kind == NET_UDP_SERVER)
        luaL_error(L, "remote ip/port unavailable");
    else if (nm_since(NM_ERA_2_2))
        luaL_error(L, "not connected");
    return NULL; /* 1.5: dropped silently */
}

/* True for send(port, ip, data[, fn]); send(42) and send(42, fn) send "42". */
static bool addressed_form(lua_State *L)
{
    return lua_type(L, 2) == LUA_TNUMBER && lua_gettop(L) >= 3 && !lua_isfunction(L, 3);
}

/* --device=esp8266, 1.5: net.c's limit on every send, UDP too. */
static int device_payload_error(lua_State *L)
{
    char site[128];
    nm_device_site(L, site, sizeof site);
    nm_device_warn(site, "a send() of more than 1460 bytes: the 1.5 firmware raises 'need <1460 payload'");
    return luaL_error(L, "need <1460 payload");
}

static int udp_send(lua_State *L)
{
    net_udp *ud = check_udp(L);
    nm_addr to;
    int data_idx = 2;
    bool addressed = addressed_form(L);
    if (addressed) {
        lua_Integer port = luaL_checkinteger(L, 2);
        if (port == 0)
            return luaL_error(L, "need port");
        luaL_argcheck(L, port > 0 && port <= 65535, 2, "port out of range");
        if (!nm_addr_parse(luaL_checkstring(L, 3), (int)port, &to))
            return luaL_error(L, "invalid IP address");
        data_idx = 4;
    }
    size_t len;
    const char *data = luaL_checklstring(L, data_idx, &len);
    if (lua_isfunction(L, data_idx + 1))
        nm_ref_set(L, &ud->cb[EV_SENT], data_idx + 1);
    if (len == 0)
        return nm_since(NM_ERA_2_2) ? luaL_error(L, "no data to send") : 0;
    if (len > NM_ESP8266_PAYLOAD && nm_device_esp8266() && !nm_since(NM_ERA_2_2))
        return device_payload_error(L);
    if (len > NM_UDP_MAX_DATAGRAM)
        return luaL_error(L, "datagram too large: %d bytes (UDP carries at most %d)", (int)len, NM_UDP_MAX_DATAGRAM);
    const nm_addr *dest = &to;
    if (!addressed && (dest = implicit_destination(L, ud)) == NULL)
        return 0;
    if (ud->u == NULL)
        bind_ephemeral(L, ud, dest->sa.sa_family);
    if (ud->u->family != dest->sa.sa_family)
        return luaL_error(L, "cannot send to an IPv%c address from a socket bound to IPv%c",
                          dest->sa.sa_family == AF_INET6 ? '6' : '4', ud->u->family == AF_INET6 ? '6' : '4');
    int r = nm_udp_try_send(ud->u, &dest->sa, data, len, ud->cb[EV_SENT] != LUA_NOREF);
    if (r == UV_EAGAIN) {
        /* The socket buffer is full: the string itself waits in libuv's
         * queue, not a copy, referenced before libuv sees it. */
        lua_pushvalue(L, data_idx);
        int ref = luaL_ref(L, LUA_REGISTRYINDEX);
        if ((r = nm_udp_queue(ud->u, &dest->sa, data, len, ref)) < 0)
            luaL_unref(L, LUA_REGISTRYINDEX, ref);
    }
    if (r < 0 && nm_since(NM_ERA_2_2))
        return luaL_error(L, "%s", nm_err_name(nm_err_code(r)));
    return 0; /* 1.5: network errors are silent, as on the device */
}

static int event_index(const char *name)
{
    for (int i = 0; event_names[i]; i++)
        if (strcmp(name, event_names[i]) == 0)
            return i;
    return -1;
}

/* on(event, fn): 1.5 knows receive and sent on UDP objects and rejects nil;
 * 3.0 adds dns and unregisters with nil. */
/* How many arguments receive passes: the seed's fn(s, data) cannot see port
 * and ip, so they are not made (5.2+ tell a function's parameter count). */
static uint8_t receive_nargs(lua_State *L, int idx)
{
#if LUA_VERSION_NUM >= 502
    lua_Debug ar;
    lua_pushvalue(L, idx);
    if (lua_getinfo(L, ">u", &ar) && !ar.isvararg && ar.nparams <= 2)
        return 2;
#else
    (void)L;
    (void)idx;
#endif
    return 4;
}

static int udp_on(lua_State *L)
{
    net_udp *ud = check_udp(L);
    const char *name = luaL_checkstring(L, 2);
    int ev = event_index(name);
    if (!nm_since(NM_ERA_2_2)) {
        nm_check_any_function(L, 3);
        if (ev < 0 || ev == EV_DNS)
            return luaL_error(L, "method not supported");
    } else {
        if (ev < 0)
            return luaL_error(L, "invalid callback name");
        if (lua_isnoneornil(L, 3)) {
            nm_ref_clear(L, &ud->cb[ev]);
            return 0;
        }
        if (!lua_isfunction(L, 3))
            return luaL_error(L, "invalid callback function");
    }
    nm_ref_set(L, &ud->cb[ev], 3);
    if (ev == EV_RECEIVE)
        ud->receive_nargs = receive_nargs(L, 3);
    return 0;
}

static int udp_close(lua_State *L)
{
    net_udp *ud = check_udp(L);
    cancel_lookups(ud, false);
    unbind(L, ud);
    ud->has_remote = false;
    ud->closes++;
    return 0; /* never an error, in either profile (docs/firmware-behaviour.md §6.4) */
}

/* 1.5: the connect() target (a server: the last sender); 3.0 order port, ip. */
static int udp_getpeer(lua_State *L)
{
    net_udp *ud = check_udp(L);
    const struct sockaddr *sa = NULL;
    if (ud->u && ud->has_remote)
        sa = &ud->remote.sa;
    else if (ud->u && ud->has_sender && ud->kind == NET_UDP_SERVER)
        sa = &ud->sender.sa;
    net_push_peer(L, sa, nm_since(NM_ERA_2_2));
    return 2;
}

static int udp_getaddr(lua_State *L)
{
    net_udp *ud = check_udp(L);
    struct sockaddr_storage ss;
    bool known = ud->u && nm_udp_local(ud->u, &ss) == 0;
    net_push_peer(L, known ? (struct sockaddr *)&ss : NULL, true);
    return 2;
}

/* ttl([n]): sets unicast and multicast TTL together (Q33), returns the TTL. */
static int udp_ttl(lua_State *L)
{
    net_udp *ud = check_udp(L);
    if (ud->u == NULL)
        return luaL_error(L, "socket is not open/bound yet");
    if (!lua_isnoneornil(L, 2)) {
        lua_Integer ttl = luaL_checkinteger(L, 2);
        luaL_argcheck(L, ttl >= 1 && ttl <= 255, 2, "ttl out of range (1-255)");
        int r = nm_udp_set_ttl(ud->u, (int)ttl);
        if (r < 0)
            return luaL_error(L, "%s", uv_strerror(r));
    }
    int ttl = nm_udp_get_ttl(ud->u);
    if (ttl < 0)
        return luaL_error(L, "%s", uv_strerror(ttl));
    lua_pushinteger(L, ttl);
    return 1;
}

/* dns(host[, fn]): as the TCP socket's; the answer comes from the loop,
 * never inside the call (the firmware answers IP literals at once). */
static int udp_dns(lua_State *L)
{
    net_udp *ud = check_udp(L);
    size_t len;
    const char *host = luaL_checklstring(L, 2, &len);
    if (len > 128 && !nm_since(NM_ERA_2_2))
        return luaL_error(L, "need <128 domain");
    if (lua_isfunction(L, 3))
        nm_ref_set(L, &ud->cb[EV_DNS], 3);
    if (nm_since(NM_ERA_2_2) && ud->cb[EV_DNS] == LUA_NOREF)
        return luaL_error(L, "no callback specified");
    if (len == 0 || len > 255) /* refused by lwIP up front */
        return nm_since(NM_ERA_2_2) ? luaL_error(L, "illegal argument") : 0;
    if (ud->cb[EV_DNS] == LUA_NOREF)
        return 0; /* 1.5 without a callback: nothing could report the answer */
    nm_profile_lock();
    lookup_start(L, ud, host, 0, false);
    return 0;
}

/* hold/unhold: accepted on UDP objects with no effect, as on the device. */
static int udp_hold(lua_State *L)
{
    check_udp(L);
    return 0;
}

static int udp_gc(lua_State *L)
{
    net_udp *ud = lua_touserdata(L, 1);
    cancel_lookups(ud, false);
    for (int i = 0; i < EV_COUNT; i++)
        nm_ref_clear(L, &ud->cb[i]);
    if (ud->u) {
        nm_udp_close(ud->u);
        ud->u = NULL;
    }
    return 0;
}

static const luaL_Reg udp_methods[] = {
    {"listen", udp_listen}, {"connect", udp_connect}, {"send", udp_send},       {"on", udp_on},
    {"close", udp_close},   {"getpeer", udp_getpeer}, {"getaddr", udp_getaddr}, {"ttl", udp_ttl},
    {"dns", udp_dns},       {"hold", udp_hold},       {"unhold", udp_hold},     {NULL, NULL},
};

void net_udp_register(lua_State *L)
{
    udp_metatable = nm_register_type(L, NET_UDP_TYPE, udp_methods, udp_gc);
}

void net_udp_push_new(lua_State *L, net_udp_kind kind)
{
    net_udp *ud = lua_newuserdata(L, sizeof(*ud));
    memset(ud, 0, sizeof(*ud));
    ud->self_ref = LUA_NOREF;
    for (int i = 0; i < EV_COUNT; i++)
        ud->cb[i] = LUA_NOREF;
    ud->kind = (uint8_t)kind;
    luaL_setmetatable(L, NET_UDP_TYPE);
}

/* net.multicastJoin/Leave(if_ip, group): the 1.5 checks and texts; "" and
 * "any" mean every interface. IPv6 groups (and interface addresses) are an
 * extension, so their length check is IPv6's. OS failures are reported on
 * stderr, never raised: the firmware ignores them. */
static bool address_length_ok(const char *ip, size_t len)
{
    if (strchr(ip, ':'))
        return len >= 2 && len < INET6_ADDRSTRLEN;
    return len >= 7 && len <= 15; /* the firmware's dotted-quad bounds */
}

static int multicast(lua_State *L, bool join)
{
    size_t len;
    if (!lua_isstring(L, 1))
        return luaL_error(L, "wrong arg type");
    const char *if_ip = lua_tolstring(L, 1, &len);
    bool any = len == 0 || strcasecmp(if_ip, "any") == 0;
    if (!any && !address_length_ok(if_ip, len))
        return luaL_error(L, "invalid if ip");
    if (!lua_isstring(L, 2))
        return luaL_error(L, "wrong arg type");
    const char *group = lua_tolstring(L, 2, &len);
    if (!address_length_ok(group, len))
        return luaL_error(L, "invalid multicast ip");
    const char *iface = any ? NULL : if_ip;
    int r = join ? nm_udp_join(iface, group) : nm_udp_leave(iface, group);
    if (r == UV_EINVAL)
        fprintf(stderr, "netmcu: multicast%s: %s is not a multicast group address (ignored)\n", join ? "Join" : "Leave",
                group);
    else if (r == UV_EADDRNOTAVAIL)
        fprintf(stderr, "netmcu: multicast%s: no interface has the address %s (ignored)\n", join ? "Join" : "Leave",
                if_ip);
    else if (r < 0)
        fprintf(stderr, "netmcu: multicast%s(%s, %s): %s\n", join ? "Join" : "Leave", if_ip, group, uv_strerror(r));
    return 0;
}

int net_udp_multicast_join(lua_State *L)
{
    return multicast(L, true);
}

int net_udp_multicast_leave(lua_State *L)
{
    return multicast(L, false);
}
