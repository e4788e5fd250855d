/*
 * radio.c — the simulated radio (see radio.h): station state machine, link
 * faults and the `wifi` noun of the control channel.
 */
#include "core/radio.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/control.h"
#include "core/hostnet.h"
#include "core/loop.h"
#include "core/timer.h"

nm_radio_state nm_radio;

enum { PH_ASSOCIATE, PH_DHCP, PH_RETRY };

static void (*event_sink)(const nm_radio_event *ev);
static nm_radio_link start_link = LINK_UP;
static bool start_link_given;
static char address[16]; /* --ip, "" for the automatic choice */
static bool address_given;
/* The station's next step. It keeps the run alive, as the device's station
 * keeps trying until the script disconnects it, but only while the script
 * watches the station: a saved configuration alone must not hold up a run
 * that has nothing left to do. */
static nm_timer *step_timer;
static int pending_phase;
static bool (*watch)(void);

/* FNV-1a, for stable simulated identities (MAC, BSSID, channel, RSSI). */
static uint32_t hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

int nm_radio_set_start_link(const char *name)
{
    if (strcmp(name, "up") == 0)
        start_link = LINK_UP;
    else if (strcmp(name, "offline") == 0)
        start_link = LINK_DOWN;
    else if (strcmp(name, "wrongpwd") == 0)
        start_link = LINK_WRONG_PASSWORD;
    else
        return UV_EINVAL;
    start_link_given = true;
    return 0;
}

int nm_radio_set_address(const char *dotted)
{
    nm_hostnet net;
    if (strlen(dotted) >= sizeof address)
        return UV_EINVAL;
    int rc = nm_hostnet_pick(dotted, &net);
    if (rc != 0)
        return rc;
    snprintf(address, sizeof address, "%s", dotted);
    address_given = true;
    return 0;
}

void nm_radio_set_sink(void (*sink)(const nm_radio_event *ev))
{
    event_sink = sink;
}

void nm_radio_set_watch(bool (*watched)(void))
{
    watch = watched;
    nm_radio_watch_changed();
}

void nm_radio_watch_changed(void)
{
    if (step_timer == NULL)
        return;
    if (watch != NULL && watch())
        nm_timer_strong(step_timer);
    else
        nm_timer_weak(step_timer);
}

bool nm_radio_has_station(void)
{
    return nm_radio.mode == MODE_STATION || nm_radio.mode == MODE_STATIONAP;
}

bool nm_radio_has_ap(void)
{
    return nm_radio.mode == MODE_SOFTAP || nm_radio.mode == MODE_STATIONAP;
}

int nm_radio_ap_channel(void)
{
    return 1 + (int)(hash(nm_radio.sta.ssid) % 11);
}

int nm_radio_channel(void)
{
    if (nm_radio.associated)
        return nm_radio_ap_channel();
    return nm_radio_has_ap() ? nm_radio.ap.channel : 1;
}

void nm_radio_ap_bssid(uint8_t out[6])
{
    if (nm_radio.sta.bssid_set) {
        memcpy(out, nm_radio.sta.bssid, 6);
        return;
    }
    uint32_t h = hash(nm_radio.sta.ssid);
    const uint8_t bssid[6] = {0xac, 0x84, 0xc6, (uint8_t)(h >> 16), (uint8_t)(h >> 8), (uint8_t)h};
    memcpy(out, bssid, 6);
}

int nm_radio_rssi(void)
{
    return -42 - (int)(hash(nm_radio.sta.ssid) % 28);
}

bool nm_radio_sta_ip(uint32_t *ip, uint32_t *mask, uint32_t *gw)
{
    if (nm_radio.ip == 0)
        return false;
    *ip = nm_radio.ip;
    *mask = nm_radio.mask;
    *gw = nm_radio.gw;
    return true;
}

