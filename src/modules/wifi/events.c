/*
 * events.c — the two event monitors of the `wifi` module.
 *
 * wifi.eventmon (both eras): the radio reports each SDK event; an event with
 * a callback registered (or, for an event the firmware does not describe,
 * the EVENT_MAX catch-all) is queued and delivered from a later loop turn,
 * one per turn in order, with the firmware's table of fields.
 *
 * wifi.sta.eventMon* (1.5 only): a timer polls the station status every
 * `ms` (150 by default) and calls the callback of a new status with the
 * previous one, as the firmware's polling monitor does; so a status that
 * lasts less than one interval can be missed there too.
 */
#include <stdio.h>

#include "core/loop.h"
#include "core/timer.h"
#include "modules/wifi/wifi.h"
#include "runtime/luacall.h"
#include "runtime/profile.h"

#define EVENTS_MAX 10
#define QUEUE_LEN 32
#define STATUS_MAX 5

static int event_refs[EVENTS_MAX + 1];
static nm_radio_event queue[QUEUE_LEN];
static int queue_head, queue_len;
static nm_task deliver_task;

static int status_refs[STATUS_MAX + 1];
static nm_timer *status_timer;
static int prev_status;

int wifi_event_max(void)
{
    return nm_since(NM_ERA_2_2) ? 10 : 8;
}

static bool described(int id)
{
    return id <= EV_AP_PROBEREQRECVED || (id == EV_OPMODE_CHANGED && nm_since(NM_ERA_2_2));
}

/* Whether a callback can see what the station does: a station event, the
 * catch-all, or 1.5's status monitor. */
static bool station_watched(void)
{
    for (int id = EV_STA_CONNECTED; id <= EV_STA_DHCP_TIMEOUT; id++)
        if (event_refs[id] != LUA_NOREF)
            return true;
    if (event_refs[wifi_event_max()] != LUA_NOREF)
        return true;
    for (int i = 0; i <= STATUS_MAX; i++)
        if (status_refs[i] != LUA_NOREF)
            return true;
    return false;
}

void wifi_event_set(lua_State *L, int id, int fn_idx)
{
    if (lua_isfunction(L, fn_idx))
        nm_ref_set(L, &event_refs[id], fn_idx);
    else
        nm_ref_clear(L, &event_refs[id]);
    nm_radio_watch_changed();
}

static void set_str(lua_State *L, const char *key, const char *value)
{
    lua_pushstring(L, value);
    lua_setfield(L, -2, key);
}

static void set_int(lua_State *L, const char *key, lua_Integer value)
{
    lua_pushinteger(L, value);
    lua_setfield(L, -2, key);
}

static void push_event_table(lua_State *L, const nm_radio_event *ev)
{
    char buf[40];
    lua_newtable(L);
    switch (ev->id) {
    case EV_STA_CONNECTED:
        set_str(L, "SSID", ev->ssid);
        set_str(L, "BSSID", wifi_macstr(ev->bssid, buf));
        set_int(L, "channel", ev->channel);
        break;
    case EV_STA_DISCONNECTED:
        set_str(L, "SSID", ev->ssid);
        set_int(L, "reason", ev->reason);
        set_str(L, "BSSID", wifi_macstr(ev->bssid, buf));
        break;
    case EV_STA_GOT_IP:
        set_str(L, "IP", wifi_ipstr(ev->ip, buf));
        set_str(L, "netmask", wifi_ipstr(ev->mask, buf));
        set_str(L, "gateway", wifi_ipstr(ev->gw, buf));
        break;
    case EV_OPMODE_CHANGED:
        set_int(L, "old_mode", ev->old_mode);
        set_int(L, "new_mode", ev->new_mode);
        break;
    case EV_STA_DHCP_TIMEOUT:
    case EV_STA_AUTHMODE_CHANGE:
    case EV_AP_STACONNECTED:
    case EV_AP_STADISCONNECTED:
    case EV_AP_PROBEREQRECVED: break; /* never produced by the simulation */
    default:                          /* the firmware's own text for an event it has no fields for */
        snprintf(buf, sizeof buf, "event %u not implemented", (unsigned)ev->id);
        set_str(L, "info", buf);
        break;
    }
}

static int callback_for(int id)
{
    if (event_refs[id] != LUA_NOREF)
        return event_refs[id];
    if (!described(id))
        return event_refs[wifi_event_max()];
    return LUA_NOREF;
}

