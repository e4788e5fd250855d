/*
 * sntp.c — the `sntp` module: sync, setoffset, getoffset.
 *
 * As the firmware's app/modules/sntp.c: one sync at a time ("sync in
 * progress"); the servers' addresses are kept for the next sync(nil); each
 * round sends one request to each server in turn, a reply sends the next at
 * once, a silent server gets 1 s; after 5 rounds (or as many as make 8 sends
 * from 2.2 on, 11 before) the reply with the smallest delay wins and sets the
 * clock (core/rtc.h) before the success callback runs. Replies from another
 * address, or not answering the last request, are ignored, as are replies
 * whose leap bits say the server is unsynchronised.
 *
 * Era differences (firmware 1.5 against 2.2 and later):
 *  - no server and none kept: 1.5 asks the NTP anycast address 224.0.1.1,
 *    later eras the pool names 0-3.nodemcu.pool.ntp.org;
 *  - a name that does not resolve: 1.5 fails at once (code 1, the name);
 *    later eras skip it and fail only when no server is left;
 *  - a send the network refuses: 1.5 fails (code 3), later eras wait for
 *    the timeout;
 *  - kiss-of-death ("DENY"): later eras stop asking that server this sync,
 *    and drop it after a second one; 1.5 only ignores the reply;
 *  - autorepeat: later eras steer the clock's rate when the offset is small.
 *
 * Names resolve through the c-ares channel (net.dns.setdnsserver applies);
 * requests leave from one UDP socket per sync. The firmware always sends to
 * port 123; NETMCU_NTP_PORT names another (for servers a test runs on a high
 * port), and NETMCU_SNTP_REPEAT_S the autorepeat period (1000 s).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/dns.h"
#include "core/loop.h"
#include "core/ntp.h"
#include "core/rtc.h"
#include "core/timer.h"
#include "core/udp.h"
#include "runtime/luacall.h"
#include "runtime/modules.h"
#include "runtime/profile.h"

#define MAX_ATTEMPTS 5
#define MAX_SERVERS 32 /* the kiss-of-death bits are one word */
#define REPLY_WAIT_MS 1000
#define REPEAT_S 1000
#define MAX_NAME 128
#define ANYCAST "224.0.1.1"
#define STATE_KEY "netmcu.sntp"
/* The clock's rate is steered (autorepeat) only for offsets under 200 ms. */
#define PLL_RANGE_US INT64_C(200000)
#define PLL_A (INT64_C(1) << (32 - 11))
#define PLL_B (INT64_C(1) << (32 - 11 - 2))

enum { NTP_DNS_ERR = 1, NTP_MEM_ERR, NTP_SEND_ERR, NTP_TIMEOUT_ERR };

typedef struct best_reply {
    int64_t delta;       /* 32.32 offset to add to the clock */
    uint32_t delay_frac; /* 16.16 round trip */
    uint32_t root_delay, root_dispersion, root_maxerr;
    uint32_t rank;         /* root_delay * 2 + delay: smaller is better */
    uint8_t stratum, leap; /* stratum 0: no reply yet */
    struct in_addr server;
} best_reply;

typedef struct sntp_sync {
    nm_udp *udp;
    nm_timer *timer;
    nm_dns_lookup *lookup;
    nm_task task; /* the next step, run from the loop */
    void (*next)(struct sntp_sync *s);
    int sync_ref, err_ref, list_ref;
    int lookup_pos; /* names of the list looked up so far */
    int server_pos, attempts;
    uint32_t kodbits;
    uint64_t cookie; /* the transmit timestamp of the last request */
    bool on_repeat;  /* started by the autorepeat timer */
    best_reply best;
} sntp_sync;

typedef struct sntp_repeat {
    nm_timer *timer;
    int sync_ref, err_ref, list_ref;
} sntp_repeat;

/* Module-wide, as in the firmware: the servers outlive a sync. */
static struct in_addr servers[MAX_SERVERS];
static int server_count;
static sntp_sync *state;
static sntp_repeat *repeat;
/* Leap-second tracking (setoffset): the clock runs the_offset seconds ahead of NTP. */
static int the_offset;
static bool using_offset;
static uint8_t pending_leap;
static int64_t next_midnight;
static int64_t pll_increment;

static void do_send(sntp_sync *s);
static void do_lookups(sntp_sync *s);

