/*
 * watchdog.c — Lua that keeps the board's loop waiting resets it (watchdog.h).
 */
#include "runtime/watchdog.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <uv.h>

#include "core/loop.h"
#include "runtime/interrupt.h"

#define LOOK_EVERY_NS 100000000L

/* When the loop stopped waiting (monotonic ms + 1), 0 while it waits. */
static atomic_int_least64_t busy_since;
static atomic_bool armed, fired;
static bool thread_started, handles_ready;
static pthread_t main_thread;
static uv_prepare_t before_wait;
static uv_check_t after_wait;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + 1;
}

static void on_before_wait(uv_prepare_t *handle)
{
    (void)handle;
    atomic_store(&busy_since, 0);
}

static void on_after_wait(uv_check_t *handle)
{
    (void)handle;
    atomic_store(&busy_since, now_ms());
}

/* On the main thread, where Lua runs. */
static void on_alarm(int signum)
{
    (void)signum;
    nm_interrupt_raise(NM_INTERRUPT_WATCHDOG);
}

static void *watch(void *arg)
{
    (void)arg;
    for (;;) {
        struct timespec pause = {0, LOOK_EVERY_NS};
        nanosleep(&pause, NULL);
        int64_t since = atomic_load(&busy_since);
        if (!atomic_load(&armed) || atomic_load(&fired) || since == 0 || now_ms() - since < NM_WATCHDOG_MS)
            continue;
        atomic_store(&fired, true);
        pthread_kill(main_thread, SIGALRM);
    }
    return NULL;
}

/* The thread takes no signal meant for the process: they go to the main thread. */
static void start_thread(void)
{
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pthread_t thread;
    if (pthread_create(&thread, NULL, watch, NULL) == 0) {
        pthread_detach(thread);
        thread_started = true;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

void nm_watchdog_arm(void)
{
    main_thread = pthread_self();
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);
    if (!handles_ready) {
        uv_prepare_init(nm_loop(), &before_wait);
        uv_check_init(nm_loop(), &after_wait);
        uv_prepare_start(&before_wait, on_before_wait);
        uv_check_start(&after_wait, on_after_wait);
        uv_unref((uv_handle_t *)&before_wait);
        uv_unref((uv_handle_t *)&after_wait);
        handles_ready = true;
    }
    atomic_store(&busy_since, now_ms()); /* init.lua runs before the loop */
    atomic_store(&fired, false);
    atomic_store(&armed, true);
    if (!thread_started)
        start_thread();
}

void nm_watchdog_disarm(void)
{
    atomic_store(&armed, false);
    if (handles_ready) {
        uv_close((uv_handle_t *)&before_wait, NULL);
        uv_close((uv_handle_t *)&after_wait, NULL);
        handles_ready = false;
    }
}

void nm_watchdog_feed(void)
{
    if (atomic_load(&busy_since) != 0)
        atomic_store(&busy_since, now_ms());
}
