/*
 * radio.h — the simulated ESP8266 radio behind the `wifi` module: operating
 * mode, the station's state machine on the host's real network, the soft AP's
 * settings, link faults, and the settings kept "in flash" ($NETMCU_HOME).
 * No Lua here: the binding (wifi.c) reads this state and receives events
 * through the sink, which must queue them (the radio may report from inside
 * an API call).
 *
 * Station life (the SDK's): connect → STATUS_CONNECTING; after CONNECT_MS the
 * AP answers: STA_CONNECTED, then after DHCP_MS STA_GOT_IP with the host's
 * address and STATUS_GOT_IP. With the link down the attempt ends in
 * STA_DISCONNECTED (NO_AP_FOUND) and STATUS_NO_AP_FOUND, with a refused
 * password in STA_DISCONNECTED (AUTH_FAIL) and STATUS_WRONG_PASSWORD; the
 * station retries every RETRY_MS until it connects or is told to stop. A
 * dropped link fires STA_DISCONNECTED (BEACON_TIMEOUT) and retries likewise.
 */
#ifndef NETMCU_WIFI_RADIO_H
#define NETMCU_WIFI_RADIO_H

#include <stdbool.h>
#include <stdint.h>

enum { MODE_NULL = 0, MODE_STATION = 1, MODE_SOFTAP = 2, MODE_STATIONAP = 3 };
enum {
    STATUS_IDLE = 0,
    STATUS_CONNECTING = 1,
    STATUS_WRONG_PASSWORD = 2,
    STATUS_NO_AP_FOUND = 3,
    STATUS_CONNECT_FAIL = 4,
    STATUS_GOT_IP = 5
};
/* The SDK's event numbers (wifi.eventmon.*). */
enum {
    EV_STA_CONNECTED = 0,
    EV_STA_DISCONNECTED = 1,
    EV_STA_AUTHMODE_CHANGE = 2,
    EV_STA_GOT_IP = 3,
    EV_STA_DHCP_TIMEOUT = 4,
    EV_AP_STACONNECTED = 5,
    EV_AP_STADISCONNECTED = 6,
    EV_AP_PROBEREQRECVED = 7,
    EV_OPMODE_CHANGED = 8
};
/* Disconnect reasons (wifi.eventmon.reason.*) the simulation produces. */
enum {
    REASON_AUTH_EXPIRE = 2,
    REASON_ASSOC_LEAVE = 8,
    REASON_BEACON_TIMEOUT = 200,
    REASON_NO_AP_FOUND = 201,
    REASON_AUTH_FAIL = 202
};
enum { AUTH_OPEN = 0, AUTH_WPA_PSK = 2, AUTH_WPA2_PSK = 3, AUTH_WPA_WPA2_PSK = 4 };

/* The link as the fault injection sets it. */
typedef enum { LINK_UP, LINK_DOWN, LINK_WRONG_PASSWORD } nm_radio_link;

enum { CONNECT_MS = 400, DHCP_MS = 250, RETRY_MS = 2000, SCAN_MS = 300 };

typedef struct sta_config {
    char ssid[33];
    char pwd[65];
    bool bssid_set;
    uint8_t bssid[6];
} sta_config;

typedef struct ap_config {
    char ssid[33];
    char pwd[65];
    int auth, channel, hidden, max, beacon;
} ap_config;

typedef struct nm_radio_event {
    int id;
    char ssid[33];
    uint8_t bssid[6];
    int channel, reason;
    uint32_t ip, mask, gw; /* network byte order */
    int old_mode, new_mode;
} nm_radio_event;

typedef struct nm_radio_state {
    int mode, saved_mode;
    sta_config sta, sta_saved;
    bool autoconnect, autoconnect_saved;
    ap_config ap, ap_saved;
    int status;
    bool associated; /* STA_CONNECTED fired, no disconnect since */
    bool want_link;  /* connect() requested and not disconnect()ed */
    nm_radio_link link;
    uint32_t ip, mask, gw;          /* the station's address while it has one */
    bool static_ip;                 /* wifi.sta.setip() took over from DHCP */
    uint32_t sip, smask, sgw;       /* the address setip() chose */
    uint32_t ap_ip, ap_mask, ap_gw; /* the soft AP's interface */
    uint32_t dhcp_start, dhcp_end;
    bool dhcps_running;
    int phymode, sleeptype;
    bool nullmodesleep;
    char hostname[33];
    uint8_t sta_mac[6], ap_mac[6];
    int aplimit;
    char country[3];
    int country_start, country_end, country_policy;
} nm_radio_state;

extern nm_radio_state nm_radio;

/* Runner options (before the first wifi use): the link at power-on
 * ("up", "offline", "wrongpwd") and the host address to report. Return 0,
 * or UV_EINVAL for a value that is not one of those, a negative code
 * (nm_hostnet_pick's) for an address the host does not have. */
int nm_radio_set_start_link(const char *name);
int nm_radio_set_address(const char *dotted);

/* Where events go; called with every event, possibly inside an API call. */
void nm_radio_set_sink(void (*sink)(const nm_radio_event *ev));
/* The station's attempts keep the run alive only while watched() says a
 * script can see their outcome (an event callback is registered); call
 * nm_radio_watch_changed when that may have changed. */
void nm_radio_set_watch(bool (*watched)(void));
void nm_radio_watch_changed(void);

/* Power-on: settings from flash, MAC addresses, auto-connect. Idempotent
 * within one run except that it resets the radio when called again (reboot). */
void nm_radio_power_on(void);

int nm_radio_set_mode(int mode, bool save);
void nm_radio_connect(void);
void nm_radio_disconnect(void);
void nm_radio_set_autoconnect(bool on);
/* Configures the station (disconnects first, connects when auto). Returns true. */
bool nm_radio_config_sta(const sta_config *cfg, bool autoconnect, bool save);
void nm_radio_clear_sta(void);
bool nm_radio_config_ap(const ap_config *cfg, bool save);
bool nm_radio_has_station(void);
bool nm_radio_has_ap(void);
/* The station's channel, BSSID and RSSI while associated (of the simulated AP). */
int nm_radio_channel(void);
int nm_radio_ap_channel(void); /* the simulated access point's channel */
void nm_radio_ap_bssid(uint8_t out[6]);
int nm_radio_rssi(void);
/* The station's address: false when it has none. */
bool nm_radio_sta_ip(uint32_t *ip, uint32_t *mask, uint32_t *gw);
void nm_radio_set_sta_ip(uint32_t ip, uint32_t mask, uint32_t gw);

/* Remembers the saved settings as what the flash holds (after loading). */
void nm_radio_mark_settings_clean(void);
/* Writes the flash settings file when they changed; 0, or a negative code
 * when the state directory is unusable. */
int nm_radio_save_settings(void);
/* Reads it into the saved settings; 0, or UV_ENOENT when there is none. */
int nm_radio_load_settings(void);

#endif
