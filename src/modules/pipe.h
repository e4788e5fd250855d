/*
 * pipe.h — the 3.0 `pipe` module, and what node.output needs from it.
 *
 * A pipe is a FIFO of bytes kept as the firmware keeps it: a Lua table whose
 * slot 1 holds the pipe's write function and whose slots 2.. hold 256-byte
 * chunks, so `#p`, p:nrec() and the chunk boundaries a reader sees are the
 * device's. A pipe made with a reader callback posts that callback as a
 * node task (at the pipe's priority) when it is written to; at most one such
 * task is pending at a time.
 */
#ifndef NETMCU_PIPE_H
#define NETMCU_PIPE_H

#include <stdbool.h>
#include <stddef.h>

#include "runtime/compat.h"

/* Pushes a new pipe whose reader is the function at fn_index (0: none),
 * posted at priority prio (node.task's 0-2). */
void pipe_push_new(lua_State *L, int fn_index, int prio);

/* Appends text to the pipe at index, as p:write(text) does (posting the
 * reader); raises only when memory runs out. */
void pipe_append(lua_State *L, int index, const char *text, size_t len);

int luaopen_pipe(lua_State *L);

#endif
