/*
 * netself.h — the check of the object a net method is called on.
 *
 * The 1.5 module checks it as luaL_checkudata does: `bad argument #1 to
 * 'send' (net.socket expected, got string)`. From 2.2 on the lwIP-based
 * module checks it in net_get_udata_s and raises `invalid user data` for
 * anything but a net object of the method's kind (2.2.1, release:
 * app/modules/net.c): what a script sees when it calls a method with a dot,
 * as the 2.2 HTTP server module does in its disconnection callback.
 */
#ifndef NETMCU_NETSELF_H
#define NETMCU_NETSELF_H

#include "runtime/luacall.h"
#include "runtime/profile.h"

static inline void *net_check_self(lua_State *L, const void *mt, const char *tname)
{
    if (!nm_since(NM_ERA_2_2))
        return nm_check_self(L, mt, tname);
    void *self = nm_is_self(L, mt);
    if (self == NULL)
        luaL_error(L, "invalid user data");
    return self;
}

#endif
