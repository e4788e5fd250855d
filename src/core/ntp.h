/*
 * ntp.h — the 48-byte NTP packet of an SNTP client (RFC 4330), and its sums.
 *
 * No Debian library builds SNTP client packets for an event loop (libraries
 * that speak NTP are servers or run their own loop), and the firmware builds
 * this fixed struct by hand too; so does this file, with explicit byte order
 * and no struct overlay. Timestamps are NTP's 32.32 fixed point: seconds
 * since 1900 in the high half, the fraction of a second in the low half.
 */
#ifndef NETMCU_NTP_H
#define NETMCU_NTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NM_NTP_PACKET 48
#define NM_NTP_PORT 123
/* Seconds from 1900-01-01 (NTP's era 0) to 1970-01-01. */
#define NM_NTP_UNIX_EPOCH UINT64_C(2208988800)

typedef struct nm_ntp_reply {
    uint8_t leap, version, mode, stratum;
    uint8_t refid[4];         /* "DENY" in a kiss-of-death */
    uint32_t root_delay;      /* 16.16 seconds */
    uint32_t root_dispersion; /* 16.16 seconds */
    uint64_t origin, receive, transmit;
} nm_ntp_reply;

/* The timestamp of us microseconds since the Unix epoch. */
uint64_t nm_ntp_from_unix_us(int64_t us);
/* A client request (version 4, mode 3) whose transmit timestamp is xmit. */
void nm_ntp_request(uint8_t out[NM_NTP_PACKET], uint64_t xmit);
/* Reads a reply: 0, or UV_EINVAL when it is shorter than a packet. */
int nm_ntp_parse(const uint8_t *data, size_t len, nm_ntp_reply *out);
/* The clock offset (server minus client) and the round-trip delay, both
 * 32.32 signed, of a reply received at dest (RFC 4330 §5). */
int64_t nm_ntp_offset(const nm_ntp_reply *r, uint64_t dest);
int64_t nm_ntp_delay(const nm_ntp_reply *r, uint64_t dest);
/* Microseconds of a 16.16 duration. */
static inline uint32_t nm_ntp_short_us(uint32_t v)
{
    return (uint32_t)(((uint64_t)v * 1000000) >> 16);
}

#endif
