/*
 * output.h — where console output goes: the terminal, node.output's function, or both.
 *
 * On the device everything the interpreter prints (print, results of `=expr`,
 * error messages, prompts) goes to the serial console, and node.output(fn)
 * can redirect it, e.g. to a telnet socket. netmcu replaces the global
 * `print` with one that writes here. In the 1.5 profile redirected text is
 * collected and handed to the function on the next loop turn (one call per
 * turn, never inside the print that produced it); what the function itself
 * prints goes to the terminal, so it cannot feed itself. In the 3.0 profile
 * the text goes into a pipe (node.c), as on the device. io.write is not
 * redirected.
 */
#ifndef NETMCU_OUTPUT_H
#define NETMCU_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>

#include "runtime/compat.h"

/* Writes console output. to_terminal false: only to the redirection (prompts). */
void nm_output_write(const char *text, size_t len, bool to_terminal);

/* node.output: fn_index 0 (or a non-function) restores the terminal. */
void nm_output_redirect(lua_State *L, int fn_index, bool serial);
bool nm_output_redirected(void);

/* The serial console takes the terminal's place: text gets the device's
 * line ends, raw gets uart.write's bytes as they are. NULL: stdout again. */
typedef void (*nm_device_writer)(const char *bytes, size_t len);
void nm_output_set_device(nm_device_writer text, nm_device_writer raw);
/* Console text to the terminal (or device) only, never redirected: echo. */
void nm_output_device(const char *text, size_t len);
/* uart.write(0, ...): bytes as they are, never redirected. */
void nm_output_raw(const char *bytes, size_t len);
/* The 3.0 node.output: every piece of output goes at once to sink (which
 * writes it into the stdout pipe; the pipe's reader then runs as a task). L
 * is the thread that prints, or the main state for the console's prompts.
 * A NULL sink restores the terminal. */
typedef void (*nm_output_sink)(lua_State *L, const char *text, size_t len);
void nm_output_redirect_sink(nm_output_sink sink, bool serial);

/* An error report on stderr (prefix, message, newline), wrapped by the
 * console's hook like terminal output, so the prompt is redrawn once below it. */
void nm_output_error(const char *prefix, const char *msg);

/* The console wraps terminal writes so they do not garble the line being typed. */
typedef void (*nm_output_hook)(bool before);
void nm_output_set_hook(nm_output_hook hook);

/* The replacement for the global print. */
int nm_output_print(lua_State *L);

/* Releases what the module holds (the state is closing). */
void nm_output_close(lua_State *L);

#endif
