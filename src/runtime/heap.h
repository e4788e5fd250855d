/*
 * heap.h — the Lua allocator with a budget, behind node.heap().
 *
 * The device has some 40 KB of heap and scripts check node.heap() before
 * big allocations. Here the Lua state allocates under a budget (256 MiB by
 * default, `--heap=SIZE` or NETMCU_HEAP): an allocation past it fails with
 * Lua's "not enough memory", and node.heap() reports what is left of it.
 */
#ifndef NETMCU_HEAP_H
#define NETMCU_HEAP_H

#include <stddef.h>

#include "runtime/compat.h"

#define NM_HEAP_DEFAULT ((size_t)256 << 20)

/* Parses "65536", "512k", "64m" or "1g"; 0 for anything else. */
size_t nm_heap_parse(const char *text);
/* A new Lua state whose allocations count against budget bytes. */
lua_State *nm_heap_newstate(size_t budget);
/* Bytes the state may still allocate (budget minus what it holds). */
size_t nm_heap_free(lua_State *L);
/* Sets the budget so that `bytes` are left free now (the device's heap at
 * boot); nothing when the state does not use the budgeted allocator. */
void nm_heap_leave_free(lua_State *L, size_t bytes);
/* Bytes the state holds now. */
size_t nm_heap_used(lua_State *L);

#endif
