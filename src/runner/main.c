/*
 * main.c — the netmcu runner.
 *
 * Embeds Lua, opens the modules as globals (as the firmware does), runs the
 * script or chunks from the command line, then runs the event loop until no
 * handle can produce an event; with no script on a terminal, or with -i, the
 * console runs on the same loop until Ctrl-D. The exit status is 0, 1 after
 * a load error or an unhandled error in a callback, 3 after node.restart()
 * and 4 when tmr.softwd() expired. SIGTERM, and SIGINT outside the console,
 * stop the run cleanly with status 0 even while Lua is busy
 * (runtime/interrupt.h). With --boot it runs the board's life cycle instead
 * (runner/boot.h).
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runner/boot.h"
#include "runtime/compat.h"
#include "runner/console.h"
#include "runtime/device.h"
#include "runtime/devicelua.h"
#include "runtime/fastfn.h"
#include "core/control.h"
#include "core/flash.h"
#include "core/gpio.h"
#include "core/loop.h"
#include "core/rxchunk.h"
#include "core/setups.h"
#include "core/timer.h"
#include "runtime/heap.h"
#include "runtime/interrupt.h"
#include "runtime/luacall.h"
#include "runtime/modules.h"
#include "modules/net/cert.h"
#include "runtime/restart.h"
#include "core/radio.h"
#include "runtime/profile.h"
#include "runtime/reset.h"
#include "runner/serial.h"
#include "runtime/trace.h"

enum { EXIT_OK = 0, EXIT_ERROR = 1, EXIT_USAGE = 2 };

typedef struct run_options {
    const char *chunks[16]; /* -e arguments, in order */
    int nchunks;
    const char *script;      /* NULL: none; "-": standard input */
    int script_index;        /* argv index of the script, for the arg table */
    bool interactive;        /* the console after the script (-i, or a terminal) */
    size_t heap;             /* the Lua heap budget in bytes, 0: default */
    bool serial;             /* the console on a pseudo-terminal */
    const char *serial_link; /* a path to link to its device, or NULL */
    bool boot;               /* --boot: the board's life cycle instead of a script */
    const char *flash;       /* the flash folder, NULL: the working directory */
    size_t flash_size;       /* the file system's size in bytes, 0: default */
    const char *control;     /* the control socket's path (--control), or NULL */
    const char *lua;         /* --lua=NAME: the Lua the script needs, or NULL */
    bool version;            /* -v: print the version and stop */
} run_options;

static void usage(FILE *out)
{
    fputs("usage: netmcu [options] [script [args...]]\n"
          "  -e chunk        run the Lua chunk\n"
          "  -i              the interactive console after the script\n"
          "  --heap=SIZE     the Lua heap budget node.heap() reports (e.g. 64m; default 256m)\n"
          "  -v              print the version\n"
          "  --lua=5.3       run on the Lua 5.3 runner (firmware built with LUA=53); the\n"
          "                  default is Lua 5.1, the device's (also 5.4, luajit when built)\n"
          "  --boot          power the board on: banner, init.lua from the flash, the console;\n"
          "                  node.restart() reboots\n"
          "  --flash DIR     the folder holding the flash file system (default:\n"
          "                  $NETMCU_FLASH, else the working directory)\n"
          "  --flash-size=SIZE  the file system partition (e.g. 1m; default that of a 4 MB board)\n"
          "  --compat=1.5    firmware behaviour of the seed documentation (default)\n"
          "  --compat=2.2    firmware behaviour of release 2.2.1 (2019): the lwIP-based net\n"
          "                  module, the tls module, both tmr APIs\n"
          "  --compat=3.0    firmware behaviour of the 3.0 release\n"
          "  --serial [PATH] the console on a pseudo-terminal, as the board's UART; prints\n"
          "                  its device and links PATH to it (PATH: not an option or *.lua)\n"
          "  --control=PATH  serve the control channel on a Unix socket at PATH (owner-only)\n"
          "  --clock=N       the board's clock runs N times the host's (timers, tmr.now,\n"
          "                  the wifi delays; 0.01 to 10000); network I/O keeps real time\n"
          "  --trace=LIST    a line on stderr per API call and callback of the modules\n"
          "                  listed (net,tmr,wifi,file,gpio,...; all), and with report\n"
          "                  the objects still anchored at the end (also $NETMCU_TRACE)\n"
          "  --device=esp8266  the ESP8266's limits: 40 KB of heap, 5 TCP connections,\n"
          "                  the send buffer, the http response, received data in\n"
          "                  pieces of 1460 bytes\n"
          "  --rx-chunks=N   deliver received TCP data in pieces of at most N bytes (the\n"
          "                  device: 1460); random[:SEED]: pieces of random sizes\n"
          "  --gpio-trace    print every change of a gpio pin's level or mode (and pwm) on stderr\n"
          "  --board=BOARD   devkit (default: D0, D3, D4 read high undriven) or module (a bare ESP-12)\n"
          "  --ip=ADDR       the host address the wifi station reports (default: the host's own)\n"
          "  --wifi=LINK     the simulated access point at power-on: up (default), offline, wrongpwd\n"
          "  --ca-system     secure sockets verify servers against the system's CA store\n"
          "  -               run the script read from standard input\n"
          "Without a script or -e: the console on a terminal, otherwise the script\n"
          "is read from standard input.\n",
          out);
}

