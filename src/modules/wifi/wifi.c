/*
 * wifi.c — the `wifi` module: wifi.*, wifi.sta.*, wifi.ap.*, wifi.ap.dhcp.*
 * and wifi.eventmon.* of the profile's firmware, over the simulated radio
 * (radio.h). Argument checks, error texts and return values are the
 * firmware's; what a PC cannot do (scan the air, host soft-AP clients) is
 * simulated plainly and documented in the README.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/loop.h"
#include "core/timer.h"
#include "modules/wifi/wifi.h"
#include "runtime/luacall.h"
#include "runtime/modules.h"
#include "runtime/profile.h"

#define INVALID_MAC_STR "MAC:FF:FF:FF:FF:FF:FF"

static int scan_ref = LUA_NOREF;
static nm_timer *scan_timer;
static int scan_format;
static struct {
    bool active;
    char ssid[33];
    bool bssid_set;
    uint8_t bssid[6];
    int channel;
} scan_filter;
static bool forced_sleep; /* 1.5 wifi.sleep() */

const char *wifi_ipstr(uint32_t ip, char *buf)
{
    const uint8_t *b = (const uint8_t *)&ip;
    snprintf(buf, 16, "%d.%d.%d.%d", b[0], b[1], b[2], b[3]);
    return buf;
}

const char *wifi_macstr(const uint8_t mac[6], char *buf)
{
    snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
    return buf;
}

/* The SDK's ets_str2macaddr: six hex pairs, any separators. */
static void parse_mac(const char *s, uint8_t mac[6])
{
    for (int i = 0; i < 6; i++) {
        unsigned v = 0;
        sscanf(s + 3 * i, "%2x", &v);
        mac[i] = (uint8_t)v;
    }
}

static void push_ip3(lua_State *L, uint32_t ip, uint32_t mask, uint32_t gw)
{
    char buf[16];
    lua_pushstring(L, wifi_ipstr(ip, buf));
    lua_pushstring(L, wifi_ipstr(mask, buf));
    lua_pushstring(L, wifi_ipstr(gw, buf));
}

static void checkboolean(lua_State *L, int arg)
{
    luaL_checktype(L, arg, LUA_TBOOLEAN);
}

/* ---- wifi.* ---- */

static int wifi_setmode(lua_State *L)
{
    lua_Integer mode = luaL_checkinteger(L, 1);
    bool save = true;
    luaL_argcheck(L, mode >= MODE_NULL && mode <= MODE_STATIONAP, 1, "Invalid mode");
    if (!lua_isnoneornil(L, 2)) {
        checkboolean(L, 2);
        save = lua_toboolean(L, 2);
    }
    lua_pushinteger(L, nm_radio_set_mode((int)mode, save));
    return 1;
}

static int wifi_getmode(lua_State *L)
{
    lua_pushinteger(L, nm_radio.mode);
    return 1;
}

static int wifi_getdefaultmode(lua_State *L)
{
    lua_pushinteger(L, nm_radio.saved_mode);
    return 1;
}

static int wifi_getchannel(lua_State *L)
{
    lua_pushinteger(L, nm_radio_channel());
    return 1;
}

static int wifi_setphymode(lua_State *L)
{
    lua_Integer mode = luaL_checkinteger(L, 1);
    if (mode < 1 || mode > 3)
        return luaL_error(L, "wrong arg type");
    nm_radio.phymode = (int)mode;
    lua_pushinteger(L, nm_radio.phymode);
    return 1;
}

static int wifi_getphymode(lua_State *L)
{
    lua_pushinteger(L, nm_radio.phymode);
    return 1;
}

static int wifi_sleeptype(lua_State *L)
{
    if (lua_isnumber(L, 1)) {
        lua_Integer type = lua_tointeger(L, 1);
        luaL_argcheck(L, type >= 0 && type <= 2, 1, "range:0-2");
        nm_radio.sleeptype = (int)type;
    }
    lua_pushinteger(L, nm_radio.sleeptype);
    return 1;
}

static int wifi_nullmodesleep(lua_State *L)
{
    if (!lua_isnone(L, 1))
        nm_radio.nullmodesleep = lua_toboolean(L, 1);
    lua_pushboolean(L, nm_radio.nullmodesleep);
    return 1;
}

/* 1.5 wifi.sleep([0|1]): forced modem sleep takes the radio to NULLMODE. */
static int wifi_sleep(lua_State *L)
{
    int desired = 2;
    if (lua_isnumber(L, 1)) {
        lua_Number n = luaL_checknumber(L, 1);
        desired = n == 0 ? 0 : n == 1 ? 1 : 2;
    }
    if (!forced_sleep && desired == 1) {
        nm_radio_set_mode(MODE_NULL, false);
        forced_sleep = true;
    } else if (forced_sleep && desired == 0) {
        forced_sleep = false;
    }
    lua_pushnumber(L, forced_sleep ? 1 : 0);
    lua_pushnil(L);
    return 2;
}

static int wifi_getcountry(lua_State *L)
{
    lua_newtable(L);
    lua_pushstring(L, nm_radio.country);
    lua_setfield(L, -2, "country");
    lua_pushinteger(L, nm_radio.country_start);
    lua_setfield(L, -2, "start_ch");
    lua_pushinteger(L, nm_radio.country_end);
    lua_setfield(L, -2, "end_ch");
    lua_pushinteger(L, nm_radio.country_policy);
    lua_setfield(L, -2, "policy");
    return 1;
}

