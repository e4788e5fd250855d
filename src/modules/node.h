/*
 * node.h — what the other bindings need from the node module (a restart
 * is runtime/restart.h).
 */
#ifndef NETMCU_NODE_H
#define NETMCU_NODE_H

#include <stdbool.h>
#include <stdint.h>

#include "runtime/compat.h"

/* node.task's priorities (node.task.LOW_PRIORITY ...). */
enum { NM_TASK_LOW = 0, NM_TASK_MEDIUM = 1, NM_TASK_HIGH = 2 };

/* Queues the function on top of the stack (popped) as node.task.post(prio, fn)
 * does: it runs on a later loop turn with prio as its argument, through the
 * protected call. False (function dropped) when the queue cannot grow. */
bool node_post_task(lua_State *L, int prio);

/* node.dsleep(us) ends the run like a restart, with NM_EXIT_DEEP_SLEEP
 * (runtime/restart.h); in boot mode the board sleeps nm_node_sleep_us()
 * microseconds (0: until switched off), then powers on with the deep-sleep
 * reset reason. */
uint64_t nm_node_sleep_us(void);

/* Adds the chip's functions to the node table on top of the stack
 * (node_chip.c): bootreason, dsleep, dsleepMax, the CPU clock, random, osprint. */
void nm_node_chip_open(lua_State *L);
/* Adds node.flashreload, node.flashindex and node.LFS (node_lfs.c) for the
 * era, and loads the image stored by an earlier flashreload. */
void nm_node_lfs_open(lua_State *L);
/* Pushes node.info("lfs"): lfs_mapped, lfs_base, lfs_size, lfs_used. */
int nm_node_lfs_push_config(lua_State *L);
/* LFS's place and size in the flash, for node.info and the partition table. */
#define NM_LFS_ADDR 0x40000u
#define NM_LFS_SIZE 0x40000u

int luaopen_node(lua_State *L);

#endif
