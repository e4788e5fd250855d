/*
 * serial.h — the board's serial console on a pseudo-terminal (--serial).
 *
 * Everything the device writes to UART 0 goes to the pty: console text
 * (print, results, errors, prompts, echo) with each "\n" sent as "\r\n" and
 * "\r" dropped, as the firmware's uart0_putc does, and uart.write's bytes as
 * they are. Bytes read from the pty go through the firmware's input driver
 * (runtime/input.h): echo, backspace, line ends, uart.on. node.restart()
 * reboots the board: the runner execs itself again with the same arguments,
 * and the new run takes over the same pty, so the device path stays.
 */
#ifndef NETMCU_SERIAL_H
#define NETMCU_SERIAL_H

#include <stdbool.h>

/* Opens the pty (or takes over the one a rebooting run left), prints its
 * path on stdout on the first boot, links `link` to it when not NULL, and
 * sends console output there. False with a message on stderr on failure. */
bool nm_serial_open(const char *link);
/* True between nm_serial_open and nm_serial_stop. */
bool nm_serial_opened(void);
/* Starts taking input and writes the first prompt (the console starts). */
bool nm_serial_start(void);
/* Stops taking input; the device stays (the console stops for a reboot). */
void nm_serial_pause(void);
/* Writes an unhandled callback error (NULL: none) to the console and a new prompt. */
void nm_serial_report(const char *msg);
/* Reboots: execs the runner again on the same pty. Returns only on failure. */
void nm_serial_reboot(char **argv);
/* Closes the pty and removes the link. */
void nm_serial_stop(void);

#endif
