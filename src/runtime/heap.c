/*
 * heap.c — the budgeted allocator.
 *
 * When the state was not made here (net.so loaded by a plain interpreter, or
 * a LuaJIT that refuses custom allocators) the numbers come from the
 * collector's own count against the default budget, and nothing is enforced.
 */
#include "runtime/heap.h"

#include <stdio.h>
#include <stdlib.h>

static size_t budget = NM_HEAP_DEFAULT;
static size_t used;

size_t nm_heap_parse(const char *text)
{
    char *end;
    unsigned long long n = strtoull(text, &end, 10);
    switch (*end) {
    case 'k':
    case 'K':
        n <<= 10;
        end++;
        break;
    case 'm':
    case 'M':
        n <<= 20;
        end++;
        break;
    case 'g':
    case 'G':
        n <<= 30;
        end++;
        break;
    default: break;
    }
    return (*end == '\0' && end != text) ? (size_t)n : 0;
}

/* Lua's allocator contract: free on nsize 0; osize is meaningless for NULL. */
static void *budget_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    (void)ud;
    if (ptr == NULL)
        osize = 0;
    if (nsize == 0) {
        free(ptr);
        used -= osize;
        return NULL;
    }
    if (nsize > osize && used + (nsize - osize) > budget)
        return NULL;
    void *p = realloc(ptr, nsize);
    if (p != NULL)
        used = used - osize + nsize;
    return p;
}

static int panic(lua_State *L)
{
    const char *msg = lua_tostring(L, -1);
    fprintf(stderr, "netmcu: unprotected error: %s\n", msg ? msg : "?");
    return 0; /* Lua aborts */
}

lua_State *nm_heap_newstate(size_t limit)
{
    budget = limit ? limit : NM_HEAP_DEFAULT;
    lua_State *L = lua_newstate(budget_alloc, NULL);
    if (L == NULL)
        return luaL_newstate(); /* LuaJIT without GC64 allows only its own allocator */
    lua_atpanic(L, panic);
    return L;
}

size_t nm_heap_used(lua_State *L)
{
    void *ud;
    if (lua_getallocf(L, &ud) == budget_alloc)
        return used;
    return (size_t)lua_gc(L, LUA_GCCOUNT, 0) * 1024 + (size_t)lua_gc(L, LUA_GCCOUNTB, 0);
}

size_t nm_heap_free(lua_State *L)
{
    size_t held = nm_heap_used(L);
    return held < budget ? budget - held : 0;
}

void nm_heap_leave_free(lua_State *L, size_t bytes)
{
    void *ud;
    if (lua_getallocf(L, &ud) == budget_alloc)
        budget = used + bytes;
}
