/*
 * interrupt.c — signals and the watchdog take Lua back (interrupt.h).
 */
#include "runtime/interrupt.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <uv.h>

#include "core/loop.h"

/* A blocking call looks for an interrupt at least this often. */
#define SLEEP_SLICE_US 50000
/* timeout(1) signals the process, then its process group: one request. */
#define SAME_REQUEST_NS 100000000L

static volatile sig_atomic_t pending = NM_INTERRUPT_NONE;
static lua_State *volatile hooked;
static volatile sig_atomic_t wake_ready;
static uv_async_t wake;
static nm_interrupt_fn wake_fn;

/* The first stop signal, to tell timeout(1)'s second copy from a new one. */
static volatile sig_atomic_t first_signal;
static pid_t first_sender;
static struct timespec first_at;

static void interrupt_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    /* From now on at every instruction, but no longer on calls: the
     * traceback handler, a C function, has to run for the error to unwind. */
    lua_sethook(L, interrupt_hook, LUA_MASKCOUNT, 1);
    luaL_error(L, pending == NM_INTERRUPT_STOP ? "stopped by a signal" : "the watchdog reset the board");
}

static void on_wake(uv_async_t *handle)
{
    (void)handle;
    if (wake_fn && pending != NM_INTERRUPT_NONE)
        wake_fn((nm_interrupt)pending);
}

void nm_interrupt_raise(nm_interrupt why)
{
    if (pending >= (sig_atomic_t)why)
        return;
    pending = why;
    lua_State *L = hooked;
    if (L != NULL) /* lua_sethook is async-signal-safe (lua.c relies on it) */
        lua_sethook(L, interrupt_hook, LUA_MASKCALL | LUA_MASKRET | LUA_MASKCOUNT, 1);
    if (wake_ready)
        uv_async_send(&wake); /* async-signal-safe by libuv's contract */
}

static bool same_request(int signum, const siginfo_t *info)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now); /* async-signal-safe */
    long elapsed = (now.tv_sec - first_at.tv_sec) * 1000000000L + (now.tv_nsec - first_at.tv_nsec);
    return signum == first_signal && info->si_code == SI_USER && info->si_pid == first_sender &&
           elapsed < SAME_REQUEST_NS;
}

static void on_signal(int signum, siginfo_t *info, void *context)
{
    (void)context;
    if (first_signal != 0) {
        if (same_request(signum, info))
            return;
        /* The second request: the default action, as if nothing caught it.
         * The signal is blocked in its handler and arrives once it returns. */
        signal(signum, SIG_DFL);
        raise(signum);
        return;
    }
    first_signal = signum;
    first_sender = info->si_code == SI_USER ? info->si_pid : 0;
    clock_gettime(CLOCK_MONOTONIC, &first_at);
    nm_interrupt_raise(NM_INTERRUPT_STOP);
}

static void catch_signal(int signum)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_signal;
    /* No SA_RESTART: a read that blocks (io.read() on a terminal or a pipe)
     * returns EINTR, so the script's Lua code runs on into the hook. */
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(signum, &sa, NULL);
}

void nm_interrupt_watch_signals(bool sigint, nm_interrupt_fn fn)
{
    wake_fn = fn;
    catch_signal(SIGTERM);
    if (sigint)
        catch_signal(SIGINT);
}

void nm_interrupt_set_state(lua_State *L)
{
    if (L != NULL) {
        nm_make_interruptible(L);
        if (!wake_ready) {
            uv_async_init(nm_loop(), &wake, on_wake);
            uv_unref((uv_handle_t *)&wake); /* never keeps a finished run alive */
            wake_ready = 1;
        }
        hooked = L;
        if (pending != NM_INTERRUPT_NONE) /* it came before this state was made */
            lua_sethook(L, interrupt_hook, LUA_MASKCALL | LUA_MASKRET | LUA_MASKCOUNT, 1);
        return;
    }
    lua_State *old = hooked;
    hooked = NULL;
    if (old != NULL)
        lua_sethook(old, NULL, 0, 0); /* __gc metamethods still run in lua_close */
    if (wake_ready) {
        wake_ready = 0;
        uv_close((uv_handle_t *)&wake, NULL);
    }
}

nm_interrupt nm_interrupted(void)
{
    return (nm_interrupt)pending;
}

void nm_interrupt_clear_watchdog(void)
{
    if (pending == NM_INTERRUPT_WATCHDOG)
        pending = NM_INTERRUPT_NONE;
}

bool nm_interrupt_sleep_us(uint64_t us)
{
    while (us > 0) {
        if (pending != NM_INTERRUPT_NONE)
            return false;
        uint64_t slice = us < SLEEP_SLICE_US ? us : SLEEP_SLICE_US;
        struct timespec left = {(time_t)(slice / 1000000), (long)(slice % 1000000) * 1000};
        while (nanosleep(&left, &left) != 0 && errno == EINTR && pending == NM_INTERRUPT_NONE)
            ;
        us -= slice;
    }
    return pending == NM_INTERRUPT_NONE;
}
