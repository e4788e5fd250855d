/*
 * device.c — the device profile (device.h).
 */
#include "runtime/device.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rxchunk.h"
#include "core/tcp_server.h"
#include "runtime/heap.h"

static bool esp8266;

typedef struct warned {
    struct warned *next;
    char key[]; /* "SITE\nTEXT" */
} warned;
static warned *warned_list;

bool nm_device_select(const char *name)
{
    if (strcmp(name, "esp8266") == 0)
        esp8266 = true;
    else if (strcmp(name, "host") == 0)
        esp8266 = false;
    else
        return false;
    if (esp8266)
        nm_rxchunk_default(NM_ESP8266_SEGMENT);
    nm_tcp_connections_limit(esp8266 ? NM_ESP8266_TCP_CONNS : 0);
    return true;
}

bool nm_device_esp8266(void)
{
    return esp8266;
}

void nm_device_open(lua_State *L)
{
    if (!esp8266)
        return;
    nm_heap_leave_free(L, NM_ESP8266_FREE_HEAP);
    nm_gc_like_the_firmware(L); /* in 40 KB, garbage must not make an allocation fail */
}

void nm_device_site(lua_State *L, char *out, size_t size)
{
    lua_Debug ar;
    for (int level = 0; L != NULL && lua_getstack(L, level, &ar); level++) {
        if (lua_getinfo(L, "Sl", &ar) && ar.currentline > 0) {
            snprintf(out, size, "%s:%d", ar.short_src, ar.currentline);
            return;
        }
    }
    snprintf(out, size, "-");
}

void nm_device_warn(const char *site, const char *text)
{
    size_t n = strlen(site) + 1 + strlen(text) + 1;
    for (warned *w = warned_list; w != NULL; w = w->next) {
        if (strlen(w->key) + 1 == n && strncmp(w->key, site, strlen(site)) == 0 && w->key[strlen(site)] == '\n' &&
            strcmp(w->key + strlen(site) + 1, text) == 0)
            return;
    }
    fprintf(stderr, "netmcu: esp8266: %s: %s\n", site, text);
    warned *w = malloc(sizeof *w + n);
    if (w == NULL)
        return; /* the warning may come again: harmless */
    snprintf(w->key, n, "%s\n%s", site, text);
    w->next = warned_list;
    warned_list = w;
}
