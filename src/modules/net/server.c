/*
 * server.c — `net.server`: listening for TCP connections.
 *
 * docs/firmware-behaviour.md §5 (1.5 and 3.0). Unlike the 1.5
 * firmware, close() really stops listening and bind failures raise errors.
 */
#include "modules/net/server.h"

#include <stdio.h>
#include <string.h>

#include "core/tcp_server.h"
#include "runtime/device.h"
#include "runtime/luacall.h"
#include "core/netaddr.h"
#include "modules/net/netself.h"
#include "modules/net/netvalue.h"
#include "runtime/profile.h"
#include "modules/net/socket.h"

typedef struct net_server {
    nm_tcp_server *srv; /* NULL unless listening */
    int self_ref;       /* the anchor, held while listening */
    int accept_ref;     /* the listen() callback */
    unsigned timeout_s;
    char site[128]; /* the script line of listen(), for the device's warnings */
} net_server;

static const void *server_metatable;

/* Servers listening with a callback: the 1.5 firmware's "one TCP server". */
static unsigned servers_with_callback;

unsigned net_servers_with_callback(void)
{
    return servers_with_callback;
}

static net_server *check_server(lua_State *L)
{
    return net_check_self(L, server_metatable, NET_SERVER_TYPE);
}

typedef struct accept_call {
    nm_protected base;
    net_server *sv;
    nm_stream *stream;
    bool adopted;
} accept_call;

/* Makes the socket object and calls the listen callback, inside the
 * protected call: running out of Lua memory for the object is an error. */
static void accept_body(lua_State *L, nm_protected *ctx)
{
    accept_call *a = (accept_call *)ctx;
    nm_ref_push(L, a->sv->accept_ref);
    net_socket_push_accepted(L, a->stream);
    a->adopted = true;
    lua_pushvalue(L, -1);
    lua_insert(L, 1); /* the socket stays below the call, for what follows it */
    lua_call(L, 1, 0);
    /* 3.0: the accepted socket's own "connection" follows the listen callback. */
    if (nm_since(NM_ERA_2_2))
        net_socket_fire_connection(L, 1);
}

static void on_accepted(nm_tcp_server *srv, nm_stream *s)
{
    net_server *sv = srv->owner;
    lua_State *L = nm_lua_state();
    /* Without a listen callback the connection gets no Lua object: its data
     * is discarded until the inactivity timeout closes it, as on the device. */
    if (sv == NULL || L == NULL || sv->accept_ref == LUA_NOREF)
        return;
    accept_call a = {{accept_body}, sv, s, false};
    nm_lua_protect(L, &a.base);
    /* No object could be made (the error went the usual way): the
     * connection has no owner to serve it, so it ends now. */
    if (!a.adopted)
        nm_stream_abort(s, 0);
}

static void on_accept_failed(nm_tcp_server *srv, int status)
{
    struct sockaddr_storage ss;
    int port = nm_tcp_server_address(srv, &ss) == 0 ? nm_addr_port((struct sockaddr *)&ss) : 0;
    fprintf(stderr, "netmcu: accepting on port %d failed: %s (the server keeps listening)\n", port,
            uv_strerror(status));
}

/* --device=esp8266, 1.5: a connection past net.c's 5 per server was closed. */
static void on_refused(nm_tcp_server *srv)
{
    net_server *sv = srv->owner;
    if (sv != NULL)
        nm_device_warn(sv->site, "a 6th connection at once to this server was reset (the firmware "
                                 "accepts 5 per server)");
}

/* --device=esp8266: lwIP answers no SYN while 5 TCP connections are open. */
static void on_waiting(nm_tcp_server *srv)
{
    net_server *sv = srv->owner;
    if (sv != NULL)
        nm_device_warn(sv->site, "a connection to this server waits unaccepted while 5 TCP connections "
                                 "are open, servers' and clients' together (lwIP on the device "
                                 "answers no new connection until one ends)");
}

static const nm_tcp_server_events server_events = {
    .accepted = on_accepted,
    .accept_failed = on_accept_failed,
    .refused = on_refused,
    .waiting = on_waiting,
};

/* Binds and listens; 3.0 falls back to the wildcard when the script names an
 * address this host does not have (scripts often pass the ESP's own). */
static int start_listening(net_server *sv, nm_addr *addr, const char *ip, int port)
{
    sv->srv = nm_tcp_server_new(&server_events, sv, sv->timeout_s);
    if (sv->srv == NULL)
        return UV_ENOMEM;
    int r = nm_tcp_server_listen(sv->srv, &addr->sa);
    if (r == UV_EADDRNOTAVAIL) {
        fprintf(stderr, "netmcu: listen: this host has no address %s; listening on all addresses\n", ip);
        nm_tcp_server_close(sv->srv, NM_KEEP_ACCEPTED);
        nm_addr_wildcard(ip, port, addr);
        sv->srv = nm_tcp_server_new(&server_events, sv, sv->timeout_s);
        r = sv->srv ? nm_tcp_server_listen(sv->srv, &addr->sa) : UV_ENOMEM;
    }
    if (r < 0 && sv->srv) {
        nm_tcp_server_close(sv->srv, NM_KEEP_ACCEPTED);
    }
    if (r < 0)
        sv->srv = NULL;
    return r;
}

