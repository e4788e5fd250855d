/*
 * dns.h — name lookups on the loop, through one c-ares channel.
 *
 * c-ares does the DNS work (the system's resolv.conf for the default servers,
 * the hosts file, retries); this module only drives it from libuv: one
 * uv_poll per c-ares socket and one uv_timer for its timeouts. Nothing blocks
 * and no thread is involved, not even for "localhost" (it comes from the hosts
 * file, like every name listed there).
 *
 * A lookup yields one address: the first IPv4 address (A record or hosts
 * entry) when the name has one, else the first IPv6 address. IP literals are
 * answered without DNS (IPv4 in inet_aton's forms, as the firmware's parser
 * accepts them). Names are looked up as given: no search domains.
 *
 * The answer always arrives from the loop, never inside nm_dns_lookup, and
 * exactly once unless the lookup is cancelled first. The longest wait is
 * NM_DNS_MAX_WAIT_MS with two servers (half of it with one).
 *
 * The two server slots start as the system's first two name servers; a
 * server set later is used by every lookup started afterwards (lookups in
 * flight finish with the servers they started with).
 */
#ifndef NETMCU_DNS_H
#define NETMCU_DNS_H

#include <stdbool.h>
#include <sys/socket.h>
#include <uv.h>

/* Outcomes of a lookup, as passed to nm_dns_answer_fn: libuv codes, as
 * every status in core (core/loop.h), named for what they mean here. */
enum {
    NM_DNS_OK = 0,
    NM_DNS_NOTFOUND = UV_EAI_NONAME, /* NXDOMAIN, or the name has no address */
    NM_DNS_FAILED = UV_EAI_FAIL,     /* every server refused or failed (REFUSED, SERVFAIL, ...) */
    NM_DNS_TIMEOUT = UV_ETIMEDOUT,   /* no server answered in time */
    NM_DNS_BADNAME = UV_EINVAL,      /* empty, over-long or malformed name */
    NM_DNS_NOMEM = UV_ENOMEM,
    NM_DNS_CANCELLED = UV_ECANCELED, /* only at exit: the loop is shutting down */
};

#define NM_DNS_SERVERS 2
/* Per attempt 1.5 s, two attempts per server, the second twice as long:
 * 1.5 + 1.5 + 3 + 3 s with two servers. */
#define NM_DNS_MAX_WAIT_MS 9000

typedef struct nm_dns_lookup nm_dns_lookup;

/* status is an NM_DNS_* value; addr (with the port given to nm_dns_lookup)
 * is set only for NM_DNS_OK and is valid during the call. With
 * NM_DNS_CANCELLED the owner only frees what it holds. */
typedef void (*nm_dns_answer_fn)(void *owner, int status, const struct sockaddr *addr);

/* Starts looking up name; fn(owner, ...) follows from the loop. Returns the
 * lookup's handle, valid until fn is called or nm_dns_cancel; NULL when out
 * of memory (then fn is never called). */
nm_dns_lookup *nm_dns_resolve(const char *name, int port, nm_dns_answer_fn fn, void *owner);
/* Drops a lookup: fn will not be called. Only before the answer arrived. */
void nm_dns_cancel(nm_dns_lookup *lookup);

/* The server in slot (0 or 1); false when the slot is unset. */
bool nm_dns_get_server(int slot, struct sockaddr_storage *out);
/* Sets slot (0 or 1) for later lookups (port 53). */
void nm_dns_set_server(int slot, const struct sockaddr *addr);

/* A short English description of a status, for messages. */
const char *nm_dns_status_text(int status);

#endif
