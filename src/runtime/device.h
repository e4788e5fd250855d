/*
 * device.h — `--device=esp8266`: the ESP8266's limits on the host.
 *
 * Off by default: netmcu then gives a script the host's room. With the device
 * chosen, the limits a script can hit on the board become the firmware's
 * errors, or, where the firmware fails silently, a warning on stderr naming
 * the behaviour the script relies on and the script line, once per line:
 *   - the heap: about 40 KB free at boot (node.heap() falls as the script
 *     allocates; past it, Lua's "not enough memory"),
 *   - at most 5 TCP connections open at once, servers' and clients'
 *     together (lwIP's MEMP_NUM_TCP_PCB): a new one waits unaccepted; in
 *     1.5 a 6th connect() does nothing and 5 per server is net.c's limit,
 *   - 1.5's one TCP and one UDP server,
 *   - the TCP send buffer (modules/net/sendbuf.h),
 *   - the http module's 8192-byte response,
 *   - received data in the device's pieces of at most 1460 bytes (--rx-chunks).
 */
#ifndef NETMCU_DEVICE_H
#define NETMCU_DEVICE_H

#include <stdbool.h>
#include <stddef.h>

#include "runtime/compat.h"

#define NM_ESP8266_FREE_HEAP 40960    /* node.heap() at boot on a 1.5/2.2 board, roughly */
#define NM_ESP8266_SERVER_CONNS 5     /* 1.5 net.c: connections per server */
#define NM_ESP8266_SEGMENT 1460       /* lwIP's TCP_MSS */
#define NM_ESP8266_PAYLOAD 1460       /* 1.5's net.c: a longer send is "need <1460 payload" */
#define NM_ESP8266_SEND_BUFFER 2920   /* lwIP's TCP_SND_BUF (2 x TCP_MSS) */
#define NM_ESP8266_TCP_CONNS 5        /* MEMP_NUM_TCP_PCB as the SDK's lwip_init sets it */
#define NM_ESP8266_HTTP_RESPONSE 8192 /* app/http/httpclient.h: BUFFER_SIZE_MAX, with the NUL */

/* "esp8266" or "host" (the default); false for another name. */
bool nm_device_select(const char *name);
bool nm_device_esp8266(void);
/* Applies the device's limits to a new board state (after its modules opened). */
void nm_device_open(lua_State *L);
/* The script line running now ("app.lua:3"), or "-". */
void nm_device_site(lua_State *L, char *out, size_t size);
/* "netmcu: esp8266: SITE: TEXT" on stderr, the first time for this site and text. */
void nm_device_warn(const char *site, const char *text);

#endif