/* A number field of the table at 1 (nil: absent → dflt), range-checked with the firmware's texts. */
static lua_Integer table_int(lua_State *L, const char *key, lua_Integer lo, lua_Integer hi, const char *range_msg,
                             const char *type_msg, lua_Integer dflt)
{
    lua_getfield(L, 1, key);
    lua_Integer v = dflt;
    if (!lua_isnil(L, -1)) {
        if (!lua_isnumber(L, -1))
            luaL_argerror(L, 1, type_msg);
        v = luaL_checkinteger(L, -1);
        luaL_argcheck(L, v >= lo && v <= hi, 1, range_msg);
    }
    lua_pop(L, 1);
    return v;
}

static int wifi_setcountry(lua_State *L)
{
    char cc[3] = "CN";
    if (!lua_istable(L, 1))
        return luaL_argerror(L, 1, "Table not found!");
    lua_getfield(L, 1, "country");
    if (!lua_isnil(L, -1)) {
        size_t len;
        if (!lua_isstring(L, -1))
            return luaL_argerror(L, 1, "country: must be string");
        const char *code = lua_tolstring(L, -1, &len);
        luaL_argcheck(L, len == 2 && isalpha((unsigned char)code[0]) && isalpha((unsigned char)code[1]), 1,
                      "country: country code must be 2 chars");
        cc[0] = (char)toupper((unsigned char)code[0]);
        cc[1] = (char)toupper((unsigned char)code[1]);
    }
    lua_pop(L, 1);
    lua_Integer start = table_int(L, "start_ch", 1, 14, "start_ch: Range:1-14", "start_ch: must be a number", 1);
    lua_Integer end = table_int(L, "end_ch", 1, 14, "end_ch: Range:1-14", "end_ch: must be a number", 13);
    luaL_argcheck(L, end >= start, 1, "end_ch: can't be less than start_ch");
    lua_Integer policy = table_int(L, "policy", 0, 1, "policy: must be 0 or 1", "policy: must be a number", 0);
    memcpy(nm_radio.country, cc, 3);
    nm_radio.country_start = (int)start;
    nm_radio.country_end = (int)end;
    nm_radio.country_policy = (int)policy;
    lua_pushboolean(L, 1);
    return 1;
}

/* Returns its argument, as the firmware's does (it returns 1 with nothing pushed). */
static int wifi_setmaxtxpower(lua_State *L)
{
    lua_Integer power = luaL_checkinteger(L, 1);
    luaL_argcheck(L, power > 0 && power < 83, 1, "tx power out of range (0->82)");
    lua_settop(L, 1);
    return 1;
}

static int wifi_suspend_unavailable(lua_State *L)
{
    return luaL_error(L, "wifi.suspend is unavailable");
}

/* ---- wifi.sta.* ---- */

static bool valid_hostname(const char *name, size_t len)
{
    if (len == 0 || len > 32 || !isalnum((unsigned char)name[0]) || !isalnum((unsigned char)name[len - 1]))
        return false;
    for (size_t i = 1; i < len; i++)
        if (!isalnum((unsigned char)name[i]) && name[i] != '-')
            return false;
    return true;
}

static int sta_gethostname(lua_State *L)
{
    lua_pushstring(L, nm_radio.hostname);
    return 1;
}

static int sta_sethostname(lua_State *L)
{
    size_t len;
    const char *name = luaL_checklstring(L, 1, &len);
    luaL_argcheck(L, valid_hostname(name, len), 1, "Invalid hostname");
    memcpy(nm_radio.hostname, name, len);
    nm_radio.hostname[len] = '\0';
    if (!nm_since(NM_ERA_2_2))
        return 0;
    lua_pushboolean(L, 1);
    return 1;
}

/* The 1.5 positional form: config(ssid, pwd[, auto[, bssid]]). */
static void sta_config_positional(lua_State *L, sta_config *cfg, bool *autoconnect)
{
    size_t sl, pl, ml;
    const char *ssid = luaL_checklstring(L, 1, &sl);
    luaL_argcheck(L, sl >= 1 && sl < 32, 1, "length:1-32");
    memcpy(cfg->ssid, ssid, sl);
    const char *pwd = luaL_checklstring(L, 2, &pl);
    luaL_argcheck(L, pl == 0 || (pl >= 8 && pl < 64), 2, "length:0 or 8-64");
    memcpy(cfg->pwd, pwd, pl);
    int bssid_arg = 4;
    if (lua_isnumber(L, 3)) {
        lua_Integer a = luaL_checkinteger(L, 3);
        if (a != 0 && a != 1)
            luaL_error(L, "wrong arg type");
        *autoconnect = a == 1;
    } else if (lua_isstring(L, 3)) {
        bssid_arg = 3; /* config(ssid, pwd, bssid): the firmware shifts the arguments */
    } else if (lua_isnil(L, 3)) {
        luaL_error(L, "wrong arg type");
    }
    if (!lua_isnumber(L, bssid_arg) && lua_isstring(L, bssid_arg)) {
        const char *mac = luaL_checklstring(L, bssid_arg, &ml);
        luaL_argcheck(L, ml == 17, 1, INVALID_MAC_STR);
        parse_mac(mac, cfg->bssid);
        cfg->bssid_set = true;
    }
}

