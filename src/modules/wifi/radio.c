/*
 * radio.c — the simulated radio (see radio.h): station state machine, link
 * faults and the `wifi` noun of the control channel.
 */
#include "modules/wifi/radio.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/control.h"
#include "core/hostnet.h"
#include "core/loop.h"
#include "core/timer.h"
#include "runtime/profile.h"

radio_state radio;

enum { PH_ASSOCIATE, PH_DHCP, PH_RETRY };

static void (*event_sink)(const radio_event *ev);
static radio_link start_link = LINK_UP;
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

int radio_set_start_link(const char *name)
{
    if (strcmp(name, "up") == 0)
        start_link = LINK_UP;
    else if (strcmp(name, "offline") == 0)
        start_link = LINK_DOWN;
    else if (strcmp(name, "wrongpwd") == 0)
        start_link = LINK_WRONG_PASSWORD;
    else
        return -1;
    start_link_given = true;
    return 0;
}

int radio_set_address(const char *dotted)
{
    nm_hostnet net;
    if (strlen(dotted) >= sizeof address || nm_hostnet_pick(dotted, &net) != 0)
        return -1;
    snprintf(address, sizeof address, "%s", dotted);
    address_given = true;
    return 0;
}

void radio_set_sink(void (*sink)(const radio_event *ev))
{
    event_sink = sink;
}

void radio_set_watch(bool (*watched)(void))
{
    watch = watched;
    radio_watch_changed();
}

void radio_watch_changed(void)
{
    if (step_timer == NULL)
        return;
    if (watch != NULL && watch())
        nm_timer_strong(step_timer);
    else
        nm_timer_weak(step_timer);
}

bool radio_has_station(void)
{
    return radio.mode == MODE_STATION || radio.mode == MODE_STATIONAP;
}

bool radio_has_ap(void)
{
    return radio.mode == MODE_SOFTAP || radio.mode == MODE_STATIONAP;
}

int radio_ap_channel(void)
{
    return 1 + (int)(hash(radio.sta.ssid) % 11);
}

int radio_channel(void)
{
    if (radio.associated)
        return radio_ap_channel();
    return radio_has_ap() ? radio.ap.channel : 1;
}

void radio_ap_bssid(uint8_t out[6])
{
    if (radio.sta.bssid_set) {
        memcpy(out, radio.sta.bssid, 6);
        return;
    }
    uint32_t h = hash(radio.sta.ssid);
    const uint8_t bssid[6] = {0xac, 0x84, 0xc6, (uint8_t)(h >> 16), (uint8_t)(h >> 8), (uint8_t)h};
    memcpy(out, bssid, 6);
}

int radio_rssi(void)
{
    return -42 - (int)(hash(radio.sta.ssid) % 28);
}

bool radio_sta_ip(uint32_t *ip, uint32_t *mask, uint32_t *gw)
{
    if (radio.ip == 0)
        return false;
    *ip = radio.ip;
    *mask = radio.mask;
    *gw = radio.gw;
    return true;
}

void radio_sta_setip(uint32_t ip, uint32_t mask, uint32_t gw)
{
    radio.static_ip = true;
    radio.sip = ip;
    radio.smask = mask;
    radio.sgw = gw;
    if (radio.status == STATUS_GOT_IP || radio.ip != 0) {
        radio.ip = ip;
        radio.mask = mask;
        radio.gw = gw;
    }
}

static void emit(radio_event *ev)
{
    if (event_sink)
        event_sink(ev);
}

static void emit_station(int id, int reason)
{
    radio_event ev = {.id = id, .reason = reason};
    snprintf(ev.ssid, sizeof ev.ssid, "%s", radio.sta.ssid);
    radio_ap_bssid(ev.bssid);
    ev.channel = radio_ap_channel();
    if (id == EV_STA_GOT_IP) {
        ev.ip = radio.ip;
        ev.mask = radio.mask;
        ev.gw = radio.gw;
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
        radio_watch_changed();
    }
    pending_phase = phase;
    nm_timer_start(step_timer, ms, 0);
}

static void begin_attempt(void)
{
    radio.status = STATUS_CONNECTING;
    schedule(PH_ASSOCIATE, CONNECT_MS);
}