/* --trace=LIST and NETMCU_TRACE: an unknown word is a usage error. */
static void select_trace(const char *what, const char *list)
{
    const char *bad;
    if (!nm_trace_select(list, &bad)) {
        fprintf(stderr, "netmcu: %s: unknown module '%.*s' (module names, all or report)\n", what,
                (int)strcspn(bad, ","), bad);
        exit(EXIT_USAGE);
    }
}

/* `--serial PATH`: the next argument is the link unless it is an option or a script. */
static bool takes_link(const char *next)
{
    size_t n = next ? strlen(next) : 0;
    return n > 0 && next[0] != '-' && !(n > 4 && strcmp(next + n - 4, ".lua") == 0);
}

static int parse_args(int argc, char **argv, run_options *opt)
{
    int i;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-e") == 0) {
            if (i + 1 >= argc || opt->nchunks == 16)
                return -1;
            opt->chunks[opt->nchunks++] = argv[++i];
        } else if (strcmp(a, "-v") == 0 || strcmp(a, "--version") == 0) {
            opt->version = true;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            exit(EXIT_OK);
        } else if (strcmp(a, "-i") == 0) {
            opt->interactive = true;
        } else if (strncmp(a, "--heap=", 7) == 0) {
            opt->heap = nm_heap_parse(a + 7);
            if (opt->heap == 0)
                return -1;
        } else if (strcmp(a, "--boot") == 0) {
            opt->boot = true;
        } else if (strcmp(a, "--flash") == 0 || strncmp(a, "--flash=", 8) == 0) {
            if (a[7] == '\0' && i + 1 >= argc)
                return -1;
            opt->flash = a[7] == '=' ? a + 8 : argv[++i];
        } else if (strncmp(a, "--flash-size=", 13) == 0) {
            opt->flash_size = nm_heap_parse(a + 13);
            if (opt->flash_size == 0)
                return -1;
        } else if (strncmp(a, "--lua=", 6) == 0) {
            opt->lua = a + 6;
        } else if (strncmp(a, "--compat=", 9) == 0) {
            if (!nm_profile_set(a + 9)) {
                fprintf(stderr, "netmcu: unknown profile '%s' (1.5, 2.2 or 3.0)\n", a + 9);
                exit(EXIT_USAGE);
            }
        } else if (strcmp(a, "--serial") == 0 || strncmp(a, "--serial=", 9) == 0) {
            opt->serial = true;
            opt->serial_link = a[8] == '=' ? a + 9 : takes_link(argv[i + 1]) ? argv[++i] : NULL;
        } else if (strncmp(a, "--control=", 10) == 0 || strcmp(a, "--control") == 0) {
            if (a[9] == '\0' && i + 1 >= argc)
                return -1;
            opt->control = a[9] == '=' ? a + 10 : argv[++i];
        } else if (strncmp(a, "--clock=", 8) == 0) {
            char *end;
            if (!nm_clock_set_factor(strtod(a + 8, &end)) || *end != '\0') {
                fprintf(stderr, "netmcu: --clock=%s: a factor from 0.01 to 10000\n", a + 8);
                exit(EXIT_USAGE);
            }
        } else if (strncmp(a, "--device=", 9) == 0) {
            if (!nm_device_select(a + 9)) {
                fprintf(stderr, "netmcu: --device=%s: esp8266 or host\n", a + 9);
                exit(EXIT_USAGE);
            }
        } else if (strncmp(a, "--rx-chunks=", 12) == 0) {
            if (!nm_rxchunk_set(a + 12)) {
                fprintf(stderr, "netmcu: --rx-chunks=%s: a size from 1 to 65536, random or random:SEED\n", a + 12);
                exit(EXIT_USAGE);
            }
        } else if (strncmp(a, "--trace=", 8) == 0) {
            select_trace("--trace", a + 8);
        } else if (strcmp(a, "--gpio-trace") == 0) {
            nm_gpio_set_trace(true);
        } else if (strcmp(a, "--board=devkit") == 0 || strcmp(a, "--board=module") == 0) {
            nm_gpio_set_bare_module(a[8] == 'm');
        } else if (strncmp(a, "--ip=", 5) == 0) {
            if (nm_radio_set_address(a + 5) != 0) {
                fprintf(stderr, "netmcu: --ip=%s is not an IPv4 address of this host\n", a + 5);
                exit(EXIT_USAGE);
            }
        } else if (strncmp(a, "--wifi=", 7) == 0) {
            if (nm_radio_set_start_link(a + 7) != 0)
                return -1;
        } else if (strcmp(a, "--ca-system") == 0) {
            net_cert_trust_system();
        } else if (strcmp(a, "--") == 0) {
            i++;
            break;
        } else if (a[0] == '-' && a[1] != '\0') {
            return -1;
        } else {
            break;
        }
    }
    if (opt->boot) /* the board runs init.lua, not a script */
        return i < argc || opt->nchunks > 0 ? -1 : 0;
    if (i < argc) {
        opt->script = argv[i];
        opt->script_index = i;
    } else if (opt->nchunks == 0 && !opt->interactive && !opt->serial && !isatty(STDIN_FILENO)) {
        opt->script = "-";
        opt->script_index = argc;
    } else if (opt->nchunks == 0 && !opt->serial) {
        opt->interactive = true;
        opt->script_index = argc;
    }
    if (opt->serial)
        opt->interactive = true; /* the console is on the pty, never on stdin */
    return 0;
}

