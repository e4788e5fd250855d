/*
 * netvalue.c — addresses and error codes as Lua values.
 */
#include "modules/net/netvalue.h"

#include <arpa/inet.h>
#include <uv.h>

#include "core/netaddr.h"

void net_push_ip(lua_State *L, const struct sockaddr *sa)
{
    char text[INET6_ADDRSTRLEN] = "";
    if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, text, sizeof(text));
    else
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, text, sizeof(text));
    lua_pushstring(L, text);
}

void net_push_peer(lua_State *L, const struct sockaddr *sa, bool port_first)
{
    int port = sa ? nm_addr_port(sa) : 0;
    if (port == 0) {
        lua_pushnil(L);
        lua_pushnil(L);
    } else if (port_first) {
        lua_pushinteger(L, port);
        net_push_ip(L, sa);
    } else {
        net_push_ip(L, sa);
        lua_pushinteger(L, port);
    }
}

void net_push_tls_reason(lua_State *L, int code)
{
    const char *reason = nm_err_tls_reason(code);
    if (reason)
        lua_pushstring(L, reason);
    else
        lua_pushnil(L);
}

int net_raise_bind_error(lua_State *L, int status, int port)
{
    if (status == UV_EADDRINUSE)
        return luaL_error(L, "address in use");
    if (status == UV_EACCES)
        return luaL_error(L, "permission denied: port %d needs privileges", port);
    return luaL_error(L, "%s", uv_strerror(status));
}
