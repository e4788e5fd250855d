/*
 * harness.h — what every C test of the core shares: its cases reported in
 * TAP ("ok N - name" / "not ok N - name: why", the plan "1..N" at exit), and
 * cases that run the loop under a timer bounding them. Included by exactly
 * one file per test program.
 */
#ifndef NETMCU_TEST_HARNESS_H
#define NETMCU_TEST_HARNESS_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/loop.h"

static int failures;
static const char *case_name;
static char case_failure[256];

/* Records the first failed condition of the running case. */
#define CHECK(cond, ...)                                                                                               \
    do {                                                                                                               \
        if (!(cond) && case_failure[0] == '\0')                                                                        \
            snprintf(case_failure, sizeof(case_failure), __VA_ARGS__);                                                 \
    } while (0)

static int reported;

static inline void print_plan(void)
{
    printf("1..%d\n", reported);
    fflush(stdout);
}

static inline void report(const char *name, int good, const char *why)
{
    if (reported++ == 0)
        atexit(print_plan);
    if (good) {
        printf("ok %d - %s\n", reported, name);
    } else {
        printf("not ok %d - %s: %s\n", reported, name, why);
        failures++;
    }
    fflush(stdout);
}

/* Reports a failed check made after a case ran: name, then printf's format. */
static inline void report_failure(const char *name, const char *fmt, ...)
{
    char why[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    report(name, 0, why);
}

static uv_timer_t bound_timer;

static inline void on_bound(uv_timer_t *timer)
{
    (void)timer;
    CHECK(0, "timed out");
    uv_stop(nm_loop());
}

/* Runs body, then the loop until nothing is left, or for at most `seconds`. */
static inline void run_case(const char *name, void (*body)(void), unsigned seconds)
{
    case_name = name;
    case_failure[0] = '\0';
    uv_timer_init(nm_loop(), &bound_timer);
    uv_timer_start(&bound_timer, on_bound, seconds * 1000ull, 0);
    uv_unref((uv_handle_t *)&bound_timer);
    body();
    nm_loop_run(UV_RUN_DEFAULT);
    uv_close((uv_handle_t *)&bound_timer, NULL);
    nm_loop_run(UV_RUN_NOWAIT);
    report(name, case_failure[0] == '\0', case_failure);
}

#endif