static int ntp_port(void)
{
    const char *env = getenv("NETMCU_NTP_PORT");
    int port = env ? atoi(env) : 0;
    return port > 0 && port < 65536 ? port : NM_NTP_PORT;
}

/* The clock as the firmware reads it: the RTC, or time since boot while unset. */
static int64_t clock_us(void)
{
    return nm_rtc_is_set() ? nm_rtc_now_us() : (int64_t)nm_uptime_us();
}

static void close_sync(lua_State *L, sntp_sync *s)
{
    if (s->lookup)
        nm_dns_cancel(s->lookup);
    nm_task_cancel(&s->task);
    if (s->timer)
        nm_timer_close(s->timer);
    if (s->udp)
        nm_udp_close(s->udp);
    if (L) {
        luaL_unref(L, LUA_REGISTRYINDEX, s->sync_ref);
        luaL_unref(L, LUA_REGISTRYINDEX, s->err_ref);
        luaL_unref(L, LUA_REGISTRYINDEX, s->list_ref);
    }
    if (state == s)
        state = NULL;
    free(s);
}

static void run_posted(nm_task *task)
{
    sntp_sync *s = (sntp_sync *)((char *)task - offsetof(sntp_sync, task));
    s->next(s);
}

/* Runs fn(s) on a later loop turn. */
static void post(sntp_sync *s, void (*fn)(sntp_sync *s))
{
    s->next = fn;
    nm_task_post(&s->task, run_posted);
}

/* Ends the sync with errcallback(code, msg) when there is one. */
static void fail(sntp_sync *s, int code, const char *msg)
{
    lua_State *L = nm_lua_state();
    if (L == NULL || s->err_ref == LUA_NOREF || s->err_ref == LUA_REFNIL || !lua_checkstack(L, 4)) {
        close_sync(L, s);
        return;
    }
    nm_ref_push(L, s->err_ref);
    lua_pushinteger(L, code);
    if (msg)
        lua_pushstring(L, msg);
    else
        lua_pushnil(L);
    close_sync(L, s); /* the callback may start the next sync */
    nm_lua_call(L, 2);
}

static void fail_timeout(sntp_sync *s)
{
    if (nm_since(NM_ERA_2_2))
        server_count = 0; /* 2.2: the names are looked up again next time */
    fail(s, NTP_TIMEOUT_ERR, NULL);
}

/* The name at position pos of the server list, pushed (nil when none). */
static void push_list_name(lua_State *L, sntp_sync *s, int pos)
{
    nm_ref_push(L, s->list_ref);
    if (lua_istable(L, -1))
        lua_rawgeti(L, -1, pos);
    else
        lua_pushnil(L);
    lua_remove(L, -2);
}

static void fail_dns(sntp_sync *s, int pos)
{
    lua_State *L = nm_lua_state();
    if (L == NULL) {
        close_sync(NULL, s);
        return;
    }
    push_list_name(L, s, pos);
    char name[MAX_NAME + 1] = "";
    if (lua_isstring(L, -1))
        snprintf(name, sizeof name, "%s", lua_tostring(L, -1));
    lua_pop(L, 1);
    fail(s, NTP_DNS_ERR, name);
}

/* ---- leap seconds (setoffset/getoffset) --------------------------------- */

static int64_t midnight_after(int64_t now)
{
    return now + 86400 - the_offset - (now - the_offset) % 86400;
}

/* At the first midnight UTC after a server announced a leap second, and on
 * the first day of a month, the offset moves by it. */
static void update_offset(void)
{
    if (!pending_leap || !using_offset || !nm_rtc_is_set())
        return;
    int64_t now = nm_rtc_now_us() / NM_RTC_US;
    if (next_midnight < 100000) {
        next_midnight = midnight_after(now);
        return;
    }
    if (now - the_offset < next_midnight)
        return;
    next_midnight = midnight_after(now);
    time_t t = (time_t)(now - the_offset);
    struct tm tm;
    gmtime_r(&t, &tm);
    if (tm.tm_mday == 1)
        the_offset += pending_leap == 1 ? 1 : -1;
    pending_leap = 0;
}

/* ---- the exchange ------------------------------------------------------- */

/* Keeps the reply if it is the best so far; from is the address that answered
 * (for the anycast address, whichever server it was). */
