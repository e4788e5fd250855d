/*
 * shared_ref.h — registry references for callbacks that many objects share.
 *
 * A server's connections usually get the same `receive` function, and a
 * registry reference each costs a slot of luaL_ref's array (16 B on 64-bit,
 * 32 B counted with the array's doubling). A function set on a second object
 * while the first still holds it gets one reference that every later holder
 * shares, counted. The table of shared functions is small and fixed: a new
 * closure per connection (the other common style) keeps ordinary references
 * and costs nothing more. A slot set here is released with
 * nm_shared_ref_clear, never with nm_ref_set or nm_ref_clear, and its value is
 * never written through the reference (other objects read it).
 */
#ifndef NETMCU_SHARED_REF_H
#define NETMCU_SHARED_REF_H

#include "runtime/compat.h"

/* *ref becomes a reference to the value at idx, releasing what it held. */
void nm_shared_ref_set(lua_State *L, int *ref, int idx);
/* Releases *ref (LUA_NOREF is a no-op) and sets it to LUA_NOREF. */
void nm_shared_ref_clear(lua_State *L, int *ref);
/* Forgets every shared reference: a new Lua state begins (luacall.c). */
void nm_shared_refs_reset(void);

#endif
