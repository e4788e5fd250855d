/*
 * rtc.h — the board's real-time clock, as the rtctime module keeps it.
 *
 * Like the ESP8266's RTC it has no time at power-on (reads 0) until a script
 * or an SNTP sync sets it; from then on it is the time set plus the time
 * elapsed on the host's monotonic clock, scaled by a rate correction of
 * rate / 2^32 (the firmware's unit: 4295 is one part per million). It lives
 * for the whole process, so a simulated reboot (node.restart, deep sleep)
 * keeps it, as the RTC's memory survives deep sleep on the device.
 */
#ifndef NETMCU_RTC_H
#define NETMCU_RTC_H

#include <stdbool.h>
#include <stdint.h>

#define NM_RTC_US 1000000

/* True once the clock has been set. */
bool nm_rtc_is_set(void);
/* Microseconds since the Unix epoch; 0 while unset. */
int64_t nm_rtc_now_us(void);
/* Sets the clock to us microseconds since the epoch. */
void nm_rtc_set_us(int64_t us);
/* The rate correction, in 1/2^32 units (0: nominal). */
int32_t nm_rtc_rate(void);
void nm_rtc_set_rate(int32_t rate);
/* delta microseconds as the clock's rate stretches them (rtctime.adjust_delta). */
int32_t nm_rtc_adjust_delta(int32_t delta);

#endif