static void record(sntp_sync *s, const nm_ntp_reply *r, struct in_addr from, int64_t delta, uint32_t delay_frac)
{
    uint32_t rank = r->root_delay * 2 + delay_frac;
    if (s->best.stratum && rank >= s->best.rank)
        return;
    s->best = (best_reply){
        .delta = delta,
        .delay_frac = delay_frac,
        .root_delay = r->root_delay,
        .root_dispersion = r->root_dispersion,
        .root_maxerr = r->root_dispersion + r->root_delay / 2,
        .rank = rank,
        .stratum = r->stratum,
        .leap = r->leap,
        .server = from,
    };
}

static bool is_anycast(struct in_addr a)
{
    struct in_addr any;
    inet_pton(AF_INET, ANYCAST, &any);
    return a.s_addr == any.s_addr;
}

static void on_received(nm_udp *u, const char *data, size_t len, const struct sockaddr *from)
{
    sntp_sync *s = nm_udp_owner(u);
    int64_t now = clock_us();
    nm_ntp_reply r;
    if (s == NULL || s->server_pos < 0 || nm_ntp_parse((const uint8_t *)data, len, &r) != 0 ||
        from->sa_family != AF_INET)
        return;
    struct in_addr sender = ((const struct sockaddr_in *)from)->sin_addr;
    struct in_addr asked = servers[s->server_pos];
    if (!is_anycast(asked) && asked.s_addr != sender.s_addr)
        return; /* not the server asked */
    if (r.origin != s->cookie)
        return; /* not an answer to the last request */
    uint32_t bit = UINT32_C(1) << s->server_pos;
    if (r.leap == 3) { /* unsynchronised; a kiss-of-death says "DENY" */
        if (nm_since(NM_ERA_2_2) && memcmp(r.refid, "DENY", 4) == 0) {
            if (s->kodbits & bit)
                servers[s->server_pos].s_addr = 0; /* told twice: dropped */
            s->kodbits |= bit;
        }
        return;
    }
    s->kodbits &= ~bit;
    nm_timer_stop(s->timer);
    if (r.leap)
        pending_leap = r.leap;
    update_offset();
    uint64_t dest = nm_ntp_from_unix_us(now - (int64_t)the_offset * NM_RTC_US);
    record(s, &r, sender, nm_ntp_offset(&r, dest), (uint32_t)(nm_ntp_delay(&r, dest) >> 16));
    do_send(s);
}

static void on_sent(nm_udp *u, intptr_t cookie, int status)
{
    (void)u, (void)cookie, (void)status;
}

static const nm_udp_events udp_events = {.received = on_received, .sent = on_sent};

static void on_reply_timeout(nm_timer *timer, void *data)
{
    (void)timer;
    do_send(data);
}

/* The clock offset in microseconds (floor), from 32.32. */
static int64_t delta_us(int64_t delta)
{
    return (delta >> 32) * NM_RTC_US + (int64_t)((((uint64_t)delta & 0xffffffffu) * NM_RTC_US) >> 32);
}

/* Sets the clock, or (autorepeat, small offset, 2.2 on) steers its rate. */
static int64_t apply_result(sntp_sync *s)
{
    int64_t tv = clock_us() + delta_us(s->best.delta);
    int64_t limit = (PLL_RANGE_US << 32) / NM_RTC_US;
    if (s->on_repeat && s->best.delta > -limit && s->best.delta < limit) {
        if (nm_since(NM_ERA_2_2)) {
            int64_t f = ((s->best.delta * PLL_A) >> 32) + pll_increment;
            pll_increment += (s->best.delta * PLL_B) >> 32;
            nm_rtc_set_rate((int32_t)f);
        }
    } else {
        nm_rtc_set_us(tv);
    }
    return tv;
}