static int server_listen(lua_State *L)
{
    net_server *sv = check_server(L);
    lua_Integer port = 0;
    int arg = 2;
    if (!nm_since(NM_ERA_2_2) || lua_type(L, 2) == LUA_TNUMBER) {
        port = luaL_checkinteger(L, 2);
        arg = 3;
    }
    luaL_argcheck(L, port >= 0 && port <= 65535, 2, "port out of range");
    const char *ip = NULL;
    if (lua_isstring(L, arg))
        ip = lua_tostring(L, arg++);
    else if (lua_isnil(L, arg))
        arg++; /* listen(80, nil, fn) keeps fn, unlike the 1.5 firmware */
    if (sv->srv)
        return luaL_error(L, "already listening");
    nm_addr addr;
    if (nm_since(NM_ERA_2_2) && ip) {
        if (!nm_addr_parse(ip, (int)port, &addr))
            return luaL_error(L, "invalid IP address");
    } else {
        /* 1.5 binds all addresses whatever ip says, of ip's family. */
        nm_addr_wildcard(ip, (int)port, &addr);
    }
    nm_profile_lock();
    int r = start_listening(sv, &addr, ip, (int)port);
    if (r < 0)
        return net_raise_bind_error(L, r, (int)port);
    if (nm_device_esp8266()) {
        nm_device_site(L, sv->site, sizeof sv->site);
        if (!nm_since(NM_ERA_2_2)) /* 2.2's net.c has no table of 5 sockets per server */
            nm_tcp_server_limit(sv->srv, NM_ESP8266_SERVER_CONNS);
    }
    if (lua_isfunction(L, arg)) {
        nm_ref_set(L, &sv->accept_ref, arg);
        servers_with_callback++;
    }
    if (sv->self_ref == LUA_NOREF)
        nm_ref_set(L, &sv->self_ref, 1);
    return 0;
}

static void stop_listening(lua_State *L, net_server *sv, nm_accepted_fate fate)
{
    if (sv->srv == NULL)
        return;
    nm_tcp_server_close(sv->srv, fate);
    sv->srv = NULL;
    if (sv->accept_ref != LUA_NOREF)
        servers_with_callback--;
    nm_ref_clear(L, &sv->accept_ref);
    nm_ref_clear(L, &sv->self_ref);
}

static int server_close(lua_State *L)
{
    /* 1.5 closes the accepted connections too; 3.0 leaves them open. */
    stop_listening(L, check_server(L), nm_since(NM_ERA_2_2) ? NM_KEEP_ACCEPTED : NM_CLOSE_ACCEPTED);
    return 0;
}

static int server_getaddr(lua_State *L)
{
    net_server *sv = check_server(L);
    struct sockaddr_storage ss;
    bool known = sv->srv && nm_tcp_server_address(sv->srv, &ss) == 0;
    net_push_peer(L, known ? (struct sockaddr *)&ss : NULL, true);
    return 2;
}

/* on() exists for UDP servers; a TCP server checks the arguments, then refuses. */
static int server_on(lua_State *L)
{
    check_server(L);
    luaL_checkstring(L, 2);
    if (!(nm_since(NM_ERA_2_2) && lua_isnil(L, 3)))
        nm_check_any_function(L, 3);
    return luaL_error(L, nm_since(NM_ERA_2_2) ? "invalid callback name" : "method not supported");
}

static int server_send(lua_State *L)
{
    check_server(L);
    return luaL_error(L, "tcp server send not supported");
}

static int server_gc(lua_State *L)
{
    net_server *sv = lua_touserdata(L, 1);
    stop_listening(L, sv, NM_ABORT_ACCEPTED);
    nm_ref_clear(L, &sv->accept_ref);
    return 0;
}

static const luaL_Reg server_methods[] = {
    {"listen", server_listen}, {"close", server_close}, {"getaddr", server_getaddr},
    {"on", server_on},         {"send", server_send},   {NULL, NULL},
};

void net_server_register(lua_State *L)
{
    server_metatable = nm_register_type(L, NET_SERVER_TYPE, server_methods, server_gc);
}

void net_server_push_new(lua_State *L, unsigned timeout_s)
{
    net_server *sv = lua_newuserdata(L, sizeof(*sv));
    sv->srv = NULL;
    sv->self_ref = LUA_NOREF;
    sv->accept_ref = LUA_NOREF;
    sv->timeout_s = timeout_s;
    luaL_setmetatable(L, NET_SERVER_TYPE);
}
