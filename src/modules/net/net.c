/*
 * net.c — the `net` module table: constants, constructors and net.run().
 */
#include <stdio.h>
#include <string.h>

#include "core/loop.h"
#include "runtime/device.h"
#include "runtime/luacall.h"
#include "runtime/modules.h"
#include "runtime/output.h"
#include "runtime/plugin.h"
#include "runtime/profile.h"
#include "modules/net/cert.h"
#include "modules/net/dns.h"
#include "modules/net/server.h"
#include "modules/net/socket.h"
#include "modules/net/udp.h"

#define NET_TCP 16 /* ESPCONN_TCP, the seed firmware's values */
#define NET_UDP 32

/* net.run([mode]): runs the loop ("default" until idle, "once", "nowait").
 * Raises the first unhandled callback error, so a plain `lua` exits non-zero. */
static int net_run(lua_State *L)
{
    static const char *const modes[] = {"default", "once", "nowait", NULL};
    static const uv_run_mode uv_modes[] = {UV_RUN_DEFAULT, UV_RUN_ONCE, UV_RUN_NOWAIT};
    int mode = luaL_checkoption(L, 1, "default", modes);
    int alive = nm_loop_run(uv_modes[mode]);
    if (alive == UV_EBUSY)
        return luaL_error(L, "net.run: the loop is already running (called from a callback)");
    if (nm_lua_failed()) {
        lua_pushstring(L, nm_lua_failure());
        nm_lua_clear_failure();
        return lua_error(L);
    }
    lua_pushboolean(L, alive != 0);
    return 1;
}

/* A function given after the documented arguments is called with the new
 * object — on the next loop turn, not inside the constructor (the firmware
 * calls it at once; nothing can have happened to the object in between). */
static void call_initializer(lua_State *L, int fn_idx)
{
    if (!lua_isfunction(L, fn_idx))
        return;
    lua_pushvalue(L, fn_idx);
    lua_pushvalue(L, -2);
    nm_lua_call_later(L, 1);
}

/* The 2.x firmware's console warning for the forms it kept for a transition
 * (docs/firmware-behaviour.md §4.1); 3.0 takes them silently. */
static void deprecated(const char *what)
{
    if (!nm_since(NM_ERA_2_2) || nm_since(NM_ERA_3_0))
        return;
    char text[160];
    int n = snprintf(text, sizeof text,
                     "Warning, deprecated API! %s. It will be removed in next version. "
                     "See documentation for details.\n",
                     what);
    nm_output_write(text, (size_t)n, true);
}

/* The protocol argument: 1.5 requires it, 2.2 on defaults to TCP (§4.1, C2). */
static int check_type(lua_State *L)
{
    if (nm_since(NM_ERA_2_2) && lua_isnoneornil(L, 1))
        return NET_TCP;
    lua_Integer type = luaL_checkinteger(L, 1);
    if (type != NET_TCP && type != NET_UDP)
        luaL_error(L, nm_since(NM_ERA_2_2) ? "invalid type" : "wrong arg type");
    return (int)type;
}

static int net_createConnection(lua_State *L)
{
    int type = check_type(L);
    int next = 2;
    bool secure = false;
    if (lua_type(L, 2) == LUA_TNUMBER || (lua_type(L, 2) == LUA_TSTRING && lua_isnumber(L, 2))) {
        lua_Number n = lua_tonumber(L, 2);
        if (n != 0 && n != 1)
            return luaL_error(L, "wrong arg type");
        secure = n == 1;
        next = 3;
    } else if (lua_isboolean(L, 2)) {
        secure = lua_toboolean(L, 2);
        next = 3;
    }
    if (type == NET_UDP) { /* secure means nothing for UDP (seed net.md) */
        deprecated("net.createConnection with net.UDP type");
        nm_profile_lock();
        net_udp_push_new(L, NET_UDP_CLIENT);
        call_initializer(L, next);
        return 1;
    }
    if (secure) {
        nm_plugin_need(L, NM_PLUGIN_SSL, "net.createConnection");
        deprecated("net.createConnection with secure flag");
    }
    nm_profile_lock();
    net_socket_push_new(L, secure);
    call_initializer(L, next);
    return 1;
}

/* --device=esp8266, 1.5: net.c keeps one TCP server (while its listen
 * callback is set) and one UDP server (while it is bound); a second raises. */
static bool one_server_only(void)
{
    return nm_device_esp8266() && !nm_since(NM_ERA_2_2);
}

static int second_server_error(lua_State *L, const char *text)
{
    char site[128];
    nm_device_site(L, site, sizeof site);
    nm_device_warn(site, "a second net.createServer() of a protocol: the 1.5 firmware keeps one TCP "
                         "server and one UDP server at a time");
    return luaL_error(L, "%s", text);
}

/* createServer(type[, timeout][, fn]); 3.0 also takes createServer([timeout])
 * and createServer(type) (docs/firmware-behaviour.md §4.2). */
static int net_createServer(lua_State *L)
{
    lua_Integer timeout = 30;
    int next = 2;
    if (nm_since(NM_ERA_3_0) && lua_isnumber(L, 1) && lua_isnoneornil(L, 2) && lua_tointeger(L, 1) != NET_TCP &&
        lua_tointeger(L, 1) != NET_UDP) {
        timeout = lua_tointeger(L, 1);
    } else if (check_type(L) == NET_UDP) { /* no timeout for UDP: only fn is looked for */
        deprecated("net.createServer with net.UDP type");
        nm_profile_lock();
        if (one_server_only() && net_udp_servers_anchored() > 0)
            return second_server_error(L, "only one udp server allowed");
        net_udp_push_new(L, NET_UDP_SERVER);
        call_initializer(L, 2);
        return 1;
    } else {
        if (lua_isnumber(L, 2)) {
            timeout = lua_tointeger(L, 2);
            next = 3;
        }
    }
    if (timeout < 1 || timeout > 28800)
        return luaL_error(L, "wrong arg type"); /* the firmware's text for the 1…28800 check */
    nm_profile_lock();
    if (one_server_only() && net_servers_with_callback() > 0)
        return second_server_error(L, "only one tcp server allowed");
    net_server_push_new(L, (unsigned)timeout);
    call_initializer(L, next);
    return 1;
}

static int net_createUDPSocket(lua_State *L)
{
    nm_profile_lock();
    net_udp_push_new(L, NET_UDP_SOCKET);
    return 1;
}

static const luaL_Reg net_functions[] = {
    {"createConnection", net_createConnection},
    {"createServer", net_createServer},
    {"createUDPSocket", net_createUDPSocket},
    {"multicastJoin", net_udp_multicast_join},
    {"multicastLeave", net_udp_multicast_leave},
    {"run", net_run},
    {NULL, NULL},
};

int luaopen_net(lua_State *L)
{
    nm_lua_init(L);
    net_socket_register(L);
    net_server_register(L);
    net_udp_register(L);
    luaL_newlib(L, net_functions);
    lua_pushinteger(L, NET_TCP);
    lua_setfield(L, -2, "TCP");
    lua_pushinteger(L, NET_UDP);
    lua_setfield(L, -2, "UDP");
    net_dns_push_table(L);
    lua_setfield(L, -2, "dns");
    lua_pushstring(L, NETMCU_VERSION);
    lua_setfield(L, -2, "version");
    net_cert_push_table(L, false);
    lua_setfield(L, -2, "cert");
    return 1;
}
