/*
 * console.c — the interactive console: readline on the loop, and Ctrl-C.
 *
 * Ctrl-C has to work both when the loop sleeps (drop the typed line) and
 * when Lua is running a runaway chunk or callback (interrupt it), and a
 * running chunk never returns to the loop. So SIGINT gets a plain signal
 * handler that does both things lua.c and libuv allow there: it sets a count
 * hook, which raises "interrupted!" in Lua code that is running, and wakes
 * the loop through a uv_async_t. When the loop wakes with the hook still
 * unused, no Lua code was running: the hook is removed and the typed line
 * dropped instead. A second Ctrl-C before either happened ends the process.
 */
#include "runner/console.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/bytebuf.h"
#include "core/loop.h"
#include "runtime/restart.h"
#include "runtime/input.h"
#include "runtime/luacall.h"
#include "runtime/output.h"
#include "runtime/plugin.h"
#include "runtime/repl.h"
#include "runner/forward.h"
#include "runner/line_editor.h"
#include "runner/serial.h"

static lua_State *console_L;
static bool started, active, use_readline, in_line_handler;
static bool on_serial; /* the console is the pty of --serial */
static int stdin_flags = -1;
static uv_poll_t stdin_poll;
static bool polling;
static uv_async_t interrupt_async;
static uv_signal_t winch;
static struct sigaction old_sigint;
static const nm_line_editor *editor; /* readline's, on a terminal (use_readline) */
static volatile sig_atomic_t hook_pending;

/* Input of a console without readline, split into lines here. */
static nm_bytebuf input; /* typed or piped bytes not yet run as lines */

static const char *prompt(void)
{
    return nm_repl_continuing() ? ">> " : "> ";
}

static void end_console(void)
{
    if (!active)
        return;
    active = false;
    if (use_readline) {
        editor->stop();
        fputc('\n', stdout);
        fflush(stdout);
    }
    if (polling)
        uv_poll_stop(&stdin_poll);
    uv_stop(nm_loop());
}

/* ---- Ctrl-C -------------------------------------------------------------- */

static void interrupt_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    hook_pending = 0;
    lua_sethook(L, NULL, 0, 0);
    luaL_error(L, "interrupted!");
}

static void on_sigint(int signum)
{
    static const char msg[] = "\nnetmcu: interrupted twice, exiting\n";
    if (hook_pending) {
        /* The first Ctrl-C found neither Lua code nor the loop to take it
         * (C code blocking, e.g. a long tmr.delay): die as by default. */
        if (use_readline)
            editor->deprep();
        if (write(STDERR_FILENO, msg, sizeof msg - 1) < 0) {
            /* nothing more to do */
        }
        signal(signum, SIG_DFL);
        raise(signum);
        return;
    }
    hook_pending = 1;
    lua_sethook(console_L, interrupt_hook, LUA_MASKCALL | LUA_MASKRET | LUA_MASKCOUNT, 1);
    uv_async_send(&interrupt_async); /* async-signal-safe */
}

/* Ctrl-C at the prompt: forget the typed line and any unfinished chunk. */
static void drop_line(void)
{
    nm_repl_reset();
    if (!active || !use_readline)
        return;
    editor->drop_line(prompt());
}

static void on_interrupt(uv_async_t *handle)
{
    (void)handle;
    if (!hook_pending)
        return; /* it interrupted running Lua code */
    hook_pending = 0;
    lua_sethook(console_L, NULL, 0, 0);
    if (on_serial)
        end_console(); /* Ctrl-C where netmcu runs, not on the board's line: the end */
    else
        drop_line();
}

/* ---- readline ------------------------------------------------------------ */

/* Output from callbacks while the user types: take the prompt and the
 * typed text off the screen, write, then draw them again below. */
static void output_hook(bool before)
{
    if (!active || !use_readline || in_line_handler)
        return;
    if (before)
        editor->hide();
    else
        editor->show();
}

static void on_line(char *line)
{
    if (line == NULL) { /* Ctrl-D on an empty line */
        end_console();
        return;
    }
    in_line_handler = true;
    nm_input_line(line, strlen(line));
    in_line_handler = false;
    free(line);
    if (active)
        editor->set_prompt(prompt());
}

static void on_winch(uv_signal_t *handle, int signum)
{
    (void)handle;
    (void)signum;
    if (active && use_readline)
        editor->resize();
}

/* ---- without a terminal -------------------------------------------------- */

/* Whether more typed lines may run: not after node.restart(). */
static bool taking_lines(void)
{
    return active && nm_restart_status() == 0;
}