static void lose_address(void)
{
    radio.ip = radio.mask = radio.gw = 0;
}

static void fail_attempt(int status, int reason)
{
    radio.status = status;
    emit_station(EV_STA_DISCONNECTED, reason);
    schedule(PH_RETRY, RETRY_MS);
}

static void take_address(void)
{
    if (radio.static_ip) {
        radio.ip = radio.sip;
        radio.mask = radio.smask;
        radio.gw = radio.sgw;
        return;
    }
    nm_hostnet net;
    if (nm_hostnet_pick(address_given ? address : NULL, &net) != 0)
        nm_hostnet_pick(NULL, &net); /* the chosen address left the host */
    radio.ip = net.ip;
    radio.mask = net.mask;
    radio.gw = net.gw;
}

static void on_timer(nm_timer *timer, void *data)
{
    (void)timer;
    (void)data;
    if (!radio.want_link || !radio_has_station())
        return;
    switch (pending_phase) {
    case PH_ASSOCIATE:
        if (radio.link == LINK_DOWN) {
            fail_attempt(STATUS_NO_AP_FOUND, REASON_NO_AP_FOUND);
        } else if (radio.link == LINK_WRONG_PASSWORD) {
            fail_attempt(STATUS_WRONG_PASSWORD, REASON_AUTH_FAIL);
        } else {
            radio.associated = true;
            emit_station(EV_STA_CONNECTED, 0);
            schedule(PH_DHCP, DHCP_MS);
        }
        break;
    case PH_DHCP:
        take_address();
        radio.status = STATUS_GOT_IP;
        emit_station(EV_STA_GOT_IP, 0);
        break;
    case PH_RETRY:
        begin_attempt();
        break;
    }
}

void radio_connect(void)
{
    if (!radio_has_station() || radio.sta.ssid[0] == '\0')
        return;
    radio.want_link = true;
    if (radio.associated || step_pending())
        return;
    begin_attempt();
}

/* Ends the link; `reason` 0: quietly (nothing was associated). */
static void end_link(int reason)
{
    bool was = radio.associated;
    cancel_steps();
    radio.associated = false;
    lose_address();
    if (was && reason)
        emit_station(EV_STA_DISCONNECTED, reason);
}

void radio_disconnect(void)
{
    radio.want_link = false;
    end_link(REASON_ASSOC_LEAVE);
    radio.status = STATUS_IDLE;
}

void radio_set_autoconnect(bool on)
{
    radio.autoconnect = radio.autoconnect_saved = on;
    radio_store_save();
}

bool radio_sta_config(const sta_config *cfg, bool autoconnect, bool save)
{
    radio_disconnect();
    radio.sta = *cfg;
    radio.static_ip = false;
    if (save)
        radio.sta_saved = *cfg;
    radio.autoconnect = autoconnect;
    radio.autoconnect_saved = autoconnect;
    radio_store_save();
    if (autoconnect)
        radio_connect();
    return true;
}

void radio_sta_clear(void)
{
    radio_disconnect();
    memset(&radio.sta, 0, sizeof radio.sta);
    memset(&radio.sta_saved, 0, sizeof radio.sta_saved);
    radio.autoconnect = radio.autoconnect_saved = false;
    radio_store_save();
}

bool radio_save_ap(const ap_config *cfg, bool save)
{
    radio.ap = *cfg;
    if (save) {
        radio.ap_saved = *cfg;
        radio_store_save();
    }
    return true;
}

int radio_setmode(int mode, bool save)
{
    int old = radio.mode;
    bool had_station = radio_has_station();
    radio.mode = mode;
    if (save) {
        radio.saved_mode = mode;
        radio_store_save();
    }
    if (had_station && !radio_has_station()) {
        bool wanted = radio.want_link;
        radio_disconnect();
        radio.want_link = wanted;
    } else if (!had_station && radio_has_station() && (radio.autoconnect || radio.want_link)) {
        radio_connect();
    }
    if (old != mode && nm_since(NM_ERA_2_2)) {
        radio_event ev = {.id = EV_OPMODE_CHANGED, .old_mode = old, .new_mode = mode};
        emit(&ev);
    }
    return radio.mode;
}

/* ---- faults from the control channel ---- */

