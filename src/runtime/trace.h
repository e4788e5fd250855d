/*
 * trace.h — NETMCU_TRACE: a line on stderr for each API call and callback of
 * the chosen modules, and the end-of-run report of what is still anchored.
 *
 * The trace wraps the module tables' functions and their objects' methods in
 * the Lua state (after the modules are open) instead of instrumenting every
 * binding: one place knows the line format, and each module is traced the same
 * way. A callback handed to a traced function is wrapped too, so its calls
 * show as events. Objects returned by, or handed to callbacks of, net, tmr and
 * file are remembered (weakly) with the script line that made them; the report
 * lists those still anchored (listening, connected, registered, open) when the
 * Lua state closes: at the end of the run and at each node.restart().
 *
 * Line formats (tab-separated, board time in seconds):
 *   trace  SECONDS  MODULE  call   NAME  ARGS  SOURCE:LINE
 *   trace  SECONDS  MODULE  event  NAME  ARGS  SOURCE:LINE (where it was registered)
 *   anchored  TYPE  STATE  NAME  SOURCE:LINE (where it was made)
 */
#ifndef NETMCU_TRACE_H
#define NETMCU_TRACE_H

#include <stdbool.h>

#include "runtime/compat.h"

/* Chooses what to trace from a comma-separated list of module names, "all"
 * (every module) and "report" (the anchored report). Returns false for an
 * unknown word, leaving *bad pointing at it (up to the next comma). */
bool nm_trace_select(const char *list, const char **bad);
/* Wraps the chosen modules of the state's globals; nothing when none is chosen. */
void nm_trace_install(lua_State *L);
/* Prints the anchored report (when chosen) before the state closes. */
void nm_trace_report(lua_State *L);

#endif
