/*
 * reset.h — why the board started: the reset reason node.bootreason() reports.
 *
 * Whatever ends a power-on says why (node.restart(), tmr.softwd, deep sleep,
 * a watchdog) with nm_reset_set_next; the next power-on reports it, and a
 * power-on nothing announced is a cold start. The reason also travels in the
 * environment (NETMCU_BOOTREASON, the extended code), so a runner that
 * re-executes itself to reboot (--serial) still knows it, and a user can start
 * a run as if the board had woken from deep sleep: NETMCU_BOOTREASON=5.
 * Codes are the ESP8266 SDK's rst_info reasons; nm_reset_raw_code gives the
 * older RTC code the firmware returns first.
 */
#ifndef NETMCU_RESET_H
#define NETMCU_RESET_H

typedef enum {
    NM_RESET_POWER_ON = 0,
    NM_RESET_HW_WATCHDOG = 1,
    NM_RESET_EXCEPTION = 2,
    NM_RESET_SOFT_WATCHDOG = 3,
    NM_RESET_SOFT_RESTART = 4,
    NM_RESET_DEEP_SLEEP = 5,
    NM_RESET_EXTERNAL = 6,
} nm_reset_reason;

/* The reason the next power-on reports; the first call after a power-on wins. */
void nm_reset_set_next(nm_reset_reason why);
/* Called once at each power-on: the announced reason becomes this power-on's. */
void nm_reset_power_on(void);
/* This power-on's reason. */
nm_reset_reason nm_reset_reason_now(void);
/* The raw RTC code the firmware reports beside the reason: 1 after a cold
 * start, 4 after the hardware watchdog, 2 after any other reset. */
int nm_reset_raw_code(nm_reset_reason why);

#endif