static void set_link(radio_link link)
{
    radio_link old = radio.link;
    radio.link = link;
    if (link == old)
        return;
    if (link == LINK_UP) {
        if (radio.want_link && radio_has_station() && !radio.associated)
            begin_attempt();
        return;
    }
    if (radio.associated || radio.status == STATUS_GOT_IP) {
        end_link(link == LINK_DOWN ? REASON_BEACON_TIMEOUT : REASON_AUTH_EXPIRE);
        if (radio.want_link)
            begin_attempt();
        else
            radio.status = STATUS_IDLE;
    }
}

static const char *link_name(radio_link link)
{
    return link == LINK_UP ? "up" : link == LINK_DOWN ? "down" : "wrongpwd";
}

static int wifi_command(void *data, int argc, char **argv, char *reply, size_t size)
{
    (void)data;
    if (argc != 1) {
        snprintf(reply, size, "usage: wifi drop|restore|wrongpwd|status");
        return -1;
    }
    if (strcmp(argv[0], "drop") == 0)
        set_link(LINK_DOWN);
    else if (strcmp(argv[0], "restore") == 0)
        set_link(LINK_UP);
    else if (strcmp(argv[0], "wrongpwd") == 0)
        set_link(LINK_WRONG_PASSWORD);
    else if (strcmp(argv[0], "status") != 0) {
        snprintf(reply, size, "unknown wifi command '%.32s' (drop, restore, wrongpwd, status)", argv[0]);
        return -1;
    }
    char ip[INET_ADDRSTRLEN] = "-";
    if (radio.ip)
        inet_ntop(AF_INET, &radio.ip, ip, sizeof ip);
    snprintf(reply, size, "link %s status %d ip %s", link_name(radio.link), radio.status, ip);
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
    memcpy(radio.sta_mac, sta, 6);
    memcpy(radio.ap_mac, sta, 6);
    radio.ap_mac[0] = 0x5e;
    snprintf(radio.hostname, sizeof radio.hostname, "NODE-%X%X%X", sta[3], sta[4], sta[5]);
}

static void default_settings(void)
{
    radio.saved_mode = MODE_STATION;
    memset(&radio.sta_saved, 0, sizeof radio.sta_saved);
    radio.autoconnect_saved = true;
    memset(&radio.ap_saved, 0, sizeof radio.ap_saved);
    snprintf(radio.ap_saved.ssid, sizeof radio.ap_saved.ssid, "ESP_%02X%02X%02X", radio.ap_mac[3], radio.ap_mac[4],
             radio.ap_mac[5]);
    radio.ap_saved.auth = AUTH_OPEN;
    radio.ap_saved.channel = 1;
    radio.ap_saved.max = 4;
    radio.ap_saved.beacon = 100;
}

void radio_power_on(void)
{
    const char *env;
    cancel_steps();
    memset(&radio, 0, sizeof radio);
    if (!start_link_given && (env = getenv("NETMCU_WIFI")) != NULL && *env)
        radio_set_start_link(env);
    if (!address_given && (env = getenv("NETMCU_IP")) != NULL && *env)
        radio_set_address(env);
    default_identity();
    default_settings();
    radio_store_load();
    radio_store_mark_clean();
    radio.mode = radio.saved_mode;
    radio.sta = radio.sta_saved;
    radio.autoconnect = radio.autoconnect_saved;
    radio.ap = radio.ap_saved;
    radio.link = start_link;
    radio.ap_ip = htonl(0xc0a80401u); /* 192.168.4.1/24, the SDK's soft AP */
    radio.ap_mask = htonl(0xffffff00u);
    radio.ap_gw = radio.ap_ip;
    radio.dhcp_start = htonl(0xc0a80464u);
    radio.dhcp_end = htonl(0xc0a80467u);
    radio.dhcps_running = true;
    radio.phymode = 3; /* 802.11n */
    radio.sleeptype = 2; /* modem sleep */
    radio.nullmodesleep = true;
    radio.aplimit = 1;
    snprintf(radio.country, sizeof radio.country, "CN");
    radio.country_start = 1;
    radio.country_end = 13;
    nm_loop_at_shutdown(close_timers);
    nm_control_register("wifi", wifi_command, NULL);
    if (radio.autoconnect)
        radio_connect();
}
