/*
 * node.h — what the other bindings need from the node module (a restart
 * is runtime/restart.h).
 */
#ifndef NETMCU_NODE_H
#define NETMCU_NODE_H

#include <stdbool.h>

#include "runtime/compat.h"

/* node.task's priorities (node.task.LOW_PRIORITY ...). */
enum { NM_TASK_LOW = 0, NM_TASK_MEDIUM = 1, NM_TASK_HIGH = 2 };

/* Queues the function on top of the stack (popped) as node.task.post(prio, fn)
 * does: it runs on a later loop turn with prio as its argument, through the
 * protected call. False (function dropped) when the queue cannot grow. */
bool node_post_task(lua_State *L, int prio);

int luaopen_node(lua_State *L);

#endif