void nm_radio_set_sta_ip(uint32_t ip, uint32_t mask, uint32_t gw)
{
    nm_radio.static_ip = true;
    nm_radio.sip = ip;
    nm_radio.smask = mask;
    nm_radio.sgw = gw;
    if (nm_radio.status == STATUS_GOT_IP || nm_radio.ip != 0) {
        nm_radio.ip = ip;
        nm_radio.mask = mask;
        nm_radio.gw = gw;
    }
}

static void emit(nm_radio_event *ev)
{
    if (event_sink)
        event_sink(ev);
}

static void emit_station(int id, int reason)
{
    nm_radio_event ev = {.id = id, .reason = reason};
    snprintf(ev.ssid, sizeof ev.ssid, "%s", nm_radio.sta.ssid);
    nm_radio_ap_bssid(ev.bssid);
    ev.channel = nm_radio_ap_channel();
    if (id == EV_STA_GOT_IP) {
        ev.ip = nm_radio.ip;
        ev.mask = nm_radio.mask;
        ev.gw = nm_radio.gw;
    }
    emit(&ev);
}

/* ---- the station's timeline ---- */

static void on_timer(nm_timer *timer, void *data);

static void cancel_steps(void)
{
    if (step_timer)
        nm_timer_stop(step_timer);
}

static bool step_pending(void)
{
    return step_timer && nm_timer_active(step_timer);
}

static void schedule(int phase, unsigned ms)
{
    if (step_timer == NULL) {
        if ((step_timer = nm_timer_new(on_timer, NULL)) == NULL)
            return;
        nm_radio_watch_changed();
    }
    pending_phase = phase;
    nm_timer_start(step_timer, ms, 0);
}

static void begin_attempt(void)
{
    nm_radio.status = STATUS_CONNECTING;
    schedule(PH_ASSOCIATE, CONNECT_MS);
}

static void lose_address(void)
{
    nm_radio.ip = nm_radio.mask = nm_radio.gw = 0;
}

static void fail_attempt(int status, int reason)
{
    nm_radio.status = status;
    emit_station(EV_STA_DISCONNECTED, reason);
    schedule(PH_RETRY, RETRY_MS);
}

static void take_address(void)
{
    if (nm_radio.static_ip) {
        nm_radio.ip = nm_radio.sip;
        nm_radio.mask = nm_radio.smask;
        nm_radio.gw = nm_radio.sgw;
        return;
    }
    nm_hostnet net;
    if (nm_hostnet_pick(address_given ? address : NULL, &net) != 0)
        nm_hostnet_pick(NULL, &net); /* the chosen address left the host */
    nm_radio.ip = net.ip;
    nm_radio.mask = net.mask;
    nm_radio.gw = net.gw;
}

static void on_timer(nm_timer *timer, void *data)
{
    (void)timer;
    (void)data;
    if (!nm_radio.want_link || !nm_radio_has_station())
        return;
    switch (pending_phase) {
    case PH_ASSOCIATE:
        if (nm_radio.link == LINK_DOWN) {
            fail_attempt(STATUS_NO_AP_FOUND, REASON_NO_AP_FOUND);
        } else if (nm_radio.link == LINK_WRONG_PASSWORD) {
            fail_attempt(STATUS_WRONG_PASSWORD, REASON_AUTH_FAIL);
        } else {
            nm_radio.associated = true;
            emit_station(EV_STA_CONNECTED, 0);
            schedule(PH_DHCP, DHCP_MS);
        }
        break;
    case PH_DHCP:
        take_address();
        nm_radio.status = STATUS_GOT_IP;
        emit_station(EV_STA_GOT_IP, 0);
        break;
    case PH_RETRY: begin_attempt(); break;
    }
}

void nm_radio_connect(void)
{
    if (!nm_radio_has_station() || nm_radio.sta.ssid[0] == '\0')
        return;
    nm_radio.want_link = true;
    if (nm_radio.associated || step_pending())
        return;
    begin_attempt();
}

