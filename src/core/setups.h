/*
 * setups.h — counts of the costly one-time set-ups, for a structure test.
 *
 * Each of these is done on first use, not at start-up: a script that resolves
 * no name opens no c-ares channel, one that makes no TLS connection builds no
 * OpenSSL context and loads neither the system's CA store nor the certificate
 * slots. The places that do one call nm_setup_done; with NETMCU_SETUPS set in
 * the environment the runner prints the counts to stderr at exit, one line:
 *
 *   netmcu: set-ups: dns-channel=0 tls-context=0 system-cas=0 cert-slot=0 wifi-store=1
 *
 * (the wifi store is read at every start: a saved station with autoconnect
 * joins at boot, as on the device). Counting costs an increment; nothing is
 * printed without the variable.
 */
#ifndef NETMCU_SETUPS_H
#define NETMCU_SETUPS_H

typedef enum {
    NM_SETUP_DNS_CHANNEL, /* a c-ares channel (reads resolv.conf) */
    NM_SETUP_TLS_CONTEXT, /* an OpenSSL SSL_CTX (initialises OpenSSL) */
    NM_SETUP_SYSTEM_CAS,  /* the system's CA store loaded into a context */
    NM_SETUP_CERT_SLOT,   /* a certificate slot read from the state directory */
    NM_SETUP_WIFI_STORE,  /* the saved wifi settings read */
    NM_SETUP_KINDS
} nm_setup;

void nm_setup_done(nm_setup what);
/* Called once by the runner: prints the counts at exit when NETMCU_SETUPS is set. */
void nm_setups_report_at_exit(void);

#endif