/* A string field of the table at 1, with the firmware's texts; false when absent. */
static bool table_str(lua_State *L, const char *key, char *dst, size_t lo, size_t hi, const char *len_msg,
                      const char *type_msg)
{
    size_t len;
    lua_getfield(L, 1, key);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return false;
    }
    if (!lua_isstring(L, -1))
        luaL_argerror(L, 1, type_msg);
    const char *s = lua_tolstring(L, -1, &len);
    luaL_argcheck(L, len >= lo && len <= hi, 1, len_msg);
    memcpy(dst, s, len);
    dst[len] = '\0';
    lua_pop(L, 1);
    return true;
}

/* An optional boolean field; false when absent. */
static bool table_bool(lua_State *L, const char *key, bool *dst, const char *type_msg)
{
    lua_getfield(L, 1, key);
    bool present = !lua_isnil(L, -1);
    if (present) {
        if (!lua_isboolean(L, -1))
            luaL_argerror(L, 1, type_msg);
        *dst = lua_toboolean(L, -1);
    }
    lua_pop(L, 1);
    return present;
}

/* 2.2 on: the event callbacks a config table may carry. */
static void table_callbacks(lua_State *L, const char *const *keys, const char *const *msgs, const int *ids, int n)
{
    for (int i = 0; i < n; i++) {
        lua_getfield(L, 1, keys[i]);
        if (!lua_isnil(L, -1)) {
            if (!lua_isfunction(L, -1))
                luaL_argerror(L, 1, msgs[i]);
            wifi_event_set(L, ids[i], lua_gettop(L));
        }
        lua_pop(L, 1);
    }
}

static void sta_config_table(lua_State *L, sta_config *cfg, bool *autoconnect, bool *save)
{
    bool modern = nm_since(NM_ERA_2_2); /* the 2.x API, kept by 3.0 */
    char bssid[18];
    lua_getfield(L, 1, "ssid");
    bool has_ssid = !lua_isnil(L, -1);
    lua_pop(L, 1);
    if (!has_ssid)
        luaL_argerror(L, 1, "ssid required");
    if (modern) {
        table_str(L, "ssid", cfg->ssid, 0, 32, "ssid: length:0-32", "ssid:not string");
        table_str(L, "pwd", cfg->pwd, 0, 64, "pwd: length:0-64", "pwd:not string");
    } else {
        table_str(L, "ssid", cfg->ssid, 1, 32, "ssid: length:1-32", "ssid:not string");
        table_str(L, "pwd", cfg->pwd, 8, 64, "pwd: length:8-64", "pwd:not string");
    }
    if (table_str(L, "bssid", bssid, 17, 17, "bssid: FF:FF:FF:FF:FF:FF", "bssid:not string")) {
        parse_mac(bssid, cfg->bssid);
        cfg->bssid_set = true;
    }
    table_bool(L, "auto", autoconnect, "auto:not boolean");
    if (!table_bool(L, "save", save, "save:not boolean"))
        *save = modern; /* 1.5's table form does not save unless asked */
    if (modern) {
        static const char *const keys[] = {"connect_cb", "disconnect_cb", "authmode_change_cb", "got_ip_cb",
                                           "dhcp_timeout_cb"};
        static const char *const msgs[] = {"connect_cb:not function", "disconnect_cb:not function",
                                           "authmode_change_cb:not function", "gotip_cb:not function",
                                           "dhcp_timeout_cb:not function"};
        static const int ids[] = {EV_STA_CONNECTED, EV_STA_DISCONNECTED, EV_STA_AUTHMODE_CHANGE, EV_STA_GOT_IP,
                                  EV_STA_DHCP_TIMEOUT};
        table_callbacks(L, keys, msgs, ids, 5);
    }
}

static int sta_config_fn(lua_State *L)
{
    sta_config cfg;
    bool autoconnect = true, save = true;
    memset(&cfg, 0, sizeof cfg);
    if (lua_istable(L, 1))
        sta_config_table(L, &cfg, &autoconnect, &save);
    else if (nm_since(NM_ERA_2_2))
        return luaL_argerror(L, 1, "config table not found!");
    else
        sta_config_positional(L, &cfg, &autoconnect);
    lua_pushboolean(L, nm_radio_config_sta(&cfg, autoconnect, save));
    return 1;
}

static int sta_clearconfig(lua_State *L)
{
    nm_radio_clear_sta();
    lua_pushboolean(L, 1);
    return 1;
}

static int sta_connect(lua_State *L)
{
    if (nm_since(NM_ERA_2_2) && lua_isfunction(L, 1))
        wifi_event_set(L, EV_STA_CONNECTED, 1);
    nm_radio_connect();
    return 0;
}

static int sta_disconnect(lua_State *L)
{
    if (nm_since(NM_ERA_2_2) && lua_isfunction(L, 1))
        wifi_event_set(L, EV_STA_DISCONNECTED, 1);
    nm_radio_disconnect();
    return 0;
}

static int sta_autoconnect(lua_State *L)
{
    lua_Integer a = luaL_checkinteger(L, 1);
    luaL_argcheck(L, a == 0 || a == 1, 1, "0 or 1");
    nm_radio_set_autoconnect(a == 1);
    return 0;
}

static int sta_status(lua_State *L)
{
    lua_pushinteger(L, nm_radio.status);
    return 1;
}

static int sta_getip(lua_State *L)
{
    uint32_t ip, mask, gw;
    if (!nm_radio_sta_ip(&ip, &mask, &gw)) {
        lua_pushnil(L);
        return 1;
    }
    push_ip3(L, ip, mask, gw);
    return 3;
}

