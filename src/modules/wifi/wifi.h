/*
 * wifi.h — shared by the `wifi` binding's files: the event monitors
 * (events.c) and the helpers the API functions use (wifi.c).
 */
#ifndef NETMCU_WIFI_H
#define NETMCU_WIFI_H

#include <stdint.h>

#include "modules/wifi/radio.h"
#include "runtime/compat.h"

/* EVENT_MAX of the profile's SDK: 8 (1.5), 10 (2.2 on). */
int wifi_event_max(void);

/* Registers (function at fn_idx) or clears (anything else) the callback of
 * event id, which must be valid. */
void wifi_event_set(lua_State *L, int id, int fn_idx);

/* Forgets every callback and queued event (a fresh Lua state), and connects
 * the radio's events to the queue. */
void wifi_events_reset(lua_State *L);

/* wifi.eventmon.register / unregister */
int wifi_eventmon_register(lua_State *L);
/* 1.5: wifi.sta.eventMonReg / eventMonStart / eventMonStop */
int wifi_sta_eventmonreg(lua_State *L);
int wifi_sta_eventmonstart(lua_State *L);
int wifi_sta_eventmonstop(lua_State *L);

/* "a.b.c.d" of a network-order address, into buf[16]. */
const char *wifi_ipstr(uint32_t ip, char *buf);
/* "aa:bb:cc:dd:ee:ff", into buf[18]. */
const char *wifi_macstr(const uint8_t mac[6], char *buf);

#endif
