/*
 * sendbuf.c — the firmware's TCP send buffer under --device=esp8266 (sendbuf.h).
 */
#include "modules/net/sendbuf.h"

#include <stdio.h>
#include <stdlib.h>

#include "runtime/device.h"
#include "runtime/profile.h"

static unsigned segments_of(size_t len)
{
    return (unsigned)((len + NM_ESP8266_SEGMENT - 1) / NM_ESP8266_SEGMENT);
}

static void warn(lua_State *L, const char *text)
{
    char site[128];
    nm_device_site(L, site, sizeof site);
    nm_device_warn(site, text);
}

/* Room in the buffer and in its segment queue for len more bytes. */
static bool room_for(const nm_sendbuf *b, size_t len)
{
    return b->bytes + len <= NM_ESP8266_SEND_BUFFER && b->segments + segments_of(len) <= NM_SENDBUF_SLOTS;
}

/* 1.5's espconn copies what fits and keeps the rest of the send to copy as
 * acknowledgements free room; while a rest waits (or 8 segments do), every
 * further send is refused, and net.c ignores the refusal. */
static nm_send_fit check_1_5(lua_State *L, const nm_sendbuf *b, size_t len)
{
    if (len > NM_ESP8266_PAYLOAD) {
        warn(L, "a send() of more than 1460 bytes: the 1.5 firmware raises 'need <1460 payload'");
        luaL_error(L, "need <1460 payload");
    }
    if (b->bytes > NM_ESP8266_SEND_BUFFER || b->segments >= NM_SENDBUF_SLOTS) {
        warn(L, "a send() while earlier ones still fill the 2920-byte send buffer was dropped, with no "
                "'sent' (the 1.5 firmware drops it silently: send the next piece from the 'sent' callback)");
        return NM_SEND_DROPPED;
    }
    return NM_SEND_FITS;
}

/* 2.2/3.0 hand the send to tcp_write, which takes all or nothing. */
static void check_2_2(lua_State *L, const nm_sendbuf *b, size_t len)
{
    if (room_for(b, len))
        return;
    warn(L, "a send() that does not fit the free part of the 2920-byte send buffer (lwIP's TCP_SND_BUF, "
            "8 segments): the firmware raises 'out of memory' (send the next piece from the 'sent' callback)");
    luaL_error(L, "out of memory");
}

nm_send_fit nm_sendbuf_check(lua_State *L, nm_sendbuf **buf, size_t len)
{
    if (!nm_device_esp8266())
        return NM_SEND_FITS;
    if (*buf == NULL && (*buf = calloc(1, sizeof **buf)) == NULL)
        luaL_error(L, "not enough memory");
    if (nm_since(NM_ERA_2_2)) {
        check_2_2(L, *buf, len);
        return NM_SEND_FITS;
    }
    return check_1_5(L, *buf, len);
}

void nm_sendbuf_add(nm_sendbuf *b, size_t len)
{
    if (b == NULL || b->count == NM_SENDBUF_SLOTS)
        return; /* only sends the check let through are counted, and they fit */
    b->len[(b->head + b->count) % NM_SENDBUF_SLOTS] = (uint16_t)len;
    b->count++;
    b->bytes = (uint16_t)(b->bytes + len);
    b->segments = (uint8_t)(b->segments + segments_of(len));
}

void nm_sendbuf_done(nm_sendbuf *b)
{
    if (b == NULL || b->count == 0)
        return;
    size_t len = b->len[b->head];
    b->head = (uint8_t)((b->head + 1) % NM_SENDBUF_SLOTS);
    b->count--;
    b->bytes = (uint16_t)(b->bytes - len);
    b->segments = (uint8_t)(b->segments - segments_of(len));
}

void nm_sendbuf_reset(nm_sendbuf *b)
{
    if (b != NULL)
        *b = (nm_sendbuf){0};
}