static void push_broadcast(lua_State *L, uint32_t ip, uint32_t mask)
{
    char buf[16];
    lua_pushstring(L, wifi_ipstr((ip & mask) | ~mask, buf));
}

static int sta_getbroadcast(lua_State *L)
{
    uint32_t ip, mask, gw;
    if (!nm_radio_sta_ip(&ip, &mask, &gw))
        lua_pushnil(L);
    else
        push_broadcast(L, ip, mask);
    return 1;
}

/* lwIP's ipaddr_addr of a "ip"/"netmask"/"gateway" field: 0 when absent or not an address. */
static uint32_t table_ip(lua_State *L, const char *key)
{
    struct in_addr a = {0};
    lua_getfield(L, 1, key);
    if (lua_isstring(L, -1) && inet_aton(lua_tostring(L, -1), &a) == 0)
        a.s_addr = 0;
    lua_pop(L, 1);
    return a.s_addr;
}

static int sta_setip(lua_State *L)
{
    if (!lua_istable(L, 1))
        return luaL_error(L, "wrong arg type");
    uint32_t ip = table_ip(L, "ip"), mask = table_ip(L, "netmask"), gw = table_ip(L, "gateway");
    uint32_t cur_ip = nm_radio.static_ip ? nm_radio.sip : nm_radio.ip;
    uint32_t cur_mask = nm_radio.static_ip ? nm_radio.smask : nm_radio.mask;
    uint32_t cur_gw = nm_radio.static_ip ? nm_radio.sgw : nm_radio.gw;
    nm_radio_set_sta_ip(ip ? ip : cur_ip, mask ? mask : cur_mask, gw ? gw : cur_gw);
    lua_pushboolean(L, 1);
    return 1;
}

static int push_mac(lua_State *L, const uint8_t mac[6])
{
    char buf[18];
    lua_pushstring(L, wifi_macstr(mac, buf));
    return 1;
}

static int sta_getmac(lua_State *L)
{
    return push_mac(L, nm_radio.sta_mac);
}

static int ap_getmac(lua_State *L)
{
    return push_mac(L, nm_radio.ap_mac);
}

/* The SDK refuses a multicast address, and an interface that is off. */
static int set_mac(lua_State *L, uint8_t mac_out[6], bool iface_on)
{
    size_t len;
    uint8_t mac[6];
    const char *s = luaL_checklstring(L, 1, &len);
    luaL_argcheck(L, len == 17, 1, INVALID_MAC_STR);
    parse_mac(s, mac);
    bool ok = iface_on && !(mac[0] & 1);
    if (ok)
        memcpy(mac_out, mac, 6);
    lua_pushboolean(L, ok);
    return 1;
}

static int sta_setmac(lua_State *L)
{
    return set_mac(L, nm_radio.sta_mac, nm_radio_has_station());
}

static int ap_setmac(lua_State *L)
{
    return set_mac(L, nm_radio.ap_mac, nm_radio_has_ap());
}

static int sta_getrssi(lua_State *L)
{
    if (nm_radio.associated)
        lua_pushinteger(L, nm_radio_rssi());
    else
        lua_pushnil(L);
    return 1;
}

static void push_sta_config(lua_State *L, const sta_config *c, bool as_table)
{
    char mac[18];
    bool modern = nm_since(NM_ERA_2_2); /* the 2.x API, kept by 3.0 */
    wifi_macstr(c->bssid, mac);
    if (!as_table) {
        lua_pushstring(L, c->ssid);
        lua_pushstring(L, c->pwd);
        lua_pushinteger(L, c->bssid_set);
        lua_pushstring(L, mac);
        return;
    }
    lua_newtable(L);
    lua_pushstring(L, c->ssid);
    lua_setfield(L, -2, "ssid");
    if (strlen(c->pwd) >= (modern ? 1u : 8u)) {
        lua_pushstring(L, c->pwd);
        lua_setfield(L, -2, "pwd");
    }
    if (modern) {
        lua_pushboolean(L, c->bssid_set);
        lua_setfield(L, -2, "bssid_set");
    }
    if (modern || c->bssid_set) {
        lua_pushstring(L, mac);
        lua_setfield(L, -2, "bssid");
    }
}

static int sta_getconfig_of(lua_State *L, const sta_config *c)
{
    bool as_table = lua_isboolean(L, 1) && lua_toboolean(L, 1);
    push_sta_config(L, c, as_table);
    return as_table ? 1 : 4;
}

static int sta_getconfig(lua_State *L)
{
    return sta_getconfig_of(L, &nm_radio.sta);
}

static int sta_getdefaultconfig(lua_State *L)
{
    return sta_getconfig_of(L, &nm_radio.sta_saved);
}

/* The stored access points: netmcu keeps one, the configured station. */
static int sta_getapinfo(lua_State *L)
{
    int qty = nm_radio.sta_saved.ssid[0] ? 1 : 0;
    lua_newtable(L);
    lua_pushinteger(L, qty);
    lua_setfield(L, -2, "qty");
    if (qty) {
        push_sta_config(L, &nm_radio.sta_saved, true);
        lua_pushnil(L);
        lua_setfield(L, -2, "bssid_set");
        if (!nm_radio.sta_saved.bssid_set) {
            lua_pushnil(L);
            lua_setfield(L, -2, "bssid");
        }
        lua_rawseti(L, -2, 1);
    }
    return 1;
}

static int sta_setaplimit(lua_State *L)
{
    lua_Integer n = luaL_checkinteger(L, 1);
    luaL_argcheck(L, n >= 1 && n <= 5, 1, "Valid range: 1-5");
    nm_radio.aplimit = (int)n;
    lua_pushboolean(L, 1);
    return 1;
}

