/*
 * boot.c — the board's life cycle (see boot.h).
 */
#include "runtime/boot.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/loop.h"
#include "core/timer.h"
#include "modules/node.h"
#include "runtime/console.h"
#include "runtime/loader.h"
#include "runtime/luacall.h"
#include "runtime/trace.h"
#include "runtime/modules.h"
#include "runtime/output.h"
#include "runtime/profile.h"

/* The SDK each firmware era was built with, as its banner names it. */
#define SDK_15 "1.5.4.1(39cb9a32)"
#define SDK_22 "2.2.1(6ab97e9)"
#define SDK_30 "3.0.1-dev(fce080e)"

static bool powered_off;

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
        lua_pushfstring(L, "\nNodeMCU 1.5.4.1 build netmcu-%s powered by %s on SDK %s\n", NETMCU_VERSION,
                        LUA_RELEASE, SDK_15);
    } else if (!nm_since(NM_ERA_3_0)) {
        lua_pushfstring(L, "\nNodeMCU 2.2.1.0 build netmcu-%s powered by %s on SDK %s\n", NETMCU_VERSION,
                        LUA_RELEASE, SDK_22);
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
                        "\tLFS: 0 bytes total capacity\n"
                        "\tmodules: %s\n"
                        " build netmcu-%s powered by %s on SDK %s\n",
                        NETMCU_VERSION, NETMCU_VERSION, NETMCU_VERSION, lua_tostring(L, -1), NETMCU_VERSION,
                        LUA_RELEASE, SDK_30);
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
    if (status != LUA_OK) {
        const char *msg = lua_tostring(L, -1);
        if (!nm_since(NM_ERA_3_0))
            say("lua: ");
        say(msg ? msg : "(error object is not a string)");
        say("\n");
    }
    lua_settop(L, base);
}

static void on_sigterm(uv_signal_t *handle, int signum)
{
    (void)handle;
    /* A second one (timeout(1) signals the process and its group) would find
     * the default action once the loop's handles are closed, and kill the
     * board half way through switching off: it stays pending until exit. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, signum);
    sigprocmask(SIG_BLOCK, &set, NULL);
    powered_off = true;
    uv_stop(nm_loop());
}

/* Runs the loop of one power-on until the board reboots or is switched off. */
static void run(bool console)
{
    bool terminal = isatty(STDIN_FILENO);
    for (;;) {
        int alive = nm_loop_run(UV_RUN_DEFAULT);
        if (powered_off || nm_node_restart_status())
            return;
        if (nm_lua_failed()) { /* reported; the user at the console decides */
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
    lua_State *L = new_state(arg);
    if (L == NULL)
        return false;
    uv_signal_t sigterm;
    uv_signal_init(nm_loop(), &sigterm);
    uv_signal_start(&sigterm, on_sigterm, SIGTERM);
    uv_unref((uv_handle_t *)&sigterm);

    banner(L);
    run_init(L);
    bool console = !nm_node_restart_status() && nm_console_start(L);
    if (!nm_node_restart_status())
        run(console);

    nm_console_stop();
    nm_trace_report(L);
    nm_lua_forget();
    lua_close(L);
    nm_loop_shutdown(); /* what the state left open closes with the loop's handles */
    nm_lua_clear_failure();
    return true;
}

int nm_boot_run(nm_new_state_fn new_state, void *arg)
{
    nm_node_set_rebooting(true);
    powered_off = false;
    for (;;) {
        if (!power_on(new_state, arg))
            return 1;
        if (powered_off || !nm_node_restart_status())
            return 0;
        nm_node_clear_restart();
    }
}
