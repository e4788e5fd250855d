/*
 * setups.c — counts of the costly one-time set-ups (see setups.h).
 */
#include <stdio.h>
#include <stdlib.h>

#include "core/setups.h"

static unsigned long counts[NM_SETUP_KINDS];
static const char *const names[NM_SETUP_KINDS] = {
    [NM_SETUP_DNS_CHANNEL] = "dns-channel", [NM_SETUP_TLS_CONTEXT] = "tls-context",
    [NM_SETUP_SYSTEM_CAS] = "system-cas",   [NM_SETUP_CERT_SLOT] = "cert-slot",
    [NM_SETUP_WIFI_STORE] = "wifi-store",
};

void nm_setup_done(nm_setup what)
{
    if (what >= 0 && what < NM_SETUP_KINDS)
        counts[what]++;
}

static void report(void)
{
    fputs("netmcu: set-ups:", stderr);
    for (int i = 0; i < NM_SETUP_KINDS; i++)
        fprintf(stderr, " %s=%lu", names[i], counts[i]);
    fputc('\n', stderr);
}

void nm_setups_report_at_exit(void)
{
    const char *env = getenv("NETMCU_SETUPS");
    if (env != NULL && *env)
        atexit(report);
}
