/*
 * loop.c — the deferred-task queue, drained by an idle handle.
 *
 * An active uv_idle_t keeps uv_run from blocking in poll, so posted tasks run
 * on the very next loop turn; the handle is stopped when the queue is empty so
 * that an empty queue never keeps the loop alive. The drain takes a snapshot:
 * tasks posted by a task run on the following turn, which lets I/O in between.
 */
#include "core/loop.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

static uv_idle_t drain_idle;
static uv_loop_t *ready_loop; /* the default loop, once the idle handle is set up */
static nm_task queue = {&queue, &queue, NULL, false};
static void (*shutdown_hooks[32])(void);
static int nshutdown_hooks;

static void queue_unlink(nm_task *task)
{
    task->prev->next = task->next;
    task->next->prev = task->prev;
    task->prev = task->next = NULL;
    task->posted = false;
}

static void drain_tasks(uv_idle_t *idle)
{
    (void)idle;
    nm_task batch = {&batch, &batch, NULL, false};
    if (queue.next == &queue) { /* every posted task was cancelled */
        uv_idle_stop(&drain_idle);
        return;
    }
    /* Move the whole queue to the local batch: later posts wait a turn. */
    batch.next = queue.next;
    batch.prev = queue.prev;
    batch.next->prev = &batch;
    batch.prev->next = &batch;
    queue.next = queue.prev = &queue;
    uv_idle_stop(&drain_idle);

    while (batch.next != &batch) {
        nm_task *task = batch.next;
        queue_unlink(task);
        task->fn(task);
    }
}

uv_loop_t *nm_loop(void)
{
    if (ready_loop == NULL) {
        ready_loop = uv_default_loop();
        uv_idle_init(ready_loop, &drain_idle);
    }
    return ready_loop;
}

void nm_task_post(nm_task *task, nm_task_fn fn)
{
    if (task->posted)
        return;
    nm_loop();
    task->fn = fn;
    task->posted = true;
    task->prev = queue.prev;
    task->next = &queue;
    queue.prev->next = task;
    queue.prev = task;
    if (!uv_is_active((uv_handle_t *)&drain_idle))
        uv_idle_start(&drain_idle, drain_tasks);
}

void nm_task_cancel(nm_task *task)
{
    if (task->posted)
        queue_unlink(task);
}

static bool loop_running;

int nm_loop_run(uv_run_mode mode)
{
    if (loop_running)
        return UV_EBUSY; /* uv_run is not reentrant */
    loop_running = true;
    int alive = uv_run(nm_loop(), mode);
    loop_running = false;
    return alive;
}

static void close_any(uv_handle_t *handle, void *arg)
{
    (void)arg;
    if (!uv_is_closing(handle))
        uv_close(handle, NULL);
}

void nm_loop_at_shutdown(void (*fn)(void))
{
    for (int i = 0; i < nshutdown_hooks; i++)
        if (shutdown_hooks[i] == fn)
            return;
    /* A fixed table: one hook per core module, known when the code is written. */
    if (nshutdown_hooks == (int)(sizeof(shutdown_hooks) / sizeof(shutdown_hooks[0]))) {
        fputs("netmcu: too many shutdown hooks\n", stderr);
        abort();
    }
    shutdown_hooks[nshutdown_hooks++] = fn;
}

void nm_loop_shutdown(void)
{
    if (ready_loop == NULL)
        return;
    for (int i = 0; i < nshutdown_hooks; i++)
        shutdown_hooks[i]();
    /* Tasks still posted own memory; their owners see that Lua is gone. */
    while (queue.next != &queue)
        drain_tasks(&drain_idle);
    uv_walk(uv_default_loop(), close_any, NULL);
    /* A uv_stop() still pending (a restart asked for before the loop ran)
     * makes the first uv_run return at once: run until every close is done. */
    while (uv_run(uv_default_loop(), UV_RUN_DEFAULT) != 0)
        continue;
    uv_loop_close(uv_default_loop());
    ready_loop = NULL;
}
