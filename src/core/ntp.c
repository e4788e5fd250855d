/*
 * ntp.c — NTP packets and sums (ntp.h).
 */
#include "core/ntp.h"

#include <string.h>

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t get64(const uint8_t *p)
{
    return (uint64_t)get32(p) << 32 | get32(p + 4);
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

uint64_t nm_ntp_from_unix_us(int64_t us)
{
    int64_t sec = us / 1000000, frac_us = us % 1000000;
    if (frac_us < 0) {
        sec--;
        frac_us += 1000000;
    }
    return ((uint64_t)(sec + (int64_t)NM_NTP_UNIX_EPOCH) << 32) + (((uint64_t)frac_us << 32) / 1000000);
}

void nm_ntp_request(uint8_t out[NM_NTP_PACKET], uint64_t xmit)
{
    memset(out, 0, NM_NTP_PACKET);
    out[0] = 4 << 3 | 3; /* leap 0, version 4, mode 3 (client) */
    put64(out + 40, xmit);
}

bool nm_ntp_parse(const uint8_t *data, size_t len, nm_ntp_reply *out)
{
    if (len < NM_NTP_PACKET)
        return false;
    out->leap = data[0] >> 6;
    out->version = (data[0] >> 3) & 7;
    out->mode = data[0] & 7;
    out->stratum = data[1];
    out->root_delay = get32(data + 4);
    out->root_dispersion = get32(data + 8);
    memcpy(out->refid, data + 12, 4);
    out->origin = get64(data + 24);
    out->receive = get64(data + 32);
    out->transmit = get64(data + 40);
    return true;
}

/* Differences of timestamps wrap as unsigned and read as signed, so the sums
 * hold across NTP's era boundary (2036). */
int64_t nm_ntp_offset(const nm_ntp_reply *r, uint64_t dest)
{
    return (int64_t)(r->receive - r->origin) / 2 + (int64_t)(r->transmit - dest) / 2;
}

int64_t nm_ntp_delay(const nm_ntp_reply *r, uint64_t dest)
{
    return (int64_t)(dest - r->origin) - (int64_t)(r->transmit - r->receive);
}
