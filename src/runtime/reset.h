/*
 * reset.h — why the board last started, as the ESP8266 SDK's rst_info.reason.
 *
 * The device keeps the cause of its last reset for the script to read
 * (node.bootreason's second value). Whatever resets the board records its
 * cause before the reset (nm_reset_request); the board's life cycle (boot.c)
 * makes it the current one at the next power-on. A reset nobody explained is
 * a software restart (node.restart()); the first power-on is a power-on.
 *
 * The cause also travels in the environment (NETMCU_BOOTREASON, the reason
 * code), so a runner that re-executes itself to reboot (--serial) still knows
 * it, and a user can start a run as if the board had woken from deep sleep:
 * NETMCU_BOOTREASON=5 netmcu init.lua.
 */
#ifndef NETMCU_RESET_H
#define NETMCU_RESET_H

/* rst_info.reason of the ESP8266 SDK (user_interface.h), the same numbers. */
typedef enum {
    NM_RESET_POWER_ON = 0,      /* REASON_DEFAULT_RST */
    NM_RESET_HW_WATCHDOG = 1,   /* REASON_WDT_RST */
    NM_RESET_EXCEPTION = 2,     /* REASON_EXCEPTION_RST */
    NM_RESET_SOFT_WATCHDOG = 3, /* REASON_SOFT_WDT_RST: Lua kept the loop waiting */
    NM_RESET_SOFT_RESTART = 4,  /* REASON_SOFT_RESTART: node.restart() */
    NM_RESET_DEEP_SLEEP = 5,    /* REASON_DEEP_SLEEP_AWAKE */
    NM_RESET_EXTERNAL = 6,      /* REASON_EXT_SYS_RST: the reset pin */
} nm_reset_reason;

/* Records why the board is about to reset; the first cause recorded since
 * the last power-on wins. */
void nm_reset_request(nm_reset_reason why);
/* A power-on: the recorded cause becomes the current reason. */
void nm_reset_power_on(void);
/* Why the board last started (NM_RESET_POWER_ON in script mode, unless the
 * environment says otherwise). */
nm_reset_reason nm_reset_reason_now(void);
/* The raw RTC code the firmware returns before the reason (node.bootreason's
 * first value): 1 after a power-on, 4 after the hardware watchdog, else 2. */
int nm_reset_raw_code(nm_reset_reason why);

#endif
