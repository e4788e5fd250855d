/*
 * watchdog.h — the ESP8266's software watchdog, for the board of --boot.
 *
 * On the device, Lua that keeps the SDK's loop waiting for about 3.2 s (a
 * busy loop, a long computation, a synchronous gpio.serout) is reset by the
 * watchdog; tmr.delay and tmr.wdclr feed it. The board of --boot does the
 * same. The loop marks when it starts to wait for events (a uv_prepare) and
 * when it stops (a uv_check); a thread looks every 100 ms, and once the loop
 * has not waited for NM_WATCHDOG_MS it signals the main thread, whose handler
 * interrupts Lua (interrupt.h): the board then resets with the soft-watchdog
 * reason (reset.h). A thread, because nothing else runs while Lua is busy;
 * a signal, because only the thread that runs Lua may touch its state.
 * A script run (no --boot) has no watchdog: a PC may compute for long.
 */
#ifndef NETMCU_WATCHDOG_H
#define NETMCU_WATCHDOG_H

#define NM_WATCHDOG_MS 3200

/* A power-on: the board's loop is watched from now on (call from the loop's thread). */
void nm_watchdog_arm(void);
/* The board resets or is switched off: no more watching. */
void nm_watchdog_disarm(void);
/* The wait starts again from now (tmr.delay, tmr.wdclr); nothing when disarmed. */
void nm_watchdog_feed(void);

#endif
