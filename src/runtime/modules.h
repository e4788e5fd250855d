/*
 * modules.h — the Lua modules netmcu provides, for the runner and for require.
 */
#ifndef NETMCU_MODULES_H
#define NETMCU_MODULES_H

#include "runtime/compat.h"

#define NETMCU_VERSION "0.1.0"

int luaopen_net(lua_State *L);
int luaopen_tmr(lua_State *L);
int luaopen_node(lua_State *L);
int luaopen_uart(lua_State *L);
int luaopen_file(lua_State *L);
int luaopen_bit(lua_State *L);
int luaopen_struct(lua_State *L);
int luaopen_crypto(lua_State *L);
int luaopen_adc(lua_State *L);
int luaopen_pwm(lua_State *L);
int luaopen_rtcmem(lua_State *L);
/* require "net.bit" and the other small modules with net.so */
int luaopen_net_bit(lua_State *L);
int luaopen_net_struct(lua_State *L);
int luaopen_net_crypto(lua_State *L);
int luaopen_net_adc(lua_State *L);
int luaopen_net_pwm(lua_State *L);
int luaopen_net_rtcmem(lua_State *L);
int luaopen_encoder(lua_State *L);
int luaopen_net_encoder(lua_State *L); /* require "net.encoder" with net.so */
int luaopen_pipe(lua_State *L);        /* 3.0 profile only */
int luaopen_control(lua_State *L);
int luaopen_gpio(lua_State *L);
int luaopen_wifi(lua_State *L);
int luaopen_tls(lua_State *L); /* 2.2 and 3.0 profiles */
int luaopen_http(lua_State *L);
int luaopen_net_http(lua_State *L); /* require "net.http" with net.so */
int luaopen_cjson(lua_State *L);    /* 1.5 profile only */
int luaopen_net_cjson(lua_State *L);
int luaopen_sjson(lua_State *L); /* since 2.2 */
int luaopen_net_sjson(lua_State *L);
int luaopen_rtctime(lua_State *L);
int luaopen_net_rtctime(lua_State *L);
int luaopen_sntp(lua_State *L);
int luaopen_net_sntp(lua_State *L);
int luaopen_mqtt(lua_State *L);
int luaopen_net_mqtt(lua_State *L); /* require "net.mqtt" with net.so */

/* require "net.NAME" finds luaopen_net_NAME in net.so (Lua's all-in-one
 * loader): the board's modules for a plain Lua interpreter, no globals made. */
int luaopen_net_tmr(lua_State *L);
int luaopen_net_node(lua_State *L);
int luaopen_net_file(lua_State *L);
int luaopen_net_uart(lua_State *L);
int luaopen_net_pipe(lua_State *L); /* 3.0 profile only */
int luaopen_net_tls(lua_State *L);  /* 3.0 profile only */

/* Opens the board module `name` for require: raises an error naming the era
 * it came in when the profile in force predates it (as the runner would not
 * have it as a global), else returns what its luaopen returns. */
int nm_require_board_module(lua_State *L, const char *name);

/* Opens every module of the profile in force as a global (the table in
 * modules.c says which era has which module). */
void nm_open_board_modules(lua_State *L);

/* Pushes the firmware modules present as globals, comma-separated as the
 * firmware's build information lists them ("file,net,node,tmr"). */
void nm_push_module_list(lua_State *L);

/* Opens a module as require would and also stores it in the global `name`. */
static inline void nm_open_global(lua_State *L, const char *name, lua_CFunction open)
{
#if LUA_VERSION_NUM >= 502
    luaL_requiref(L, name, open, 1);
    lua_pop(L, 1);
#else
    lua_pushcfunction(L, open);
    lua_pushstring(L, name);
    lua_call(L, 1, 1);
    lua_getglobal(L, "package");
    lua_getfield(L, -1, "loaded");
    lua_pushvalue(L, -3);
    lua_setfield(L, -2, name);
    lua_pop(L, 2);
    lua_setglobal(L, name);
#endif
}

#endif
