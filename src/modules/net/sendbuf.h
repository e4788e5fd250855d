/*
 * sendbuf.h — under --device=esp8266, the firmware's TCP send buffer.
 *
 * lwIP on the ESP8266 copies a send into a buffer of TCP_SND_BUF = 2920 bytes
 * (2 × TCP_MSS) in at most TCP_SND_QUEUELEN = 8 segments, freed as the peer
 * acknowledges. Here a send counts as unacknowledged until its `written`
 * report (the next loop turn on a fast link): sends made in one callback add
 * up, as on the device, where no acknowledgement is processed while Lua runs.
 * What does not fit is, as the firmware's net.c does with it:
 *   - 1.5: more than 1460 bytes raise "need <1460 payload"; a send made while
 *     earlier ones overfill the buffer (or 8 segments wait) is dropped
 *     silently, with no `sent`,
 *   - 2.2/3.0: a send larger than the free buffer (or past 8 segments)
 *     raises lwIP's ERR_MEM, "out of memory".
 * Each first time at a script line, a warning names the behaviour.
 */
#ifndef NETMCU_NET_SENDBUF_H
#define NETMCU_NET_SENDBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/compat.h"

#define NM_SENDBUF_SLOTS 8 /* TCP_SND_QUEUELEN: no more sends than segments can wait */

/* The sends not yet reported written, oldest first (their written reports
 * come in the order of the sends). */
typedef struct nm_sendbuf {
    uint16_t len[NM_SENDBUF_SLOTS];
    uint8_t head, count, segments;
    uint16_t bytes;
} nm_sendbuf;

typedef enum { NM_SEND_FITS, NM_SEND_DROPPED } nm_send_fit;

/* Whether a send of len bytes fits (*buf made on first use); raises the
 * firmware's error where it raises one. Without the device: NM_SEND_FITS. */
nm_send_fit nm_sendbuf_check(lua_State *L, nm_sendbuf **buf, size_t len);
/* A send that fitted went to the stream. */
void nm_sendbuf_add(nm_sendbuf *buf, size_t len);
/* The oldest send was reported written. */
void nm_sendbuf_done(nm_sendbuf *buf);
/* The connection ended: nothing is in flight any more. */
void nm_sendbuf_reset(nm_sendbuf *buf);

#endif
