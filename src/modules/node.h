/*
 * node.h — what the runner and the other bindings need from the node module.
 *
 * node.restart() and an expired tmr.softwd() end the run the way a restart
 * ends everything on the device: the loop stops and the runner exits with a
 * status of its own, so a supervising shell can tell a restart from an error
 * and start the script again if it wants the device's behaviour.
 */
#ifndef NETMCU_NODE_H
#define NETMCU_NODE_H

#include <stdbool.h>
#include <stdint.h>

#include "runtime/compat.h"

enum {
    NM_EXIT_RESTART = 3,  /* node.restart() */
    NM_EXIT_WATCHDOG = 4, /* tmr.softwd() expired */
};

/* Asks the run to end with status (NM_EXIT_*) after printing why to stderr.
 * The loop stops after the current callback; the first request wins. */
void nm_node_restart(int status, const char *why);
/* The status asked for, or 0 when nothing asked the run to end. */
int nm_node_restart_status(void);
/* Boot mode (runtime/boot.h): a restart reboots the board instead of ending
 * the run, and is cleared once the fresh state is up. */
void nm_node_set_rebooting(bool on);
void nm_node_clear_restart(void);

/* node.task's priorities (node.task.LOW_PRIORITY ...). */
enum { NM_TASK_LOW = 0, NM_TASK_MEDIUM = 1, NM_TASK_HIGH = 2 };

/* Queues the function on top of the stack (popped) as node.task.post(prio, fn)
 * does: it runs on a later loop turn with prio as its argument, through the
 * protected call. False (function dropped) when the queue cannot grow. */
bool nm_node_post_task(lua_State *L, int prio);

/* node.dsleep(us) ends the run like a restart, with this status; in boot
 * mode the board sleeps nm_node_sleep_us() microseconds (0: until switched
 * off), then powers on with the deep-sleep reset reason. */
#define NM_EXIT_DEEP_SLEEP 5
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