static void push_info(lua_State *L, const best_reply *b)
{
    lua_createtable(L, 0, 9);
    int64_t d40 = b->delta >> 40;
    if (d40 != 0 && d40 != -1) {
        lua_pushinteger(L, (lua_Integer)(b->delta >> 32));
        lua_setfield(L, -2, "offset_s");
    } else {
        lua_pushinteger(L, (lua_Integer)((b->delta * NM_RTC_US) >> 32));
        lua_setfield(L, -2, "offset_us");
    }
    if (b->delay_frac > 0) {
        lua_pushinteger(L, nm_ntp_short_us(b->delay_frac));
        lua_setfield(L, -2, "delay_us");
    }
    lua_pushinteger(L, nm_ntp_short_us(b->root_delay));
    lua_setfield(L, -2, "root_delay_us");
    lua_pushinteger(L, nm_ntp_short_us(b->root_dispersion));
    lua_setfield(L, -2, "root_dispersion_us");
    lua_pushinteger(L, nm_ntp_short_us(b->root_maxerr + b->delay_frac / 2));
    lua_setfield(L, -2, "root_maxerr_us");
    lua_pushinteger(L, b->stratum);
    lua_setfield(L, -2, "stratum");
    lua_pushinteger(L, b->leap);
    lua_setfield(L, -2, "leap");
    lua_pushinteger(L, pending_leap);
    lua_setfield(L, -2, "pending_leap");
}

static void finish(sntp_sync *s)
{
    if (s->best.stratum == 0) {
        fail_timeout(s);
        return;
    }
    int64_t tv = apply_result(s);
    lua_State *L = nm_lua_state();
    if (L == NULL || s->sync_ref == LUA_NOREF || s->sync_ref == LUA_REFNIL || !lua_checkstack(L, 8)) {
        close_sync(L, s);
        return;
    }
    char ip[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &s->best.server, ip, sizeof ip);
    nm_ref_push(L, s->sync_ref);
    lua_pushinteger(L, (lua_Integer)(tv / NM_RTC_US));
    lua_pushinteger(L, (lua_Integer)(tv % NM_RTC_US));
    lua_pushstring(L, ip);
    push_info(L, &s->best);
    close_sync(L, s); /* the callback may start the next sync */
    nm_lua_call(L, 4);
}

static bool rounds_done(const sntp_sync *s)
{
    if (s->attempts >= MAX_ATTEMPTS)
        return true;
    return nm_since(NM_ERA_2_2) ? s->attempts * server_count >= 8 : s->attempts * server_count > 10;
}

/* Moves to the next server (and round); false when the sync is over. */
static bool next_server(sntp_sync *s)
{
    do {
        s->server_pos = s->server_pos < 0 ? 0 : s->server_pos + 1;
        if (s->server_pos >= server_count) {
            s->server_pos = 0;
            s->attempts++;
        }
        if (rounds_done(s))
            return false;
    } while (nm_since(NM_ERA_2_2) &&
             (servers[s->server_pos].s_addr == 0 || (s->kodbits & (UINT32_C(1) << s->server_pos))));
    return true;
}

static void do_send(sntp_sync *s)
{
    if (!next_server(s)) {
        post(s, finish);
        return;
    }
    uint8_t packet[NM_NTP_PACKET];
    s->cookie = nm_ntp_from_unix_us(clock_us() - (int64_t)the_offset * NM_RTC_US);
    nm_ntp_request(packet, s->cookie);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)ntp_port())};
    to.sin_addr = servers[s->server_pos];
    int rc = nm_udp_try_send(s->udp, (const struct sockaddr *)&to, (const char *)packet, sizeof packet, false);
    if (rc != 0 && !nm_since(NM_ERA_2_2)) {
        fail(s, NTP_SEND_ERR, NULL); /* 1.5 gives up; later eras wait for the timeout */
        return;
    }
    nm_timer_start(s->timer, REPLY_WAIT_MS, 0);
}

/* ---- names -------------------------------------------------------------- */

static bool add_server(struct in_addr a)
{
    if (server_count >= MAX_SERVERS)
        return false;
    servers[server_count++] = a;
    return true;
}

static void on_answer(void *owner, int status, const struct sockaddr *addr)
{
    sntp_sync *s = owner;
    s->lookup = NULL;
    if (status == NM_DNS_CANCELLED)
        return;
    if (status == NM_DNS_OK && addr->sa_family == AF_INET) {
        add_server(((const struct sockaddr_in *)addr)->sin_addr);
    } else if (!nm_since(NM_ERA_2_2)) {
        fail_dns(s, s->lookup_pos); /* 1.5: the first name that fails ends the sync */
        return;
    }
    do_lookups(s);
}