/* Ends the link; `reason` 0: quietly (nothing was associated). */
static void end_link(int reason)
{
    bool was = nm_radio.associated;
    cancel_steps();
    nm_radio.associated = false;
    lose_address();
    if (was && reason)
        emit_station(EV_STA_DISCONNECTED, reason);
}

void nm_radio_disconnect(void)
{
    nm_radio.want_link = false;
    end_link(REASON_ASSOC_LEAVE);
    nm_radio.status = STATUS_IDLE;
}

void nm_radio_set_autoconnect(bool on)
{
    nm_radio.autoconnect = nm_radio.autoconnect_saved = on;
    nm_radio_save_settings();
}

bool nm_radio_config_sta(const sta_config *cfg, bool autoconnect, bool save)
{
    nm_radio_disconnect();
    nm_radio.sta = *cfg;
    nm_radio.static_ip = false;
    if (save)
        nm_radio.sta_saved = *cfg;
    nm_radio.autoconnect = autoconnect;
    nm_radio.autoconnect_saved = autoconnect;
    nm_radio_save_settings();
    if (autoconnect)
        nm_radio_connect();
    return true;
}

void nm_radio_clear_sta(void)
{
    nm_radio_disconnect();
    memset(&nm_radio.sta, 0, sizeof nm_radio.sta);
    memset(&nm_radio.sta_saved, 0, sizeof nm_radio.sta_saved);
    nm_radio.autoconnect = nm_radio.autoconnect_saved = false;
    nm_radio_save_settings();
}

bool nm_radio_config_ap(const ap_config *cfg, bool save)
{
    nm_radio.ap = *cfg;
    if (save) {
        nm_radio.ap_saved = *cfg;
        nm_radio_save_settings();
    }
    return true;
}

int nm_radio_set_mode(int mode, bool save)
{
    int old = nm_radio.mode;
    bool had_station = nm_radio_has_station();
    nm_radio.mode = mode;
    if (save) {
        nm_radio.saved_mode = mode;
        nm_radio_save_settings();
    }
    if (had_station && !nm_radio_has_station()) {
        bool wanted = nm_radio.want_link;
        nm_radio_disconnect();
        nm_radio.want_link = wanted;
    } else if (!had_station && nm_radio_has_station() && (nm_radio.autoconnect || nm_radio.want_link)) {
        nm_radio_connect();
    }
    if (old != mode) {
        nm_radio_event ev = {.id = EV_OPMODE_CHANGED, .old_mode = old, .new_mode = mode};
        emit(&ev);
    }
    return nm_radio.mode;
}

/* ---- faults from the control channel ---- */

static void set_link(nm_radio_link link)
{
    nm_radio_link old = nm_radio.link;
    nm_radio.link = link;
    if (link == old)
        return;
    if (link == LINK_UP) {
        if (nm_radio.want_link && nm_radio_has_station() && !nm_radio.associated)
            begin_attempt();
        return;
    }
    if (nm_radio.associated || nm_radio.status == STATUS_GOT_IP) {
        end_link(link == LINK_DOWN ? REASON_BEACON_TIMEOUT : REASON_AUTH_EXPIRE);
        if (nm_radio.want_link)
            begin_attempt();
        else
            nm_radio.status = STATUS_IDLE;
    }
}

static const char *link_name(nm_radio_link link)
{
    return link == LINK_UP ? "up" : link == LINK_DOWN ? "down" : "wrongpwd";
}

static int wifi_command(void *data, int argc, char **argv, char *reply, size_t size)
{
    (void)data;
    if (argc != 1) {
        snprintf(reply, size, "usage: wifi drop|restore|wrongpwd|status");
        return UV_EINVAL;
    }
    if (strcmp(argv[0], "drop") == 0)
        set_link(LINK_DOWN);
    else if (strcmp(argv[0], "restore") == 0)
        set_link(LINK_UP);
    else if (strcmp(argv[0], "wrongpwd") == 0)
        set_link(LINK_WRONG_PASSWORD);
    else if (strcmp(argv[0], "status") != 0) {
        snprintf(reply, size, "unknown wifi command '%.32s' (drop, restore, wrongpwd, status)", argv[0]);
        return UV_EINVAL;
    }
    char ip[INET_ADDRSTRLEN] = "-";
    if (nm_radio.ip)
        inet_ntop(AF_INET, &nm_radio.ip, ip, sizeof ip);
    snprintf(reply, size, "link %s status %d ip %s", link_name(nm_radio.link), nm_radio.status, ip);
    return 0;
}

