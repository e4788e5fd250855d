/*
 * ntp_test.c — the NTP packet and its sums (core/ntp.h), and the board's
 * clock (core/rtc.h): byte layout against RFC 4330, offsets and delays of
 * known exchanges (also across NTP's 2036 era boundary), the clock's rate.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <uv.h>

#include "core/ntp.h"
#include "core/rtc.h"

#include "harness.h"

#define SEC(s) ((uint64_t)(s) << 32)

/* report() with the reason formatted. */
static void reportf(const char *name, int good, const char *fmt, ...)
{
    char why[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    report(name, good, why);
}

static void test_request(void)
{
    uint8_t p[NM_NTP_PACKET];
    uint64_t xmit = nm_ntp_from_unix_us(INT64_C(1700000000) * 1000000 + 500000);
    nm_ntp_request(p, xmit);
    int zero = 1;
    for (int i = 1; i < 40; i++)
        zero &= p[i] == 0;
    report("request: leap 0, version 4, mode 3, nothing but the transmit time", p[0] == 0x23 && zero, "bytes");
    /* 1700000000 + 2208988800 = 3908988800 = 0xE8FE6F80; half a second = 0x80000000 */
    const uint8_t want[8] = {0xE8, 0xFE, 0x6F, 0x80, 0x80, 0x00, 0x00, 0x00};
    report("request: transmit timestamp in network order, 32.32 since 1900", memcmp(p + 40, want, 8) == 0, "timestamp");
}

static void test_parse(void)
{
    uint8_t p[NM_NTP_PACKET] = {0};
    p[0] = 3 << 6 | 4 << 3 | 4;
    p[1] = 0;
    memcpy(p + 12, "DENY", 4);
    p[4] = 0x00, p[5] = 0x01, p[6] = 0x80, p[7] = 0x00; /* root delay 1.5 s */
    p[24] = 0x12, p[31] = 0x34;                         /* origin */
    nm_ntp_reply r;
    report("parse: a short datagram is refused", nm_ntp_parse(p, 47, &r) == UV_EINVAL, "accepted 47 bytes");
    int ok = nm_ntp_parse(p, sizeof p, &r) == 0;
    report("parse: leap, version, mode, stratum, refid",
           ok && r.leap == 3 && r.version == 4 && r.mode == 4 && r.stratum == 0 && memcmp(r.refid, "DENY", 4) == 0,
           "fields");
    report("parse: root delay 16.16, origin 32.32",
           r.root_delay == 0x18000 && nm_ntp_short_us(r.root_delay) == 1500000 && r.origin == 0x1200000000000034ull,
           "values");
}

static void test_sums(void)
{
    /* client 10 s behind: sends at 100 (its clock), server receives at 110.1, answers at
     * 110.2, client receives at 100.3: offset 10 s, delay 0.2 s. */
    nm_ntp_reply r = {.origin = SEC(100), .receive = SEC(110) + (SEC(1) / 10), .transmit = SEC(110) + (SEC(1) / 5)};
    uint64_t dest = SEC(100) + SEC(3) / 10;
    int64_t off = nm_ntp_offset(&r, dest), delay = nm_ntp_delay(&r, dest);
    reportf("offset and delay of a known exchange",
            off > (int64_t)SEC(10) - 10 && off < (int64_t)SEC(10) + 10 && delay > (int64_t)(SEC(2) / 10) - 10 &&
                delay < (int64_t)(SEC(2) / 10) + 10,
            "offset %lld delay %lld", (long long)off, (long long)delay);
    /* the same exchange a few seconds before 2036's wrap of the 32-bit seconds, server after it */
    uint64_t base = SEC(UINT32_MAX) - SEC(5);
    nm_ntp_reply w = {.origin = base, .receive = base + SEC(10), .transmit = base + SEC(10)};
    off = nm_ntp_offset(&w, base);
    reportf("offset across the 2036 era boundary", off == (int64_t)SEC(10), "%lld", (long long)off);
    nm_ntp_reply b = {.origin = SEC(200), .receive = SEC(190), .transmit = SEC(190)};
    report("a server behind gives a negative offset", nm_ntp_offset(&b, SEC(200)) == -(int64_t)SEC(10), "sign");
}

static void test_rtc(void)
{
    report("the clock reads 0 until set", !nm_rtc_is_set() && nm_rtc_now_us() == 0, "set at start");
    nm_rtc_set_us(INT64_C(1700000000000000));
    int64_t a = nm_rtc_now_us();
    reportf("set, then read", nm_rtc_is_set() && a >= INT64_C(1700000000000000) && a < INT64_C(1700000000100000),
            "%lld", (long long)a);
    nm_rtc_set_rate(429496730); /* +10 % */
    uint64_t t0 = uv_hrtime();
    int64_t before = nm_rtc_now_us();
    uv_sleep(200);
    int64_t run = nm_rtc_now_us() - before;
    int64_t host = (int64_t)(uv_hrtime() - t0) / 1000;
    reportf("the rate stretches the time that passes", run > host * 105 / 100 && run < host * 115 / 100,
            "%lld us of clock in %lld us", (long long)run, (long long)host);
    reportf("adjust_delta: 1 s at +10 percent", nm_rtc_adjust_delta(1000000) == 1100000, "%d",
            nm_rtc_adjust_delta(1000000));
    nm_rtc_set_rate(0);
}

int main(void)
{
    test_request();
    test_parse();
    test_sums();
    test_rtc();
    return failures ? 1 : 0;
}