static void deliver(nm_task *task)
{
    lua_State *L = nm_lua_state();
    if (queue_len == 0)
        return;
    nm_radio_event ev = queue[queue_head];
    queue_head = (queue_head + 1) % QUEUE_LEN;
    queue_len--;
    if (queue_len > 0)
        nm_task_post(task, deliver);
    int ref = callback_for(ev.id);
    if (L == NULL || ref == LUA_NOREF)
        return; /* unregistered while queued */
    nm_ref_push(L, ref);
    push_event_table(L, &ev);
    nm_lua_call(L, 1);
}

/* The radio's sink: may run inside an API call, so it only queues. */
static void on_radio_event(const nm_radio_event *ev)
{
    if (ev->id == EV_OPMODE_CHANGED && !nm_since(NM_ERA_2_2))
        return; /* the event came with the later SDK; the radio reports it in every era */
    if (ev->id < 0 || ev->id > wifi_event_max() || callback_for(ev->id) == LUA_NOREF)
        return;
    if (queue_len == QUEUE_LEN)
        return; /* a script that never yields to the loop loses events, as the device's task queue would */
    queue[(queue_head + queue_len) % QUEUE_LEN] = *ev;
    queue_len++;
    nm_task_post(&deliver_task, deliver);
}

/* wifi.eventmon.register(event[, fn]) and unregister(event) */
int wifi_eventmon_register(lua_State *L)
{
    lua_Integer id = nm_since(NM_ERA_3_0) ? luaL_checkinteger(L, 1) : (lua_Integer)(uint8_t)luaL_checknumber(L, 1);
    if (id < 0 || id > wifi_event_max())
        return luaL_error(L, "valid wifi events:0-%d", wifi_event_max());
    wifi_event_set(L, (int)id, 2);
    return 0;
}

/* ---- 1.5: the polling status monitor ---- */

static void poll_status(nm_timer *timer, void *data)
{
    (void)data;
    lua_State *L = nm_lua_state();
    if (nm_radio.mode == MODE_SOFTAP) {
        nm_timer_stop(timer);
        return;
    }
    int status = nm_radio.status, prev = prev_status;
    prev_status = status;
    if (status == prev || L == NULL || status_refs[status] == LUA_NOREF)
        return;
    nm_ref_push(L, status_refs[status]);
    lua_pushinteger(L, prev);
    nm_lua_call(L, 1);
}

int wifi_sta_eventmonreg(lua_State *L)
{
    unsigned id = (uint8_t)luaL_checknumber(L, 1);
    if (id > STATUS_MAX)
        return luaL_error(L, "valid wifi status:0-5");
    if (lua_isfunction(L, 2))
        nm_ref_set(L, &status_refs[id], 2);
    else
        nm_ref_clear(L, &status_refs[id]);
    nm_radio_watch_changed();
    return 0;
}

int wifi_sta_eventmonstart(lua_State *L)
{
    if (nm_radio.mode == MODE_SOFTAP)
        return luaL_error(L, "Can't monitor in SOFTAP mode");
    bool any = false;
    for (int i = 0; i <= STATUS_MAX; i++)
        any = any || status_refs[i] != LUA_NOREF;
    if (!any)
        return luaL_error(L, "No callbacks defined");
    lua_Number ms = lua_isnumber(L, 1) ? luaL_checknumber(L, 1) : 150;
    if (ms < 1)
        ms = 1; /* the SDK's os_timer cannot go below 1 ms either */
    if (status_timer == NULL && (status_timer = nm_timer_new(poll_status, NULL)) == NULL)
        return luaL_error(L, "not enough memory");
    nm_timer_start(status_timer, (uint64_t)ms, (uint64_t)ms);
    return 0;
}

int wifi_sta_eventmonstop(lua_State *L)
{
    if (status_timer)
        nm_timer_stop(status_timer);
    if (lua_isstring(L, 1))
        for (int i = 0; i <= STATUS_MAX; i++)
            nm_ref_clear(L, &status_refs[i]);
    nm_radio_watch_changed();
    return 0;
}

static void close_status_timer(void)
{
    if (status_timer)
        nm_timer_close(status_timer);
    status_timer = NULL;
}

void wifi_events_reset(lua_State *L)
{
    (void)L;
    for (int i = 0; i <= EVENTS_MAX; i++)
        event_refs[i] = LUA_NOREF;
    for (int i = 0; i <= STATUS_MAX; i++)
        status_refs[i] = LUA_NOREF;
    nm_task_cancel(&deliver_task);
    queue_head = queue_len = 0;
    prev_status = 0;
    if (status_timer)
        nm_timer_stop(status_timer);
    nm_loop_at_shutdown(close_status_timer);
    nm_radio_set_sink(on_radio_event);
    nm_radio_set_watch(station_watched);
}