/* Resolves the list's names one by one, then starts sending. */
static void do_lookups(sntp_sync *s)
{
    lua_State *L = nm_lua_state();
    if (L == NULL) {
        close_sync(NULL, s);
        return;
    }
    if (s->list_ref == LUA_NOREF || s->list_ref == LUA_REFNIL) {
        do_send(s);
        return;
    }
    for (;;) {
        nm_ref_push(L, s->list_ref);
        int n = (int)lua_rawlen(L, -1);
        lua_pop(L, 1);
        if (s->lookup_pos >= n)
            break;
        s->lookup_pos++;
        push_list_name(L, s, s->lookup_pos);
        size_t len = 0;
        const char *name = lua_tolstring(L, -1, &len);
        char copy[MAX_NAME + 1];
        bool too_long = name == NULL || len > MAX_NAME;
        if (!too_long)
            memcpy(copy, name, len + 1);
        lua_pop(L, 1);
        if (too_long) {
            fail_dns(s, s->lookup_pos);
            return;
        }
        struct in_addr literal;
        if (inet_pton(AF_INET, copy, &literal) == 1) {
            add_server(literal);
            continue;
        }
        s->lookup = nm_dns_resolve(copy, ntp_port(), on_answer, s);
        if (s->lookup == NULL) {
            fail(s, NTP_MEM_ERR, NULL);
            return;
        }
        return; /* on_answer continues */
    }
    if (server_count == 0 && nm_since(NM_ERA_2_2)) {
        fail_dns(s, 1); /* 2.2: no name resolved; the first is reported */
        return;
    }
    do_send(s);
}

/* ---- sync --------------------------------------------------------------- */

static const char *open_sync(void)
{
    sntp_sync *s = calloc(1, sizeof *s);
    if (s == NULL)
        return "out of memory";
    s->sync_ref = s->err_ref = s->list_ref = LUA_NOREF;
    s->server_pos = -1;
    state = s;
    struct sockaddr_in any = {.sin_family = AF_INET};
    s->timer = nm_timer_new(on_reply_timeout, s);
    if (s->timer == NULL)
        return "out of memory";
    nm_timer_realtime(s->timer); /* waiting for a reply is network time whatever --clock says */
    if (nm_udp_open(&udp_events, s, (const struct sockaddr *)&any, &s->udp) != 0) {
        s->udp = NULL;
        return "no port available";
    }
    return NULL;
}

/* The autorepeat: the callbacks and the list of the sync that asked for it. */
static void stop_repeat(lua_State *L)
{
    if (repeat == NULL)
        return;
    nm_timer_close(repeat->timer);
    if (L) {
        luaL_unref(L, LUA_REGISTRYINDEX, repeat->sync_ref);
        luaL_unref(L, LUA_REGISTRYINDEX, repeat->err_ref);
        luaL_unref(L, LUA_REGISTRYINDEX, repeat->list_ref);
    }
    free(repeat);
    repeat = NULL;
}

static int copy_ref(lua_State *L, int ref)
{
    nm_ref_push(L, ref);
    return luaL_ref(L, LUA_REGISTRYINDEX);
}

static void on_repeat(nm_timer *timer, void *data)
{
    (void)timer, (void)data;
    lua_State *L = nm_lua_state();
    if (L == NULL || repeat == NULL || state != NULL)
        return; /* a sync is still running: this period is skipped */
    if (open_sync() != NULL) {
        if (state)
            close_sync(L, state);
        return;
    }
    state->sync_ref = copy_ref(L, repeat->sync_ref);
    state->err_ref = copy_ref(L, repeat->err_ref);
    if (server_count == 0)
        state->list_ref = copy_ref(L, repeat->list_ref);
    state->on_repeat = true;
    do_lookups(state);
}

static int repeat_period_ms(void)
{
    const char *env = getenv("NETMCU_SNTP_REPEAT_S");
    int s = env ? atoi(env) : 0;
    return (s > 0 ? s : REPEAT_S) * 1000;
}

static void start_repeat(lua_State *L, sntp_sync *s)
{
    repeat = calloc(1, sizeof *repeat);
    if (repeat == NULL || (repeat->timer = nm_timer_new(on_repeat, NULL)) == NULL) {
        free(repeat);
        repeat = NULL;
        luaL_error(L, "no memory");
    }
    repeat->sync_ref = copy_ref(L, s->sync_ref);
    repeat->err_ref = copy_ref(L, s->err_ref);
    repeat->list_ref = copy_ref(L, s->list_ref);
    nm_timer_start(repeat->timer, (uint64_t)repeat_period_ms(), (uint64_t)repeat_period_ms());
}