static int sta_changeap(lua_State *L)
{
    lua_Integer n = luaL_checkinteger(L, 1);
    luaL_argcheck(L, n >= 1 && n <= 5, 1, "Valid range: 1-5");
    lua_pushboolean(L, n == 1 && nm_radio.sta_saved.ssid[0] != '\0');
    return 1;
}

static int sta_getapindex(lua_State *L)
{
    lua_pushinteger(L, 1);
    return 1;
}

/* ---- scanning: the simulated air holds the one network the station is configured for ---- */

static bool mac_equal(const uint8_t *a, const uint8_t *b)
{
    return memcmp(a, b, 6) == 0;
}

static void push_scan_result(lua_State *L)
{
    char key[40], value[80], mac[18];
    uint8_t bssid[6];
    lua_newtable(L);
    if (nm_radio.sta.ssid[0] == '\0' || nm_radio.link == LINK_DOWN)
        return;
    nm_radio_ap_bssid(bssid);
    int channel = nm_radio_ap_channel();
    int auth = nm_radio.sta.pwd[0] ? AUTH_WPA2_PSK : AUTH_OPEN;
    if (scan_filter.active && ((scan_filter.ssid[0] && strcmp(scan_filter.ssid, nm_radio.sta.ssid) != 0) ||
                               (scan_filter.bssid_set && !mac_equal(scan_filter.bssid, bssid)) ||
                               (scan_filter.channel && scan_filter.channel != channel)))
        return;
    wifi_macstr(bssid, mac);
    if (scan_format == 1) {
        snprintf(key, sizeof key, "%s", mac);
        snprintf(value, sizeof value, "%s,%d,%d,%d", nm_radio.sta.ssid, nm_radio_rssi(), auth, channel);
    } else {
        snprintf(key, sizeof key, "%s", nm_radio.sta.ssid);
        snprintf(value, sizeof value, "%d,%d,%s,%d", auth, nm_radio_rssi(), mac, channel);
    }
    lua_pushstring(L, value);
    lua_setfield(L, -2, key);
}

static void scan_done(nm_timer *timer, void *data)
{
    (void)timer;
    (void)data;
    lua_State *L = nm_lua_state();
    if (L == NULL || scan_ref == LUA_NOREF)
        return;
    nm_ref_push(L, scan_ref);
    nm_ref_clear(L, &scan_ref);
    push_scan_result(L);
    nm_lua_call(L, 1);
}

static void scan_table(lua_State *L)
{
    size_t len;
    memset(&scan_filter, 0, sizeof scan_filter);
    scan_filter.active = true;
    lua_getfield(L, 1, "ssid");
    if (!lua_isnil(L, -1)) {
        if (!lua_isstring(L, -1))
            luaL_error(L, "wrong arg type");
        const char *s = lua_tolstring(L, -1, &len);
        if (len > 32)
            luaL_error(L, "ssid:<32");
        memcpy(scan_filter.ssid, s, len);
    }
    lua_getfield(L, 1, "bssid");
    if (!lua_isnil(L, -1)) {
        if (!lua_isstring(L, -1))
            luaL_error(L, "wrong arg type");
        const char *s = lua_tolstring(L, -1, &len);
        luaL_argcheck(L, len == 17, 1, INVALID_MAC_STR);
        parse_mac(s, scan_filter.bssid);
        scan_filter.bssid_set = true;
    }
    lua_getfield(L, 1, "channel");
    if (!lua_isnil(L, -1)) {
        if (!lua_isnumber(L, -1))
            luaL_error(L, "wrong arg type");
        lua_Integer ch = luaL_checkinteger(L, -1);
        if (ch < 0 || ch > 13)
            luaL_error(L, "channel: 0 or 1-13");
        scan_filter.channel = (int)ch;
    }
    lua_getfield(L, 1, "show_hidden");
    if (!lua_isnil(L, -1)) {
        if (!lua_isnumber(L, -1))
            luaL_error(L, "wrong arg type");
        lua_Integer h = luaL_checkinteger(L, -1);
        if (h != 0 && h != 1)
            luaL_error(L, "show_hidden: 0 or 1");
    }
    lua_pop(L, 4);
}

/* getap([[cfg,] format,] fn): the firmware's argument shuffle, by index. */
static int sta_getap(lua_State *L)
{
    int fmt_idx = 2, fn_idx = 3;
    if (nm_radio.mode == MODE_SOFTAP)
        return luaL_error(L, "Can't list ap in SOFTAP mode");
    scan_filter.active = false;
    int t1 = lua_type(L, 1);
    if (t1 == LUA_TTABLE) {
        scan_table(L);
        if (lua_isfunction(L, 2))
            fmt_idx = 0, fn_idx = 2;
    } else if (t1 == LUA_TNUMBER) {
        fmt_idx = 1, fn_idx = 2;
    } else if (t1 == LUA_TFUNCTION) {
        fmt_idx = 0, fn_idx = 1;
    } else if (t1 == LUA_TNIL || t1 == LUA_TNONE) {
        if (lua_isfunction(L, 2))
            fmt_idx = 0, fn_idx = 2;
    } else {
        return luaL_error(L, "wrong arg type");
    }
    scan_format = 0;
    if (fmt_idx && lua_type(L, fmt_idx) == LUA_TNUMBER) {
        lua_Integer f = luaL_checkinteger(L, fmt_idx);
        if (f != 0 && f != 1)
            return luaL_error(L, "wrong arg type");
        scan_format = (int)f;
    }
    if (!lua_isfunction(L, fn_idx)) {
        nm_ref_clear(L, &scan_ref);
        return 0;
    }
    if (scan_timer == NULL && (scan_timer = nm_timer_new(scan_done, NULL)) == NULL)
        return luaL_error(L, "not enough memory");
    nm_ref_set(L, &scan_ref, fn_idx);
    nm_timer_start(scan_timer, SCAN_MS, 0);
    return 0;
}

