/*
 * loop.h — the one event loop, and the queue of work deferred to it.
 *
 * Everything in netmcu runs on libuv's default loop, in one thread. A result
 * that is known while an API call is still running (a write the kernel took at
 * once, a connect refused up front) must still reach the script later, from
 * the loop: such work is posted as an nm_task and run on the next loop turn.
 * Tasks are intrusive (the owner embeds them), so posting never allocates.
 */
#ifndef NETMCU_LOOP_H
#define NETMCU_LOOP_H

#include <errno.h>
#include <stdbool.h>
#include <uv.h>

/*
 * The error rule of core. A core function that can fail returns an int (or a
 * count, ssize_t/int64_t) that is 0 or more on success and a negative libuv
 * code on failure: UV_ENOENT, UV_EINVAL, UV_ENOMEM, ... — the codes libuv's
 * own functions and callbacks report, so one status type flows from the loop
 * to the bindings, which turn it into the firmware's text (netaddr.h) or a
 * Lua error. A failed system call becomes nm_uv_error(errno) (on Linux libuv's
 * codes are the negated errno values, so a -errno is one too). A bool is kept
 * only for a question (nm_flash_chosen, nm_timer_active), never for a failure;
 * NULL is the failure of a function that returns an object (out of memory).
 */
static inline int nm_uv_error(int sys_errno)
{
    return uv_translate_sys_error(sys_errno);
}

typedef struct nm_task nm_task;
typedef void (*nm_task_fn)(nm_task *task);

struct nm_task {
    nm_task *prev, *next; /* in the loop's queue while posted */
    nm_task_fn fn;
    bool posted;
};

uv_loop_t *nm_loop(void);

/* Runs fn(task) on a later loop turn; posting a task that is already posted does nothing. */
void nm_task_post(nm_task *task, nm_task_fn fn);
/* Takes a posted task off the queue, so that its owner may be freed. */
void nm_task_cancel(nm_task *task);

/* Runs the loop as uv_run does; returns non-zero while handles remain active,
 * or UV_EBUSY when called from inside the running loop. */
int nm_loop_run(uv_run_mode mode);
/* Registers fn to run first thing in nm_loop_shutdown (once per fn), so that
 * a core module can close what no Lua object owns any more. */
void nm_loop_at_shutdown(void (*fn)(void));
/* Closes every handle still open and runs the loop until they are gone (at exit). */
void nm_loop_shutdown(void);

#endif