/* Where the runner for Lua NAME is, next to this one: the build folder
 * `make` gives it (build/ for the default Lua 5.1, build-NAME/ for the
 * others), else an installed `netmcu-NAME` beside this binary. */
static bool find_runner(const char *name, char *path, size_t size)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return false;
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    *slash = '\0';
    bool default_lua = strcmp(name, "5.1") == 0;
    int len = default_lua ? snprintf(path, size, "%s/../build/netmcu", self)
                          : snprintf(path, size, "%s/../build-%s/netmcu", self, name);
    if (len > 0 && (size_t)len < size && access(path, X_OK) == 0)
        return true;
    return (size_t)snprintf(path, size, "%s/netmcu-%s", self, name) < size && access(path, X_OK) == 0;
}

/* --lua=NAME for another Lua than this build's: the same command line, run by
 * that Lua's runner (which finds itself named and goes on). Returns only on
 * failure. */
static int run_other_lua(const char *name, char **argv)
{
    static const char *const known[] = {"5.1", "5.3", "5.4", "luajit", NULL};
    bool valid = false;
    for (int i = 0; known[i]; i++)
        valid = valid || strcmp(name, known[i]) == 0;
    if (!valid) {
        fprintf(stderr, "netmcu: --lua=%s: not a Lua (5.1, 5.3, 5.4 or luajit)\n", name);
        return EXIT_USAGE;
    }
    if (getenv("NETMCU_LUA_REEXEC")) { /* that runner was built for another Lua */
        fprintf(stderr, "netmcu: --lua=%s: the runner found is built for Lua %s\n", name, NM_LUA_NAME);
        return EXIT_USAGE;
    }
    char path[PATH_MAX];
    if (!find_runner(name, path, sizeof path)) {
        fprintf(stderr, "netmcu: --lua=%s: no Lua %s runner beside this one (`make LUA=%s` builds it)\n", name, name,
                name);
        return EXIT_USAGE;
    }
    setenv("NETMCU_LUA_REEXEC", "1", 1);
    execv(path, argv);
    fprintf(stderr, "netmcu: --lua=%s: %s: %s\n", name, path, strerror(errno));
    return EXIT_ERROR;
}