static void check_callback(lua_State *L, int idx)
{
    if (!lua_isnoneornil(L, idx))
        luaL_checktype(L, idx, LUA_TFUNCTION);
}

/* The list of servers to look up (pushed), from argument 1; nothing pushed
 * when the kept servers are used again. */
static bool push_server_list(lua_State *L)
{
    if (!lua_isnoneornil(L, 1)) {
        if (lua_istable(L, 1)) {
            for (int i = 1; i <= (int)lua_rawlen(L, 1); i++) {
                lua_rawgeti(L, 1, i);
                if (!lua_isstring(L, -1))
                    luaL_argerror(L, 1, "server names or addresses expected");
                lua_pop(L, 1);
            }
            lua_pushvalue(L, 1);
            return true;
        }
        size_t len;
        luaL_checklstring(L, 1, &len);
        if (len > MAX_NAME)
            luaL_error(L, "need <128 hostname");
        if (len == 0 && !nm_since(NM_ERA_2_2))
            luaL_error(L, "bad hostname");
        lua_createtable(L, 1, 0);
        lua_pushvalue(L, 1);
        lua_rawseti(L, -2, 1);
        return true;
    }
    if (server_count > 0)
        return false;
    if (!nm_since(NM_ERA_2_2)) {
        lua_createtable(L, 1, 0); /* 1.5: the NTP anycast address */
        lua_pushliteral(L, ANYCAST);
        lua_rawseti(L, -2, 1);
        return true;
    }
    lua_createtable(L, 4, 0);
    for (int i = 0; i < 4; i++) {
        lua_pushfstring(L, "%d.nodemcu.pool.ntp.org", i);
        lua_rawseti(L, -2, i + 1);
    }
    return true;
}

/* sntp.sync([server | {servers}], [callback], [errcallback], [autorepeat]) */
static int sntp_sync_lua(lua_State *L)
{
    stop_repeat(L);
    if (state != NULL)
        return luaL_error(L, "sync in progress");
    check_callback(L, 2);
    check_callback(L, 3);
    bool has_list = push_server_list(L);
    if (has_list)
        server_count = 0;
    const char *err = open_sync();
    if (err != NULL) {
        if (state)
            close_sync(L, state);
        return luaL_error(L, "%s", err);
    }
    if (has_list)
        state->list_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    if (!lua_isnoneornil(L, 2)) {
        lua_pushvalue(L, 2);
        state->sync_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    }
    if (!lua_isnoneornil(L, 3)) {
        lua_pushvalue(L, 3);
        state->err_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    }
    if (nm_since(NM_ERA_2_2))
        pll_increment = nm_rtc_rate();
    post(state, do_lookups); /* nothing is sent inside the call */
    if (!lua_isnoneornil(L, 4))
        start_repeat(L, state);
    return 0;
}

static int sntp_setoffset(lua_State *L)
{
    the_offset = (int)luaL_checkinteger(L, 1);
    if (nm_rtc_is_set())
        next_midnight = midnight_after(nm_rtc_now_us() / NM_RTC_US);
    using_offset = true;
    return 0;
}

static int sntp_getoffset(lua_State *L)
{
    update_offset();
    lua_pushinteger(L, the_offset);
    return 1;
}

/* The Lua state closes (exit, or a reboot of the board): a sync or autorepeat
 * in progress ends without callbacks, and what the device keeps in RAM (the
 * servers, the leap-second offset) is forgotten; the clock, in the RTC, stays. */
static int sntp_state_closed(lua_State *L)
{
    (void)L;
    if (state)
        close_sync(NULL, state);
    stop_repeat(NULL);
    server_count = 0;
    the_offset = 0;
    using_offset = false;
    pending_leap = 0;
    next_midnight = 0;
    pll_increment = 0;
    return 0;
}

int luaopen_sntp(lua_State *L)
{
    static const luaL_Reg funcs[] = {
        {"sync", sntp_sync_lua}, {"setoffset", sntp_setoffset}, {"getoffset", sntp_getoffset}, {NULL, NULL}};
    nm_lua_init(L);
    nm_on_state_close(L, STATE_KEY, sntp_state_closed);
    luaL_newlib(L, funcs);
    return 1;
}

int luaopen_net_sntp(lua_State *L)
{
    return luaopen_sntp(L);
}
