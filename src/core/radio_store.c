/*
 * store.c — the radio settings the device keeps in flash (opmode, station
 * and soft AP configuration, auto-connect), as wifi.conf in the board's state
 * directory ($NETMCU_HOME). One "key value" line each; strings are written in
 * hex so that any SSID or password round-trips. The file is replaced
 * atomically and is owner-only, since it holds passwords.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/home.h"
#include "core/loop.h"
#include "core/radio.h"
#include "core/setups.h"

#define STORE_NAME "wifi.conf"

static void put_hex(FILE *f, const char *key, const uint8_t *bytes, size_t n)
{
    fprintf(f, "%s ", key);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%02x", bytes[i]);
    fputs(n ? "\n" : "-\n", f);
}

static void put_str(FILE *f, const char *key, const char *s)
{
    put_hex(f, key, (const uint8_t *)s, strlen(s));
}

/* Decodes hex into buf (at most size-1 bytes, zero-terminated); "-" is empty. */
static size_t get_hex(const char *hex, uint8_t *buf, size_t size)
{
    size_t n = 0;
    if (strcmp(hex, "-") == 0) {
        buf[0] = 0;
        return 0;
    }
    while (hex[0] && hex[1] && n + 1 < size) {
        unsigned v;
        if (sscanf(hex, "%2x", &v) != 1)
            break;
        buf[n++] = (uint8_t)v;
        hex += 2;
    }
    buf[n] = 0;
    return n;
}

/* What is in flash, as the file's text: the flash is written only when it changes. */
static char flash_text[1024];

static void serialize(char *buf, size_t size)
{
    FILE *f = fmemopen(buf, size, "w");
    if (f == NULL) {
        buf[0] = '\0';
        return;
    }
    fprintf(f, "mode %d\nauto %d\n", nm_radio.saved_mode, nm_radio.autoconnect_saved ? 1 : 0);
    put_str(f, "sta_ssid", nm_radio.sta_saved.ssid);
    put_str(f, "sta_pwd", nm_radio.sta_saved.pwd);
    put_hex(f, "sta_bssid", nm_radio.sta_saved.bssid, nm_radio.sta_saved.bssid_set ? 6 : 0);
    put_str(f, "ap_ssid", nm_radio.ap_saved.ssid);
    put_str(f, "ap_pwd", nm_radio.ap_saved.pwd);
    fprintf(f, "ap_auth %d\nap_channel %d\nap_hidden %d\nap_max %d\nap_beacon %d\n", nm_radio.ap_saved.auth,
            nm_radio.ap_saved.channel, nm_radio.ap_saved.hidden, nm_radio.ap_saved.max, nm_radio.ap_saved.beacon);
    fclose(f);
}

void nm_radio_mark_settings_clean(void)
{
    serialize(flash_text, sizeof flash_text);
}

int nm_radio_save_settings(void)
{
    char text[sizeof flash_text], path[512], tmp[520];
    serialize(text, sizeof text);
    if (strcmp(text, flash_text) == 0)
        return 0;
    int rc = nm_home_path(STORE_NAME, path, sizeof path);
    if (rc != 0)
        return rc;
    snprintf(tmp, sizeof tmp, "%s.new", path);
    mode_t old = umask(0077);
    FILE *f = fopen(tmp, "w");
    umask(old);
    if (f == NULL)
        return nm_uv_error(errno);
    bool ok = fputs(text, f) >= 0;
    ok = fclose(f) == 0 && ok && rename(tmp, path) == 0;
    if (!ok) {
        rc = nm_uv_error(errno);
        unlink(tmp);
        return rc;
    }
    memcpy(flash_text, text, sizeof flash_text);
    return 0;
}

static int clamp(int v, int lo, int hi, int dflt)
{
    return v < lo || v > hi ? dflt : v;
}

static void take(const char *key, const char *val)
{
    uint8_t mac[7];
    int n = atoi(val);
    if (strcmp(key, "mode") == 0)
        nm_radio.saved_mode = clamp(n, 0, 3, MODE_STATION);
    else if (strcmp(key, "auto") == 0)
        nm_radio.autoconnect_saved = n != 0;
    else if (strcmp(key, "sta_ssid") == 0)
        get_hex(val, (uint8_t *)nm_radio.sta_saved.ssid, sizeof nm_radio.sta_saved.ssid);
    else if (strcmp(key, "sta_pwd") == 0)
        get_hex(val, (uint8_t *)nm_radio.sta_saved.pwd, sizeof nm_radio.sta_saved.pwd);
    else if (strcmp(key, "sta_bssid") == 0) {
        nm_radio.sta_saved.bssid_set = get_hex(val, mac, sizeof mac) == 6;
        if (nm_radio.sta_saved.bssid_set)
            memcpy(nm_radio.sta_saved.bssid, mac, 6);
    } else if (strcmp(key, "ap_ssid") == 0)
        get_hex(val, (uint8_t *)nm_radio.ap_saved.ssid, sizeof nm_radio.ap_saved.ssid);
    else if (strcmp(key, "ap_pwd") == 0)
        get_hex(val, (uint8_t *)nm_radio.ap_saved.pwd, sizeof nm_radio.ap_saved.pwd);
    else if (strcmp(key, "ap_auth") == 0)
        nm_radio.ap_saved.auth = clamp(n, 0, 4, AUTH_OPEN);
    else if (strcmp(key, "ap_channel") == 0)
        nm_radio.ap_saved.channel = clamp(n, 1, 13, 1);
    else if (strcmp(key, "ap_hidden") == 0)
        nm_radio.ap_saved.hidden = n != 0;
    else if (strcmp(key, "ap_max") == 0)
        nm_radio.ap_saved.max = clamp(n, 1, 4, 4);
    else if (strcmp(key, "ap_beacon") == 0)
        nm_radio.ap_saved.beacon = clamp(n, 100, 60000, 100);
}

int nm_radio_load_settings(void)
{
    char path[512], line[300], key[32], val[260];
    nm_setup_done(NM_SETUP_WIFI_STORE);
    if (nm_home_find(STORE_NAME, path, sizeof path) != 0)
        return UV_ENOENT;
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return nm_uv_error(errno);
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "%31s %259s", key, val) == 2)
            take(key, val);
    fclose(f);
    return 0;
}
