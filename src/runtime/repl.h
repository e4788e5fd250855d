/*
 * repl.h — the line interpreter behind the console and node.input().
 *
 * One interpreter, as on the device: lines accumulate until they form a
 * complete chunk (an incomplete one waits for the next line), a line
 * starting with `=` prints the values of the expression, and results and
 * error messages (with traceback) go to the console output, which
 * node.output may redirect. Chunks run in the main state under lua_pcall:
 * an error in typed code is printed and the run goes on.
 */
#ifndef NETMCU_REPL_H
#define NETMCU_REPL_H

#include <stdbool.h>
#include <stddef.h>

#include "runtime/compat.h"

/* Runs one line (without its newline) now. */
void nm_repl_line(lua_State *L, const char *line, size_t len);
/* True while an incomplete chunk waits for more lines (prompt ">> "). */
bool nm_repl_continuing(void);
/* Forgets an incomplete chunk (Ctrl-C at the prompt). */
void nm_repl_reset(void);
/* node.input(text): the lines run on a later loop turn, each followed by a
 * prompt sent to the node.output redirection, as the device's console does. */
void nm_repl_input(const char *text, size_t len);
/* Releases the buffers (the state is closing). */
void nm_repl_close(void);

#endif
