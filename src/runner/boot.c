/*
 * boot.c — the board's life cycle (see boot.h).
 */
#include "runner/boot.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/loop.h"
#include "core/timer.h"
#include "runtime/restart.h"
#include "runner/console.h"
#include "runtime/interrupt.h"
#include "runtime/loader.h"
#include "runtime/luacall.h"
#include "runtime/trace.h"
#include "runtime/modules.h"
#include "runtime/output.h"
#include "runtime/profile.h"
#include "runtime/reset.h"
#include "runtime/watchdog.h"
#include "modules/node.h"

/* The SDK each firmware era was built with, as its banner names it. */
#define SDK_15 "1.5.4.1(39cb9a32)"
#define SDK_22 "2.2.1(6ab97e9)"
#define SDK_30 "3.0.1-dev(fce080e)"

/* SIGTERM switches the board off. */
static bool powered_off(void)
{
    return nm_interrupted() == NM_INTERRUPT_STOP;
}

static void say(const char *text)
{
    nm_output_write(text, strlen(text), true);
}

/* The banner lua.c prints at power on: 1.5 and 2.2 one line (NODE_VERSION
 * names the SDK's version), 3.0 with the build's information
 * (user_version.h, tools/update_buildinfo.sh of each era). */
static void banner(lua_State *L)
{
    if (!nm_since(NM_ERA_2_2)) {
        lua_pushfstring(L, "\nNodeMCU 1.5.4.1 build netmcu-%s powered by %s on SDK %s\n", NETMCU_VERSION, LUA_RELEASE,
                        SDK_15);
    } else if (!nm_since(NM_ERA_3_0)) {
        lua_pushfstring(L, "\nNodeMCU 2.2.1.0 build netmcu-%s powered by %s on SDK %s\n", NETMCU_VERSION, LUA_RELEASE,
                        SDK_22);
    } else {
        nm_push_module_list(L);
        lua_pushfstring(L,
                        "\nNodeMCU 3.0.0.0 netmcu %s\n"
                        "\tbranch: netmcu\n"
                        "\tcommit: %s\n"
                        "\trelease: netmcu %s\n"
                        "\trelease DTS: \n"
                        "\tSSL: true\n"
                        "\tbuild type: float\n"
                        "\tLFS: %d bytes total capacity\n"
                        "\tmodules: %s\n"
                        " build netmcu-%s powered by %s on SDK %s\n",
                        NETMCU_VERSION, NETMCU_VERSION, NETMCU_VERSION, (int)NM_LFS_SIZE, lua_tostring(L, -1),
                        NETMCU_VERSION, LUA_RELEASE, SDK_30);
        lua_remove(L, -2);
    }
    say(lua_tostring(L, -1));
    lua_pop(L, 1);
}

/* Runs init.lua from the flash; a failure is reported as lua.c does: 1.5
 * prefixes the program name, 3.0 prints the bare message. */
static void run_init(lua_State *L)
{
    int base = lua_gettop(L);
    int status = nm_load_flash(L, "init.lua");
    if (status == LUA_OK) {
        nm_lua_push_traceback(L);
        lua_insert(L, base + 1);
        status = lua_pcall(L, 0, 0, base + 1);
    }
    if (status != LUA_OK && nm_interrupted() == NM_INTERRUPT_NONE) {
        const char *msg = lua_tostring(L, -1);
        if (!nm_since(NM_ERA_3_0))
            say("lua: ");
        say(msg ? msg : "(error object is not a string)");
        say("\n");
    }
    lua_settop(L, base);
}

/* The loop woke after SIGTERM (off) or the watchdog (a reset). */
static void on_interrupt(nm_interrupt why)
{
    if (why == NM_INTERRUPT_STOP) {
        uv_stop(nm_loop());
    } else if (why == NM_INTERRUPT_WATCHDOG) {
        nm_reset_request(NM_RESET_SOFT_WATCHDOG);
        nm_request_restart(NM_EXIT_WATCHDOG, "the watchdog: Lua kept the loop waiting for 3.2 s");
    }
}

/* Runs the loop of one power-on until the board reboots or is switched off. */
static void run(bool console)
{
    bool terminal = isatty(STDIN_FILENO);
    for (;;) {
        int alive = nm_loop_run(UV_RUN_DEFAULT);
        if (powered_off() || nm_restart_status())
            return;
        if (nm_lua_failed()) {    /* reported; the user at the console decides */
            nm_console_refresh(); /* the serial console shows the failure */
            nm_lua_clear_failure();
            continue;
        }
        if (console && nm_console_active()) {
            if (alive)
                continue;
            return; /* nothing, not even the console, can wake the loop */
        }
        if (console && terminal)
            return; /* Ctrl-D */
        if (console) {
            nm_console_stop(); /* Ctrl-C ends the run again */
            console = false;
        }
        if (!alive)
            return;
    }
}

/* One power-on: false when no state could be made. */
static bool power_on(nm_new_state_fn new_state, void *arg)
{
    nm_uptime_restart();
    nm_reset_power_on();
    lua_State *L = new_state(arg);
    if (L == NULL)
        return false;
    nm_interrupt_set_state(L);
    nm_watchdog_arm();

    banner(L);
    run_init(L);
    bool console = !nm_restart_status() && !powered_off() && nm_console_start(L);
    if (!nm_restart_status() && !powered_off())
        run(console);

    nm_watchdog_disarm();
    nm_console_stop();
    nm_interrupt_set_state(NULL); /* before the report: it may run Lua */
    nm_trace_report(L);
    nm_lua_forget();
    lua_close(L);
    nm_loop_shutdown(); /* what the state left open closes with the loop's handles */
    nm_lua_clear_failure();
    return true;
}

static void wake(uv_timer_t *timer)
{
    (void)timer;
    uv_stop(nm_loop());
}

/* SIGTERM while asleep switches the board off; a second one stays pending
 * until exit, as when awake. */
static void switch_off_asleep(uv_signal_t *handle, int signum)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, signum);
    sigprocmask(SIG_BLOCK, &set, NULL);
    *(bool *)handle->data = true;
    uv_stop(nm_loop());
}

/* Deep sleep between two power-ons: nothing runs until the RTC timer wakes
 * the board (us 0: nothing but being switched off ends it). Returns false
 * when the board was switched off while asleep. */
static bool sleep_deeply(uint64_t us)
{
    bool off = false;
    uv_signal_t sigterm;
    uv_timer_t timer;
    uv_signal_init(nm_loop(), &sigterm);
    sigterm.data = &off;
    uv_signal_start(&sigterm, switch_off_asleep, SIGTERM);
    if (us > 0) {
        uv_timer_init(nm_loop(), &timer);
        uv_timer_start(&timer, wake, (us + 999) / 1000, 0);
    }
    nm_loop_run(UV_RUN_DEFAULT);
    nm_loop_shutdown();
    return !off;
}

int nm_boot_run(nm_new_state_fn new_state, void *arg)
{
    nm_set_rebooting(true);
    nm_interrupt_watch_signals(true, on_interrupt); /* the console's Ctrl-C takes over while it runs */
    for (;;) {
        if (!power_on(new_state, arg))
            return 1;
        if (powered_off() || !nm_restart_status())
            return 0;
        if (nm_restart_status() == NM_EXIT_DEEP_SLEEP && !sleep_deeply(nm_node_sleep_us()))
            return 0;
        nm_clear_restart();
        nm_interrupt_clear_watchdog();
    }
}