/* ---- wifi.ap.* ---- */

static int ap_getip(lua_State *L)
{
    if (!nm_radio_has_ap()) {
        lua_pushnil(L);
        return 1;
    }
    push_ip3(L, nm_radio.ap_ip, nm_radio.ap_mask, nm_radio.ap_gw);
    return 3;
}

static int ap_getbroadcast(lua_State *L)
{
    if (!nm_radio_has_ap())
        lua_pushnil(L);
    else
        push_broadcast(L, nm_radio.ap_ip, nm_radio.ap_mask);
    return 1;
}

static int ap_setip(lua_State *L)
{
    if (!lua_istable(L, 1))
        return luaL_error(L, "wrong arg type");
    uint32_t ip = table_ip(L, "ip"), mask = table_ip(L, "netmask");
    if (ip)
        nm_radio.ap_ip = ip;
    if (mask)
        nm_radio.ap_mask = mask;
    nm_radio.ap_gw = table_ip(L, "gateway"); /* the firmware always takes the AP's gateway, even 0 */
    lua_pushboolean(L, 1);
    return 1;
}

static int ap_config_fn(lua_State *L)
{
    ap_config cfg;
    bool save = true;
    bool modern = nm_since(NM_ERA_2_2); /* the 2.x API, kept by 3.0 */
    luaL_checktype(L, 1, LUA_TTABLE);
    memset(&cfg, 0, sizeof cfg);
    lua_getfield(L, 1, "ssid");
    bool has_ssid = !lua_isnil(L, -1);
    lua_pop(L, 1);
    if (!has_ssid)
        return luaL_argerror(L, 1, "ssid: required");
    table_str(L, "ssid", cfg.ssid, 1, 32, "ssid: length:1-32", "ssid: not string");
    cfg.auth = table_str(L, "pwd", cfg.pwd, 8, 64, "pwd: length:0 or 8-64", "pwd: not string") ? AUTH_WPA_WPA2_PSK
                                                                                               : AUTH_OPEN;
    cfg.auth = (int)table_int(L, "auth", 0, 4, "auth: Range:0-4", "auth: not number", cfg.auth);
    cfg.channel = (int)table_int(L, "channel", 1, 13, "channel: Range:1-13", "channel: not number", 6);
    lua_getfield(L, 1, "hidden");
    if (!lua_isnil(L, -1)) {
        lua_Integer h;
        if (lua_type(L, -1) == LUA_TNUMBER)
            h = luaL_checkinteger(L, -1);
        else if (lua_isboolean(L, -1))
            h = lua_toboolean(L, -1);
        else
            return luaL_argerror(L, 1, "hidden: not boolean");
        luaL_argcheck(L, h == 0 || h == 1, 1, "hidden: 0 or 1");
        cfg.hidden = (int)h;
    }
    lua_pop(L, 1);
    cfg.max = (int)table_int(L, "max", 1, 4, "max: 1-4", "max: not number", 4);
    cfg.beacon = (int)table_int(L, "beacon", 100, 60000, "beacon: 100-60000", "beacon: not number", 100);
    table_bool(L, "save", &save, "save: not boolean");
    if (modern) {
        static const char *const keys[] = {"staconnected_cb", "stadisconnected_cb", "probereq_cb"};
        static const char *const msgs[] = {"staconnected_cb:not function", "stadisconnected_cb:not function",
                                           "probereq_cb:not function"};
        static const int ids[] = {EV_AP_STACONNECTED, EV_AP_STADISCONNECTED, EV_AP_PROBEREQRECVED};
        table_callbacks(L, keys, msgs, ids, 3);
    }
    lua_pushboolean(L, nm_radio_config_ap(&cfg, save));
    return 1;
}

static int ap_getconfig_of(lua_State *L, const ap_config *c)
{
    if (!(lua_isboolean(L, 1) && lua_toboolean(L, 1))) {
        lua_pushstring(L, c->ssid);
        if (c->auth == AUTH_OPEN)
            lua_pushnil(L);
        else
            lua_pushstring(L, c->pwd);
        return 2;
    }
    lua_newtable(L);
    lua_pushstring(L, c->ssid);
    lua_setfield(L, -2, "ssid");
    if (c->auth != AUTH_OPEN) {
        lua_pushstring(L, c->pwd);
        lua_setfield(L, -2, "pwd");
    }
    lua_pushinteger(L, c->auth);
    lua_setfield(L, -2, "auth");
    lua_pushinteger(L, c->channel);
    lua_setfield(L, -2, "channel");
    lua_pushboolean(L, c->hidden);
    lua_setfield(L, -2, "hidden");
    lua_pushinteger(L, c->max);
    lua_setfield(L, -2, "max");
    lua_pushinteger(L, c->beacon);
    lua_setfield(L, -2, "beacon");
    return 1;
}

static int ap_getconfig(lua_State *L)
{
    return ap_getconfig_of(L, &nm_radio.ap);
}

