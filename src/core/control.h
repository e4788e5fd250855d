/*
 * control.h — the board's control channel: simulated inputs driven from
 * outside the script (DESIGN §7).
 *
 * Commands are lines of words, "NOUN VERB [ARG...]" (e.g. "wifi drop",
 * "gpio set 3 1"), and every command gets exactly one reply line: "ok" or
 * "ok INFO" on success, "error TEXT" otherwise. Each module that simulates an
 * input registers its noun with a handler; the handler checks its words like
 * API arguments and fills the reply.
 *
 * The same commands arrive two ways: over a local Unix socket that the runner
 * creates (`--control PATH`; owner-only, peers of another user are refused,
 * never TCP), and from Lua through the `control` module (nm_control_execute).
 *
 * Handlers run on the loop thread, but may be reached from inside a Lua call
 * (control.send): a handler must never call into Lua itself; it changes its
 * module's state and posts an nm_task for any event the script should see.
 */
#ifndef NETMCU_CONTROL_H
#define NETMCU_CONTROL_H

#include <stddef.h>

/* The longest command line and reply (without the newline). */
#define NM_CONTROL_LINE_MAX 255
/* The most words in one command, the noun included. */
#define NM_CONTROL_WORDS_MAX 8
/* A socket client is not read while more reply bytes than this wait to be
 * sent to it (it does not read them): its commands wait in the kernel. */
#define NM_CONTROL_UNSENT_MAX (64 * 1024)

/* Handles the words after the noun (argc may be 0). On success returns 0 and
 * may write an INFO text to reply (it starts empty); on failure returns -1
 * with the error text in reply. reply has room for NM_CONTROL_LINE_MAX+1. */
typedef int (*nm_control_fn)(void *data, int argc, char **argv, char *reply, size_t size);

/* Registers the handler of a noun (lowercase letters, digits, '_'; at most
 * 15 characters). `help` is built in and lists the nouns registered.
 * Returns 0; -EEXIST when the noun is taken; -EINVAL for a bad noun;
 * -ENOSPC when the table is full. Registering again with the same handler
 * (a module opened twice) is not an error. */
int nm_control_register(const char *noun, nm_control_fn fn, void *data);

/* Runs one command line (no newline) and writes the reply line (no newline)
 * to reply, whose size should be NM_CONTROL_LINE_MAX+1. Returns 0 when the
 * reply is "ok...", -1 when it is "error...". */
int nm_control_execute(const char *line, char *reply, size_t size);
/* The same for a line of len bytes that may hold NUL bytes, which are
 * refused like every other control character. */
int nm_control_execute_bytes(const char *line, size_t len, char *reply, size_t size);

/* Listens on a new Unix socket at path, mode 0600, on the loop. The socket
 * never keeps the loop alive and is closed and unlinked at loop shutdown.
 * Refuses (negative errno) when path exists and is not a socket, or is a
 * socket another process still listens on (-EADDRINUSE); a stale socket
 * left by a dead run is replaced. */
int nm_control_listen(const char *path);

/* The path being listened on, or NULL. */
const char *nm_control_path(void);

#endif