/* The arg table as lua.c builds it: arg[0] the script, arg[1..] its arguments. */
static void set_arg_table(lua_State *L, int argc, char **argv, int script_index)
{
    lua_newtable(L);
    for (int i = 0; i < argc; i++) {
        lua_pushstring(L, argv[i]);
        lua_rawseti(L, -2, i - script_index);
    }
    lua_setglobal(L, "arg");
}

/* SIGTERM or SIGINT (outside the console) asked the run to end. */
static bool stopping(void)
{
    return nm_interrupted() == NM_INTERRUPT_STOP;
}

static bool report_status(lua_State *L, int status)
{
    if (status == LUA_OK)
        return true;
    if (nm_interrupted() != NM_INTERRUPT_NONE) { /* the error that took Lua back: no error of the script's */
        lua_pop(L, 1);
        return false;
    }
    const char *msg = lua_tostring(L, -1);
    fprintf(stderr, "netmcu: %s\n", msg ? msg : "(error object is not a string)");
    lua_pop(L, 1);
    return false;
}

static bool run_loaded(lua_State *L, int nargs)
{
    int base = lua_gettop(L) - nargs;
    nm_lua_push_traceback(L);
    lua_insert(L, base);
    int status = lua_pcall(L, nargs, 0, base);
    lua_remove(L, base);
    return report_status(L, status);
}

static bool run_script(lua_State *L, const run_options *opt, int argc, char **argv)
{
    const char *name = strcmp(opt->script, "-") == 0 ? NULL : opt->script;
    if (!report_status(L, luaL_loadfile(L, name)))
        return false;
    int nargs = 0;
    for (int i = opt->script_index + 1; i < argc; i++, nargs++)
        lua_pushstring(L, argv[i]);
    return run_loaded(L, nargs);
}

/* The loop woke after SIGTERM or SIGINT: the run ends after this turn. */
static void stop_on_signal(nm_interrupt why)
{
    if (why == NM_INTERRUPT_STOP)
        uv_stop(nm_loop());
}

/* The heap budget: --heap, else NETMCU_HEAP, else the default. */
static size_t heap_budget(const run_options *opt)
{
    const char *env = getenv("NETMCU_HEAP");
    if (opt->heap)
        return opt->heap;
    if (env && *env) {
        size_t n = nm_heap_parse(env);
        if (n)
            return n;
        fprintf(stderr, "netmcu: NETMCU_HEAP=%s is not a size; using the default\n", env);
    }
    return NM_HEAP_DEFAULT;
}

/* Runs the loop; with a console, until the console ends. An unhandled
 * error in a callback is reported and the console goes on, since the user
 * is there to see it (the device would restart). */
static void run_loop(bool console)
{
    while (!stopping()) {
        nm_loop_run(UV_RUN_DEFAULT);
        if (!console || !nm_console_active() || stopping() || nm_restart_status())
            return;
        if (nm_lua_failed()) {
            nm_console_refresh();
            nm_lua_clear_failure();
        }
    }
}

typedef struct board {
    const run_options *opt;
    int argc;
    char **argv;
} board;

/* A Lua state with the modules open as globals, as the firmware has them. */
static lua_State *new_board(void *arg)
{
    const board *b = arg;
    lua_State *L = nm_heap_newstate(heap_budget(b->opt));
    if (L == NULL) {
        fputs("netmcu: cannot create a Lua state\n", stderr);
        return NULL;
    }
    /* A reboot closes every handle, the control channel's too: serve it again. */
    if (b->opt->control && nm_control_path() == NULL && nm_control_listen(b->opt->control) != 0) {
        fprintf(stderr, "netmcu: --control %s: cannot serve it again\n", b->opt->control);
        lua_close(L);
        return NULL;
    }
    luaL_openlibs(L);
    nm_fastfn_guard(L);
    nm_device_lua_open(L);
    nm_open_board_modules(L);
    nm_device_open(L);
    nm_trace_install(L);
    set_arg_table(L, b->argc, b->argv, b->opt->script ? b->opt->script_index : 0);
    return L;
}

