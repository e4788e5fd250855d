#include "runtime/shared_ref.h"

#include <stdbool.h>
#include <stdint.h>

/* Functions currently shared, with their reference and holder count (never
 * 0: an entry goes with its last holder). */
#define SHARED_MAX 8
typedef struct shared_entry {
    const void *value;
    int ref;
    uint32_t holders;
} shared_entry;
static shared_entry shared[SHARED_MAX];
static unsigned shared_count;

/* Values recently given an ordinary reference: set once more while they are
 * remembered here, a value becomes shared. An address may be stale (its value
 * collected, the memory reused): that only shares the new value early. */
#define RECENT_MAX 8
static const void *recent[RECENT_MAX];
static unsigned recent_next;

void nm_shared_refs_reset(void)
{
    shared_count = 0;
    for (unsigned i = 0; i < RECENT_MAX; i++)
        recent[i] = NULL;
}

static shared_entry *by_value(const void *value)
{
    for (unsigned i = 0; i < shared_count; i++)
        if (shared[i].value == value)
            return &shared[i];
    return NULL;
}

static shared_entry *by_ref(int ref)
{
    for (unsigned i = 0; i < shared_count; i++)
        if (shared[i].ref == ref)
            return &shared[i];
    return NULL;
}

/* True (and forgotten) when value was recently referenced: it is shared now. */
static bool take_recent(const void *value)
{
    for (unsigned i = 0; i < RECENT_MAX; i++) {
        if (recent[i] == value) {
            recent[i] = NULL;
            return true;
        }
    }
    recent[recent_next] = value;
    recent_next = (recent_next + 1) % RECENT_MAX;
    return false;
}

void nm_shared_ref_clear(lua_State *L, int *ref)
{
    if (*ref != LUA_NOREF && *ref != LUA_REFNIL) {
        shared_entry *e = by_ref(*ref);
        if (e == NULL) {
            luaL_unref(L, LUA_REGISTRYINDEX, *ref);
        } else if (--e->holders == 0) {
            luaL_unref(L, LUA_REGISTRYINDEX, e->ref);
            *e = shared[--shared_count];
        }
    }
    *ref = LUA_NOREF;
}

void nm_shared_ref_set(lua_State *L, int *ref, int idx)
{
    const void *value = lua_topointer(L, idx); /* NULL for values without identity */
    shared_entry *e = value ? by_value(value) : NULL;
    if (e && e->ref == *ref)
        return; /* set again, as send(data, fn) does on each call */
    if (e) {
        int ref_shared = e->ref;
        e->holders++; /* first: releasing the old reference may move entries */
        nm_shared_ref_clear(L, ref);
        *ref = ref_shared;
        return;
    }
    lua_pushvalue(L, idx);
    int made = luaL_ref(L, LUA_REGISTRYINDEX); /* may raise: nothing changed yet */
    nm_shared_ref_clear(L, ref);
    if (value && shared_count < SHARED_MAX && take_recent(value))
        shared[shared_count++] = (shared_entry){value, made, 1};
    *ref = made;
}
