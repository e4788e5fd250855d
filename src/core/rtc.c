/*
 * rtc.c — the board's real-time clock (rtc.h).
 *
 * The clock is kept as a reference point: the time it read at a host
 * monotonic instant. A rate change moves the reference to now first, so the
 * new rate applies only from then on and the time never jumps.
 */
#include "core/rtc.h"

#include "core/timer.h"

static bool is_set;
static int64_t ref_us; /* the clock's reading at ref_mono_us */
static uint64_t ref_mono_us;
static int32_t rate;

/* Board time: under --clock=N the RTC runs N times the host's clock too. */
static uint64_t mono_us(void)
{
    return nm_clock_board_us();
}

static int64_t read_at(uint64_t mono)
{
    int64_t elapsed = (int64_t)(mono - ref_mono_us);
    return ref_us + elapsed + (int64_t)((double)elapsed * rate / 4294967296.0);
}

bool nm_rtc_is_set(void)
{
    return is_set;
}

int64_t nm_rtc_now_us(void)
{
    return is_set ? read_at(mono_us()) : 0;
}

void nm_rtc_set_us(int64_t us)
{
    ref_us = us;
    ref_mono_us = mono_us();
    is_set = true;
}

int32_t nm_rtc_rate(void)
{
    return rate;
}

void nm_rtc_set_rate(int32_t new_rate)
{
    if (is_set) {
        uint64_t now = mono_us();
        ref_us = read_at(now);
        ref_mono_us = now;
    }
    rate = new_rate;
}

int32_t nm_rtc_adjust_delta(int32_t delta)
{
    return (int32_t)(((int64_t)delta * ((INT64_C(1) << 32) + rate)) >> 32);
}