static int ap_getdefaultconfig(lua_State *L)
{
    return ap_getconfig_of(L, &nm_radio.ap_saved);
}

/* No simulated station ever joins the soft AP: the list is empty. */
static int ap_getclient(lua_State *L)
{
    if (nm_radio.mode == MODE_STATION)
        return luaL_error(L, nm_since(NM_ERA_2_2) ? "Can't list clients in STATION mode"
                                                  : "Can't list client in STATION_MODE mode");
    lua_newtable(L);
    return 1;
}

static int ap_deauth(lua_State *L)
{
    if (lua_isstring(L, 1)) {
        size_t len;
        luaL_checklstring(L, 1, &len);
        luaL_argcheck(L, len == 17, 1, INVALID_MAC_STR);
    }
    lua_pushboolean(L, nm_radio_has_ap());
    return 1;
}

static int dhcp_config(lua_State *L)
{
    char buf[16];
    if (!lua_istable(L, 1))
        return luaL_error(L, "wrong arg type");
    uint32_t start = table_ip(L, "start");
    if (start == 0)
        return luaL_error(L, "wrong arg type");
    uint32_t end = start;
    ((uint8_t *)&end)[3] = (uint8_t)(((uint8_t *)&start)[3] + nm_radio.ap.max - 1); /* wraps as the firmware's does */
    nm_radio.dhcp_start = start;
    nm_radio.dhcp_end = end;
    lua_pushstring(L, wifi_ipstr(start, buf));
    lua_pushstring(L, wifi_ipstr(end, buf));
    return 2;
}

static int dhcp_start(lua_State *L)
{
    nm_radio.dhcps_running = true;
    lua_pushboolean(L, 1);
    return 1;
}

static int dhcp_stop(lua_State *L)
{
    nm_radio.dhcps_running = false;
    lua_pushboolean(L, 1);
    return 1;
}

/* ---- the tables ---- */

static const luaL_Reg wifi_common[] = {
    {"setmode", wifi_setmode},
    {"getmode", wifi_getmode},
    {"getdefaultmode", wifi_getdefaultmode},
    {"getchannel", wifi_getchannel},
    {"setphymode", wifi_setphymode},
    {"getphymode", wifi_getphymode},
    {"sleeptype", wifi_sleeptype},
    {"nullmodesleep", wifi_nullmodesleep},
    {NULL, NULL},
};
static const luaL_Reg wifi_15[] = {{"sleep", wifi_sleep}, {NULL, NULL}};
static const luaL_Reg wifi_22[] = {
    {"getcountry", wifi_getcountry},       {"setcountry", wifi_setcountry},      {"setmaxtxpower", wifi_setmaxtxpower},
    {"suspend", wifi_suspend_unavailable}, {"resume", wifi_suspend_unavailable}, {NULL, NULL},
};

static const luaL_Reg sta_common[] = {
    {"autoconnect", sta_autoconnect},
    {"changeap", sta_changeap},
    {"config", sta_config_fn},
    {"connect", sta_connect},
    {"disconnect", sta_disconnect},
    {"getap", sta_getap},
    {"getapindex", sta_getapindex},
    {"getapinfo", sta_getapinfo},
    {"getbroadcast", sta_getbroadcast},
    {"getconfig", sta_getconfig},
    {"getdefaultconfig", sta_getdefaultconfig},
    {"gethostname", sta_gethostname},
    {"getip", sta_getip},
    {"getmac", sta_getmac},
    {"getrssi", sta_getrssi},
    {"setaplimit", sta_setaplimit},
    {"sethostname", sta_sethostname},
    {"setip", sta_setip},
    {"setmac", sta_setmac},
    {"sleeptype", wifi_sleeptype},
    {"status", sta_status},
    {NULL, NULL},
};
static const luaL_Reg sta_15[] = {
    {"eventMonReg", wifi_sta_eventmonreg},
    {"eventMonStart", wifi_sta_eventmonstart},
    {"eventMonStop", wifi_sta_eventmonstop},
    {NULL, NULL},
};
static const luaL_Reg sta_22[] = {{"clearconfig", sta_clearconfig}, {NULL, NULL}};

static const luaL_Reg ap_functions[] = {
    {"config", ap_config_fn},
    {"deauth", ap_deauth},
    {"getip", ap_getip},
    {"setip", ap_setip},
    {"getbroadcast", ap_getbroadcast},
    {"getmac", ap_getmac},
    {"setmac", ap_setmac},
    {"getclient", ap_getclient},
    {"getconfig", ap_getconfig},
    {"getdefaultconfig", ap_getdefaultconfig},
    {NULL, NULL},
};
static const luaL_Reg dhcp_functions[] = {
    {"config", dhcp_config}, {"start", dhcp_start}, {"stop", dhcp_stop}, {NULL, NULL}};
static const luaL_Reg eventmon_functions[] = {
    {"register", wifi_eventmon_register}, {"unregister", wifi_eventmon_register}, {NULL, NULL}};

typedef struct constant {
    const char *name;
    int value;
} constant;

static void set_constants(lua_State *L, const constant *c)
{
    for (; c->name; c++) {
        lua_pushinteger(L, c->value);
        lua_setfield(L, -2, c->name);
    }
}