static void run_lines(bool at_eof)
{
    size_t start = 0;
    for (size_t i = 0; i < input.len && taking_lines(); i++) {
        if (input.data[i] == '\n') {
            size_t len = i - start;
            if (len > 0 && input.data[start + len - 1] == '\r')
                len--;
            nm_input_line(input.data + start, len);
            start = i + 1;
        }
    }
    if (at_eof && start < input.len && taking_lines()) {
        nm_input_line(input.data + start, input.len - start);
        start = input.len;
    }
    nm_bytebuf_consume(&input, start);
}

/* Reads what is there; false at the end of the input. */
static bool read_input(void)
{
    char chunk[4096];
    ssize_t n = read(STDIN_FILENO, chunk, sizeof chunk);
    if (n < 0)
        return errno == EAGAIN || errno == EINTR;
    if (n == 0)
        return false;
    return nm_bytebuf_append(&input, chunk, (size_t)n);
    return true;
}

static void on_readable(uv_poll_t *handle, int status, int events)
{
    (void)handle;
    (void)events;
    if (use_readline && status == 0) {
        editor->read_char();
        return;
    }
    bool more = status == 0 && read_input();
    run_lines(!more);
    if (!more)
        end_console();
}

/* stdin is a regular file (or /dev/null), which epoll cannot watch: it is
 * always readable, so its lines run on the first loop turn. */
static nm_task file_task;

static void run_file(nm_task *task)
{
    (void)task;
    while (taking_lines() && read_input())
        run_lines(false);
    run_lines(true);
    end_console();
}

/* ---- start and stop ------------------------------------------------------ */

/* Line editing on a terminal: without the readline plugin, the console
 * reads plain lines, as from a pipe, and says so. */
static bool load_editor(void)
{
    const char *why;
    if (!nm_plugin_load(NM_PLUGIN_READLINE, &why)) {
        fprintf(stderr, "netmcu: %s; no line editing\n", why);
        return false;
    }
    typedef const nm_line_editor *(*editor_fn)(void);
    editor = ((editor_fn)nm_plugin_entry(NM_PLUGIN_READLINE, "nm_line_editor_readline"))();
    return true;
}

static void start_readline(void)
{
    editor->start(prompt(), on_line);
    nm_output_set_hook(output_hook);
    uv_signal_init(nm_loop(), &winch);
    uv_signal_start(&winch, on_winch, SIGWINCH);
    uv_unref((uv_handle_t *)&winch);
}

static void watch_sigint(void)
{
    uv_async_init(nm_loop(), &interrupt_async, on_interrupt);
    uv_unref((uv_handle_t *)&interrupt_async);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, &old_sigint);
}

bool nm_console_start(lua_State *L)
{
    console_L = L;
    started = active = true;
    nm_make_interruptible(L);
    on_serial = nm_serial_opened();
    if (on_serial) {
        watch_sigint();
        if (nm_serial_start())
            return true;
        nm_console_stop();
        return false;
    }
    use_readline = isatty(STDIN_FILENO) && load_editor();
    stdin_flags = fcntl(STDIN_FILENO, F_GETFL);
    watch_sigint();
    if (use_readline)
        start_readline();
    /* uv_poll_init makes the descriptor non-blocking; the flags are restored at stop. */
    if (uv_poll_init(nm_loop(), &stdin_poll, STDIN_FILENO) == 0) {
        polling = true;
        uv_poll_start(&stdin_poll, UV_READABLE, on_readable);
    } else if (!use_readline) {
        nm_task_post(&file_task, run_file);
    } else {
        fputs("netmcu: cannot watch the terminal\n", stderr);
        nm_console_stop();
        return false;
    }
    return true;
}

bool nm_console_active(void)
{
    return active;
}

/* On a terminal the report itself redrew the prompt (the output hook);
 * drawing it again here was the doubled "> > ". */
void nm_console_refresh(void)
{
    if (active && on_serial)
        nm_serial_report(nm_lua_failure());
}

static void close_handle(void *handle)
{
    if (!uv_is_closing(handle))
        uv_close(handle, NULL);
}

void nm_console_stop(void)
{
    if (!started)
        return;
    if (active && use_readline)
        editor->stop();
    active = false;
    started = false;
    if (on_serial)
        nm_serial_pause();
    on_serial = false;
    nm_output_set_hook(NULL);
    nm_task_cancel(&file_task);
    sigaction(SIGINT, &old_sigint, NULL);
    if (polling)
        close_handle(&stdin_poll);
    polling = false;
    close_handle(&interrupt_async);
    if (use_readline) {
        close_handle(&winch);
        editor->clear_history();
    }
    if (stdin_flags != -1)
        fcntl(STDIN_FILENO, F_SETFL, stdin_flags);
    nm_bytebuf_free(&input);
}
