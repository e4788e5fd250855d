/*
 * pwm.h — the ESP8266's software PWM as a model the outside can watch.
 *
 * The SDK's driver runs at most 6 channels on pins 1-12, all at one
 * frequency (1-1000 Hz: setting it on one channel sets it for all), each
 * with a duty of 0-1023. A channel is set up stopped; start() applies its
 * duty, stop() drives 0 and keeps the duty for the next start. Every change
 * is printed with --gpio-trace ("gpio: ... pin 2 pwm 500 Hz duty 512 on")
 * and can be read through the control channel's `pwm` noun:
 *
 *   pwm get PIN    "ok FREQ DUTY on|off", or "ok none" when not set up
 *   pwm get        every channel set up: "ok PIN:FREQ:DUTY:on|off ..."
 */
#ifndef NETMCU_PWM_H
#define NETMCU_PWM_H

#include <stdbool.h>

#define NM_PWM_PINS 13    /* pins 1..12 can carry PWM (pin 0, GPIO16, cannot) */
#define NM_PWM_CHANNELS 6 /* PWM_CHANNEL of the SDK's driver */
#define NM_PWM_DEPTH 1023
#define NM_PWM_FREQ_MAX 1000

/* Registers the control noun and stops every channel, as a power-on does. */
void nm_pwm_init(void);

/* Sets a pin up (stopped) with the frequency asked for and the duty it will
 * start with; the frequency in force is returned, 0 when all 6 channels are
 * taken. */
unsigned nm_pwm_setup(int pin, unsigned freq, unsigned duty);
void nm_pwm_close(int pin);
/* False when the pin is not set up. */
bool nm_pwm_start(int pin);
void nm_pwm_stop(int pin);
/* Both return the value in force afterwards, 0 for a pin not set up. */
unsigned nm_pwm_set_clock(int pin, unsigned freq);
unsigned nm_pwm_set_duty(int pin, unsigned duty);
/* 0 for a pin not set up. */
unsigned nm_pwm_clock(int pin);
unsigned nm_pwm_duty(int pin);

#endif