/* ---- power-on ---- */

static void close_timers(void)
{
    if (step_timer)
        nm_timer_close(step_timer);
    step_timer = NULL;
}

static void default_identity(void)
{
    char host[256] = "netmcu";
    gethostname(host, sizeof host - 1);
    host[sizeof host - 1] = '\0';
    uint32_t h = hash(host);
    const uint8_t sta[6] = {0x5c, 0xcf, 0x7f, (uint8_t)(h >> 16), (uint8_t)(h >> 8), (uint8_t)h};
    memcpy(nm_radio.sta_mac, sta, 6);
    memcpy(nm_radio.ap_mac, sta, 6);
    nm_radio.ap_mac[0] = 0x5e;
    snprintf(nm_radio.hostname, sizeof nm_radio.hostname, "NODE-%X%X%X", sta[3], sta[4], sta[5]);
}

static void default_settings(void)
{
    nm_radio.saved_mode = MODE_STATION;
    memset(&nm_radio.sta_saved, 0, sizeof nm_radio.sta_saved);
    nm_radio.autoconnect_saved = true;
    memset(&nm_radio.ap_saved, 0, sizeof nm_radio.ap_saved);
    snprintf(nm_radio.ap_saved.ssid, sizeof nm_radio.ap_saved.ssid, "ESP_%02X%02X%02X", nm_radio.ap_mac[3],
             nm_radio.ap_mac[4], nm_radio.ap_mac[5]);
    nm_radio.ap_saved.auth = AUTH_OPEN;
    nm_radio.ap_saved.channel = 1;
    nm_radio.ap_saved.max = 4;
    nm_radio.ap_saved.beacon = 100;
}

void nm_radio_power_on(void)
{
    const char *env;
    cancel_steps();
    memset(&nm_radio, 0, sizeof nm_radio);
    if (!start_link_given && (env = getenv("NETMCU_WIFI")) != NULL && *env)
        nm_radio_set_start_link(env);
    if (!address_given && (env = getenv("NETMCU_IP")) != NULL && *env)
        nm_radio_set_address(env);
    default_identity();
    default_settings();
    nm_radio_load_settings();
    nm_radio_mark_settings_clean();
    nm_radio.mode = nm_radio.saved_mode;
    nm_radio.sta = nm_radio.sta_saved;
    nm_radio.autoconnect = nm_radio.autoconnect_saved;
    nm_radio.ap = nm_radio.ap_saved;
    nm_radio.link = start_link;
    nm_radio.ap_ip = htonl(0xc0a80401u); /* 192.168.4.1/24, the SDK's soft AP */
    nm_radio.ap_mask = htonl(0xffffff00u);
    nm_radio.ap_gw = nm_radio.ap_ip;
    nm_radio.dhcp_start = htonl(0xc0a80464u);
    nm_radio.dhcp_end = htonl(0xc0a80467u);
    nm_radio.dhcps_running = true;
    nm_radio.phymode = 3;   /* 802.11n */
    nm_radio.sleeptype = 2; /* modem sleep */
    nm_radio.nullmodesleep = true;
    nm_radio.aplimit = 1;
    snprintf(nm_radio.country, sizeof nm_radio.country, "CN");
    nm_radio.country_start = 1;
    nm_radio.country_end = 13;
    nm_loop_at_shutdown(close_timers);
    nm_control_register("wifi", wifi_command, NULL);
    if (nm_radio.autoconnect)
        nm_radio_connect();
}
