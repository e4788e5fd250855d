/*
 * dns.c — `net.dns`: resolve, getdnsserver, setdnsserver (docs/firmware-behaviour.md
 * §8), on the core resolver (core/dns.h).
 */
#include "modules/net/dns.h"

#include <arpa/inet.h>
#include <stdlib.h>

#include "core/dns.h"
#include "runtime/luacall.h"
#include "runtime/profile.h"
#include "modules/net/netvalue.h"
#include "modules/net/socket.h"

void net_dns_push_answer(lua_State *L, const struct sockaddr *addr)
{
    if (addr == NULL)
        lua_pushnil(L);
    else if (addr->sa_family == AF_INET && ((const struct sockaddr_in *)addr)->sin_addr.s_addr == 0)
        lua_pushliteral(L, ""); /* the firmware's answer for 0.0.0.0 */
    else
        net_push_ip(L, addr);
}

int net_dns_err_code(int status)
{
    switch (status) {
    case NM_DNS_TIMEOUT: return -3;  /* ERR_TIMEOUT */
    case NM_DNS_BADNAME: return -12; /* ERR_ARG */
    case NM_DNS_NOMEM: return -1;    /* ERR_MEM */
    default: return -4;              /* ERR_RTE: no route to a name without address */
    }
}

/* A 2.2 and 3.0 resolve: the callback waits in the registry of the state that asked
 * (a state closed meanwhile never hears back; another may have replaced it). */
typedef struct resolve_request {
    lua_State *L;
    int fn_ref;
} resolve_request;

typedef struct resolve_call {
    nm_protected base;
    resolve_request *req;
    const struct sockaddr *addr;
} resolve_call;

static void resolve_body(lua_State *L, nm_protected *ctx)
{
    resolve_call *c = (resolve_call *)ctx;
    nm_ref_push(L, c->req->fn_ref);
    lua_pushnil(L); /* 2.2 and 3.0 pass nil where 1.5 passed a socket */
    net_dns_push_answer(L, c->addr);
    lua_call(L, 2, 0);
}

static void resolve_answered(void *owner, int status, const struct sockaddr *addr)
{
    resolve_request *req = owner;
    lua_State *L = nm_lua_state();
    if (L != NULL && L == req->L && status != NM_DNS_CANCELLED) {
        resolve_call c = {{resolve_body}, req, addr};
        nm_lua_protect(L, &c.base);
        nm_ref_clear(L, &req->fn_ref);
    }
    free(req);
}

static int resolve_30(lua_State *L)
{
    size_t len;
    const char *host = luaL_checklstring(L, 1, &len);
    if (nm_since(NM_ERA_3_0))
        luaL_checktype(L, 2, LUA_TFUNCTION);
    else
        nm_check_any_function(L, 2); /* 2.2's eLua check */
    if (len == 0 || len > 255)       /* what lwIP refuses up front */
        return luaL_error(L, "illegal argument");
    resolve_request *req = malloc(sizeof(*req));
    if (req == NULL)
        return luaL_error(L, "not enough memory");
    req->L = nm_lua_state();
    req->fn_ref = LUA_NOREF;
    nm_ref_set(L, &req->fn_ref, 2);
    if (nm_dns_resolve(host, 0, resolve_answered, req) == NULL) {
        nm_ref_clear(L, &req->fn_ref);
        free(req);
        return luaL_error(L, "not enough memory");
    }
    return 0;
}

/* 1.5: a throw-away socket does the lookup, and is the callback's first argument. */
static int resolve_15(lua_State *L)
{
    if (!lua_isstring(L, 1))
        return luaL_error(L, "wrong parameter type (domain)");
    lua_settop(L, 2);
    nm_profile_lock();
    net_socket_push_new(L, false);
    lua_getfield(L, -1, "dns");
    lua_pushvalue(L, -2);
    lua_pushvalue(L, 1);
    lua_pushvalue(L, 2);
    lua_call(L, 3, 0);
    return 0;
}

static int dns_resolve(lua_State *L)
{
    return nm_since(NM_ERA_2_2) ? resolve_30(L) : resolve_15(L);
}

static int check_slot(lua_State *L, int arg)
{
    lua_Integer slot = luaL_optinteger(L, arg, 0);
    if (slot >= NM_DNS_SERVERS)
        luaL_error(L, "server index out of range [0-%d]", NM_DNS_SERVERS - 1);
    return slot < 0 ? -1 : (int)slot; /* negative: ignored, as on the device */
}

static int dns_getdnsserver(lua_State *L)
{
    int slot = check_slot(L, 1);
    struct sockaddr_storage ss;
    if (slot >= 0 && nm_dns_get_server(slot, &ss))
        net_push_ip(L, (struct sockaddr *)&ss);
    else
        lua_pushnil(L);
    return 1;
}

static int dns_setdnsserver(lua_State *L)
{
    size_t len;
    const char *ip = luaL_checklstring(L, 1, &len);
    struct sockaddr_in in = {.sin_family = AF_INET};
    if (len > 16 || !inet_aton(ip, &in.sin_addr) || in.sin_addr.s_addr == htonl(INADDR_ANY) ||
        in.sin_addr.s_addr == htonl(INADDR_NONE))
        return luaL_error(L, "invalid dns server ip");
    int slot = check_slot(L, 2);
    if (slot >= 0)
        nm_dns_set_server(slot, (struct sockaddr *)&in);
    return 0;
}

static const luaL_Reg dns_functions[] = {
    {"resolve", dns_resolve},
    {"getdnsserver", dns_getdnsserver},
    {"setdnsserver", dns_setdnsserver},
    {NULL, NULL},
};

void net_dns_push_table(lua_State *L)
{
    luaL_newlib(L, dns_functions);
}
