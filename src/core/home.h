/*
 * home.h — the board's state directory, where netmcu keeps what the device
 * keeps in flash outside the file system (the stored CA, wifi settings).
 *
 * The device keeps that state with the board, so here it goes with the flash
 * folder (core/flash.h): $NETMCU_HOME when set, otherwise
 * netmcu/boards/NAME-HASH under the user's data directory ($XDG_DATA_HOME,
 * else ~/.local/share), NAME the flash folder's last part and HASH from its
 * real path, so one project's saved wifi and CA never reach another. It is
 * created, owner-only, on first use, so a run that never stores anything
 * leaves nothing behind.
 */
#ifndef NETMCU_HOME_H
#define NETMCU_HOME_H

#include <stddef.h>

/* Writes the path of `name` inside the state directory to buf, creating the
 * directory first. Returns 0, or a negative errno (-ENAMETOOLONG when buf is
 * too small, -ENOENT when no directory can be named). */
int nm_home_path(const char *name, char *buf, size_t size);
/* The same path without creating anything, for reading what may not exist. */
int nm_home_find(const char *name, char *buf, size_t size);

#endif