static const constant wifi_constants[] = {
    {"NULLMODE", MODE_NULL},
    {"STATION", MODE_STATION},
    {"SOFTAP", MODE_SOFTAP},
    {"STATIONAP", MODE_STATIONAP},
    {"PHYMODE_B", 1},
    {"PHYMODE_G", 2},
    {"PHYMODE_N", 3},
    {"NONE_SLEEP", 0},
    {"LIGHT_SLEEP", 1},
    {"MODEM_SLEEP", 2},
    {"OPEN", AUTH_OPEN},
    {"WPA_PSK", AUTH_WPA_PSK},
    {"WPA2_PSK", AUTH_WPA2_PSK},
    {"WPA_WPA2_PSK", AUTH_WPA_WPA2_PSK},
    {"STA_IDLE", STATUS_IDLE},
    {"STA_CONNECTING", STATUS_CONNECTING},
    {"STA_WRONGPWD", STATUS_WRONG_PASSWORD},
    {"STA_APNOTFOUND", STATUS_NO_AP_FOUND},
    {"STA_FAIL", STATUS_CONNECT_FAIL},
    {"STA_GOTIP", STATUS_GOT_IP},
    {NULL, 0},
};
static const constant country_constants[] = {{"COUNTRY_AUTO", 0}, {"COUNTRY_MANUAL", 1}, {NULL, 0}};
static const constant event_constants[] = {
    {"STA_CONNECTED", EV_STA_CONNECTED},
    {"STA_DISCONNECTED", EV_STA_DISCONNECTED},
    {"STA_AUTHMODE_CHANGE", EV_STA_AUTHMODE_CHANGE},
    {"STA_GOT_IP", EV_STA_GOT_IP},
    {"STA_DHCP_TIMEOUT", EV_STA_DHCP_TIMEOUT},
    {"AP_STACONNECTED", EV_AP_STACONNECTED},
    {"AP_STADISCONNECTED", EV_AP_STADISCONNECTED},
    {"AP_PROBEREQRECVED", EV_AP_PROBEREQRECVED},
    {NULL, 0},
};
static const constant reason_constants[] = {
    {"UNSPECIFIED", 1},
    {"AUTH_EXPIRE", 2},
    {"AUTH_LEAVE", 3},
    {"ASSOC_EXPIRE", 4},
    {"ASSOC_TOOMANY", 5},
    {"NOT_AUTHED", 6},
    {"NOT_ASSOCED", 7},
    {"ASSOC_LEAVE", 8},
    {"ASSOC_NOT_AUTHED", 9},
    {"DISASSOC_PWRCAP_BAD", 10},
    {"DISASSOC_SUPCHAN_BAD", 11},
    {"IE_INVALID", 13},
    {"MIC_FAILURE", 14},
    {"4WAY_HANDSHAKE_TIMEOUT", 15},
    {"GROUP_KEY_UPDATE_TIMEOUT", 16},
    {"IE_IN_4WAY_DIFFERS", 17},
    {"GROUP_CIPHER_INVALID", 18},
    {"PAIRWISE_CIPHER_INVALID", 19},
    {"AKMP_INVALID", 20},
    {"UNSUPP_RSN_IE_VERSION", 21},
    {"INVALID_RSN_IE_CAP", 22},
    {"802_1X_AUTH_FAILED", 23},
    {"CIPHER_SUITE_REJECTED", 24},
    {"BEACON_TIMEOUT", REASON_BEACON_TIMEOUT},
    {"NO_AP_FOUND", REASON_NO_AP_FOUND},
    {"AUTH_FAIL", REASON_AUTH_FAIL},
    {"ASSOC_FAIL", 203},
    {"HANDSHAKE_TIMEOUT", 204},
    {NULL, 0},
};

static void close_scan_timer(void)
{
    if (scan_timer)
        nm_timer_close(scan_timer);
    scan_timer = NULL;
}

static void push_eventmon(lua_State *L, bool modern)
{
    luaL_newlib(L, eventmon_functions);
    set_constants(L, event_constants);
    if (modern) {
        lua_pushinteger(L, EV_OPMODE_CHANGED);
        lua_setfield(L, -2, "WIFI_MODE_CHANGED");
    }
    lua_pushinteger(L, wifi_event_max());
    lua_setfield(L, -2, "EVENT_MAX");
    lua_newtable(L);
    set_constants(L, reason_constants);
    lua_setfield(L, -2, "reason");
}

int luaopen_wifi(lua_State *L)
{
    bool modern = nm_since(NM_ERA_2_2); /* the 2.x API, kept by 3.0 */
    nm_lua_init(L);
    scan_ref = LUA_NOREF;
    forced_sleep = false;
    nm_loop_at_shutdown(close_scan_timer);
    wifi_events_reset(L);
    nm_radio_power_on();

    luaL_newlib(L, wifi_common);
    luaL_setfuncs(L, modern ? wifi_22 : wifi_15, 0);
    set_constants(L, wifi_constants);
    if (modern)
        set_constants(L, country_constants);

    luaL_newlib(L, sta_common);
    luaL_setfuncs(L, modern ? sta_22 : sta_15, 0);
    lua_setfield(L, -2, "sta");

    luaL_newlib(L, ap_functions);
    luaL_newlib(L, dhcp_functions);
    lua_setfield(L, -2, "dhcp");
    lua_setfield(L, -2, "ap");

    push_eventmon(L, modern);
    lua_setfield(L, -2, "eventmon");
    return 1;
}

/* require "net.wifi" finds this in net.so (Lua's all-in-one loader). */
int luaopen_net_wifi(lua_State *L); /* looked up by name, never called from C */
int luaopen_net_wifi(lua_State *L)
{
    return luaopen_wifi(L);
}
