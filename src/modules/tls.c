/*
 * tls.c — the `tls` module of the 3.0 firmware (docs/firmware-behaviour.md §9.3):
 * tls.createConnection() → tls.socket, tls.cert.verify/auth, tls.setDebug.
 *
 * A tls.socket is a secure socket of the net binding with the tls module's
 * rules (socket.c); tls.cert shares net.cert's settings and store (cert.c).
 */
#include "modules/net/cert.h"
#include "modules/net/socket.h"
#include "runtime/luacall.h"
#include "runtime/modules.h"
#include "runtime/plugin.h"
#include "runtime/profile.h"

/* tls.createConnection(): arguments are ignored, as in the firmware. */
static int tls_createConnection(lua_State *L)
{
    nm_plugin_need(L, NM_PLUGIN_SSL, "tls.createConnection");
    nm_profile_lock();
    net_socket_push_tls(L);
    return 1;
}

/* tls.setDebug(n): mbedTLS's debug threshold in debug builds; OpenSSL has
 * no such switch, so it only checks its argument. */
static int tls_setDebug(lua_State *L)
{
    luaL_checkinteger(L, 1);
    return 0;
}

static const luaL_Reg tls_functions[] = {
    {"createConnection", tls_createConnection},
    {"setDebug", tls_setDebug},
    {NULL, NULL},
};

int luaopen_tls(lua_State *L)
{
    nm_lua_init(L);
    net_socket_register_tls(L);
    luaL_newlib(L, tls_functions);
    net_cert_push_table(L, true);
    lua_setfield(L, -2, "cert");
    return 1;
}

/* require "net.tls" finds this in net.so (Lua's all-in-one loader). */
int luaopen_net_tls(lua_State *L)
{
    return nm_require_board_module(L, "tls");
}