int main(int argc, char **argv)
{
    run_options opt = {0};
    if (getenv("NETMCU_TRACE") != NULL)
        select_trace("NETMCU_TRACE", getenv("NETMCU_TRACE"));
    if (parse_args(argc, argv, &opt) != 0) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (opt.lua && strcmp(opt.lua, NM_LUA_NAME) != 0)
        return run_other_lua(opt.lua, argv);
    unsetenv("NETMCU_LUA_REEXEC"); /* a script's own netmcu runs start afresh */
    if (nm_rxchunk_random())       /* the seed that reproduces this run's pieces */
        fprintf(stderr, "netmcu: --rx-chunks=random:%lu\n", nm_rxchunk_seed());
    if (opt.version) {
        printf("netmcu %s (%s, libuv %s)\n", NETMCU_VERSION, LUA_RELEASE, uv_version_string());
        return EXIT_OK;
    }
    signal(SIGPIPE, SIG_IGN);
    nm_setups_report_at_exit();
    if (opt.flash == NULL && getenv("NETMCU_FLASH") && *getenv("NETMCU_FLASH"))
        opt.flash = getenv("NETMCU_FLASH");
    int rc = nm_flash_configure(opt.flash, opt.flash_size);
    if (rc != 0) {
        fprintf(stderr, "netmcu: flash %s: %s\n", opt.flash ? opt.flash : ".", strerror(-rc));
        return EXIT_USAGE;
    }

    int crc = opt.control ? nm_control_listen(opt.control) : 0;
    if (crc != 0) {
        fprintf(stderr, "netmcu: --control %s: %s\n", opt.control, uv_strerror(crc));
        return EXIT_USAGE;
    }
    if (opt.serial && !nm_serial_open(opt.serial_link))
        return EXIT_ERROR;
    nm_set_rebooting(opt.serial || opt.boot); /* --serial alone reboots by exec */
    board b = {&opt, argc, argv};
    if (opt.boot) {
        rc = nm_boot_run(new_board, &b);
        nm_serial_stop();
        return rc;
    }
    lua_State *L = new_board(&b);
    if (L == NULL)
        return EXIT_ERROR;

    /* While the console runs, its own SIGINT handler takes over (interrupt,
     * not stop), and gives SIGINT back when it ends. */
    nm_interrupt_watch_signals(true, stop_on_signal);
    nm_interrupt_set_state(L);

    bool ok = true;
    for (int i = 0; ok && i < opt.nchunks; i++)
        ok = report_status(L, luaL_loadbuffer(L, opt.chunks[i], strlen(opt.chunks[i]), "=(command line)")) &&
             run_loaded(L, 0);
    if (ok && opt.script)
        ok = run_script(L, &opt, argc, argv);
    /* The board's console comes up whatever the script did. */
    ok = ok || opt.serial;
    bool console = ok && opt.interactive && !nm_restart_status() && !stopping() && nm_console_start(L);
    if (ok && !nm_restart_status())
        run_loop(console);
    if (nm_lua_failed())
        ok = false;
    if (stopping()) /* a clean stop, whatever the interrupted code was doing */
        ok = true;
    int restart = nm_restart_status();
    nm_console_stop();

    nm_interrupt_set_state(NULL); /* before the report: it may run Lua */
    nm_trace_report(L);
    nm_lua_forget();
    lua_close(L);
    nm_loop_shutdown();
    nm_lua_clear_failure();
    if (restart && opt.serial) {
        nm_reset_request(NM_RESET_SOFT_RESTART); /* unless a cause was given: it goes through exec */
        nm_serial_reboot(argv);                  /* the board boots again on the same pty */
    }
    nm_serial_stop();
    if (restart)
        return restart;
    return ok ? EXIT_OK : EXIT_ERROR;
}
