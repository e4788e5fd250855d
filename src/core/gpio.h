/*
 * gpio.h — the board's pins 0-12 as a model: how each pin is set up, what the
 * script drives on it, what the outside world drives on it, and the level
 * that follows.
 *
 * A pin's level is computed, never stored by anyone: an output drives its
 * latch; an open-drain output pulls low when its latch is 0 and otherwise
 * lets the line go; an input (or a released open-drain line) reads what the
 * outside drives, or else its pull-up (1 with the pull-up, 0 without; pin 0
 * has none, as GPIO16 on the device) or the board's: on the NodeMCU dev kit,
 * which most scripts are written for, pins 0 (D0, GPIO16: the LED), 3 (D3,
 * GPIO0: the FLASH button) and 4 (D4, GPIO2: the LED) read 1 undriven; a
 * bare module (nm_gpio_set_bare_module) has no such pulls. The outside drives pins through the
 * control channel's `gpio` noun (registered by nm_gpio_init):
 *
 *   gpio set PIN 0|1      drive an input from outside (press a button)
 *   gpio release PIN      stop driving it
 *   gpio get PIN          "ok LEVEL MODE [pullup] [driven]"
 *   gpio get              every pin: "ok 0:LEVEL:MODE 1:..."
 *
 * Every change of a level is reported to the one listener (the Lua binding,
 * for gpio.trig) and, with the trace on, printed on stderr. The listener is
 * called synchronously, possibly from inside a control command; it must not
 * call Lua (it posts an nm_task instead).
 */
#ifndef NETMCU_GPIO_H
#define NETMCU_GPIO_H

#include <stdbool.h>
#include <stddef.h>

#define NM_GPIO_PINS 13

typedef enum { NM_GPIO_INPUT, NM_GPIO_OUTPUT, NM_GPIO_OPENDRAIN, NM_GPIO_INT } nm_gpio_mode;

/* Who changed a level, for the trace. */
typedef enum { NM_GPIO_BY_SCRIPT, NM_GPIO_BY_CONTROL } nm_gpio_cause;

typedef void (*nm_gpio_listener)(int pin, int level, void *data);

/* Registers the control noun (again harmlessly) and resets the pins as a
 * power-on does: inputs without pull-up, latches 0. What the outside drives
 * stays driven, as a held button stays held across a reboot. */
void nm_gpio_init(void);

/* The one listener for level changes (NULL: none). */
void nm_gpio_listen(nm_gpio_listener fn, void *data);

/* The pins' functions for the binding; pin must be 0..NM_GPIO_PINS-1. */
void nm_gpio_set_mode(int pin, nm_gpio_mode mode, bool pullup);
nm_gpio_mode nm_gpio_get_mode(int pin);
/* Sets the latch and turns the pin's driver on, as the ESP8266's write does
 * even on a pin set up as an input. */
void nm_gpio_write(int pin, int level);
int nm_gpio_level(int pin);
/* Sets only the output latch, as gpio.pulse writes the output register: the
 * level follows only on a pin whose driver is on. */
void nm_gpio_latch(int pin, int level);

/* From outside: level 0 or 1, or -1 to stop driving. Returns 0, or UV_EBUSY
 * with the reason in err (an output the script drives cannot be overdriven). */
int nm_gpio_drive(int pin, int level, char *err, size_t size);

/* Keeps the loop alive while on and the control socket is open: a script
 * waiting for a button (a gpio.trig callback) runs until the button can no
 * longer be pressed. Without the socket nothing outside can press it, and
 * the run ends when nothing else is pending. */
void nm_gpio_hold_loop(bool on);

/* A bare ESP-12 module instead of the dev kit (runner option --board=module). */
void nm_gpio_set_bare_module(bool on);

/* Prints every level and mode change on stderr ("gpio: ..."). */
void nm_gpio_set_trace(bool on);
/* With the trace on, prints "gpio: [time] pin N WHAT (script|control)"; other
 * pin functions (pwm) report their changes through it. */
void nm_gpio_trace_event(int pin, const char *what, nm_gpio_cause cause);

#endif
