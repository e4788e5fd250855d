/*
 * cert.c — `net.cert.verify/auth` and `tls.cert.verify/auth` (see cert.h).
 *
 * The argument rules and error texts are the firmware's (docs/firmware-behaviour.md
 * §9.1, §9.3): a string is PEM to store (then verification is on), anything
 * else switches by truthiness, and switching on needs a stored certificate
 * ("no certificates found").
 */
#include "modules/net/cert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/certstore.h"
#include "core/loop.h"
#include "core/tls.h"
#include "runtime/luacall.h"
#include "runtime/output.h"
#include "runtime/plugin.h"
#include "runtime/profile.h"

/* Certificates a callback may return per connection (the 3.0 forms). */
#define CALLBACK_MAX 16

static struct {
    bool verify, system, auth;
    bool warned;
    nm_tls_config *config; /* built on first use after every change */
    bool at_exit;
    int verify_fn, auth_fn; /* tls.cert callbacks, or LUA_NOREF */
} policy = {.verify_fn = LUA_NOREF, .auth_fn = LUA_NOREF};

static void forget_config(void)
{
    nm_tls_config_free(policy.config);
    policy.config = NULL;
}

static nm_tls_config *stored_config(void)
{
    nm_tls_trust t = {.verify = policy.verify, .system = policy.system};
    nm_tls_blob ca = {0};
    if (policy.verify && nm_certstore_record(NM_CERT_CA, 0, &ca.data, &ca.len)) {
        t.cas = &ca;
        t.ca_count = 1;
    }
    if (policy.auth && nm_certstore_record(NM_CERT_CLIENT, 0, &t.cert.data, &t.cert.len))
        nm_certstore_record(NM_CERT_CLIENT, 1, &t.key.data, &t.key.len);
    return nm_tls_config_new(&t);
}

static nm_tls_config *current_config(void)
{
    if (policy.config)
        return policy.config;
    policy.config = stored_config();
    if (!policy.at_exit) {
        policy.at_exit = true;
        nm_loop_at_shutdown(forget_config);
    }
    return policy.config;
}

/* The 3.0 callback forms: when a connection's TCP is up, verify_fn(k) gives
 * the k-th trusted CA (k = 1, 2, ... until nil or false) and auth_fn(0) the
 * client key, auth_fn(k) the k-th certificate of the client chain; PEM or
 * DER strings. A callback replaces the stored certificates of its kind. */
typedef struct collect_call {
    nm_protected base;
    nm_tls_config *config;
} collect_call;

/* Calls fn(k) for k = first.. and leaves each string on the stack; returns
 * how many there were. */
static int collect(lua_State *L, int fn, int first, nm_tls_blob *out, int max, const char *what)
{
    int n = 0;
    for (int k = first; n < max; k++) {
        luaL_checkstack(L, 2, what);
        nm_ref_push(L, fn);
        lua_pushinteger(L, k);
        lua_call(L, 1, 1);
        if (!lua_toboolean(L, -1)) {
            lua_pop(L, 1);
            break;
        }
        if (lua_type(L, -1) != LUA_TSTRING)
            luaL_error(L, "%s(%d) returned a %s, not a string", what, k, luaL_typename(L, -1));
        out[n].data = (const unsigned char *)lua_tolstring(L, -1, &out[n].len);
        n++;
    }
    return n;
}

static void collect_body(lua_State *L, nm_protected *ctx)
{
    collect_call *c = (collect_call *)ctx;
    nm_tls_blob cas[CALLBACK_MAX], chain[CALLBACK_MAX + 1], key[1], stored = {0};
    nm_tls_trust t = {.verify = policy.verify, .system = policy.system};
    if (policy.verify_fn != LUA_NOREF) {
        t.verify = true; /* even with no CA returned, as the firmware does */
        t.ca_count = collect(L, policy.verify_fn, 1, cas, CALLBACK_MAX, "tls.cert.verify callback");
        t.cas = cas;
    } else if (policy.verify && nm_certstore_record(NM_CERT_CA, 0, &stored.data, &stored.len)) {
        t.cas = &stored;
        t.ca_count = 1;
    }
    if (policy.auth_fn != LUA_NOREF) {
        if (collect(L, policy.auth_fn, 0, key, 1, "tls.cert.auth callback") == 1) {
            int n = collect(L, policy.auth_fn, 1, chain, CALLBACK_MAX + 1, "tls.cert.auth callback");
            t.key = key[0];
            if (n > 0) {
                t.cert = chain[0];
                t.chain = chain + 1;
                t.chain_count = n - 1;
            }
        }
    } else if (policy.auth && nm_certstore_record(NM_CERT_CLIENT, 0, &t.cert.data, &t.cert.len)) {
        nm_certstore_record(NM_CERT_CLIENT, 1, &t.key.data, &t.key.len);
    }
    c->config = nm_tls_config_new(&t); /* while the strings are still on the stack */
}

static nm_tls_config *callback_config(void *data)
{
    (void)data;
    lua_State *L = nm_lua_state();
    collect_call c = {{collect_body}, NULL};
    if (L == NULL || !nm_lua_protect(L, &c.base)) {
        nm_tls_config_free(c.config);
        return NULL; /* the error went the way of every callback error */
    }
    return c.config;
}

/* NETMCU_TLS_TIMEOUT, the handshake's bound in seconds (core/tls.h), is
 * read when the first secure stream is made: the runner and net.so alike. */
static void read_handshake_timeout(void)
{
    static bool done;
    if (done)
        return;
    done = true;
    const char *env = getenv("NETMCU_TLS_TIMEOUT");
    if (env == NULL || *env == '\0')
        return;
    char *end;
    double seconds = strtod(env, &end);
    if (*end != '\0' || !(seconds >= 0.1 && seconds <= 3600)) {
        fprintf(stderr, "netmcu: NETMCU_TLS_TIMEOUT=%s is not a number of seconds (0.1 to 3600); using %d\n", env,
                NM_TLS_HANDSHAKE_MS_DEFAULT / 1000);
        return;
    }
    nm_tls_set_handshake_timeout((uint32_t)(seconds * 1000 + 0.5));
}

static void warn_unverified(const char *host)
{
    if (!policy.verify && policy.verify_fn == LUA_NOREF && !policy.warned) {
        policy.warned = true;
        fprintf(stderr,
                "netmcu: warning: TLS connection to %s without certificate verification; "
                "net.cert.verify(true|pem|\"system\") or --ca-system turns it on\n",
                host ? host : "a server");
    }
}

/* The ssl plugin for a secure connection that no Lua call asked for (a
 * redirect to https://): a missing plugin fails that connection, said once. */
static bool have_ssl(void)
{
    static bool said;
    const char *why;
    if (nm_plugin_load(NM_PLUGIN_SSL, &why))
        return true;
    if (!said) {
        said = true;
        fprintf(stderr, "netmcu: %s\n", why);
    }
    return false;
}

int net_cert_secure(nm_stream *s, const char *host)
{
    if (!have_ssl())
        return UV_ENOENT;
    read_handshake_timeout();
    warn_unverified(host);
    if (policy.verify_fn != LUA_NOREF || policy.auth_fn != LUA_NOREF)
        return nm_stream_secure_deferred(s, callback_config, NULL, host);
    nm_tls_config *c = current_config();
    return c ? nm_stream_secure(s, c, host) : UV_ENOMEM;
}

nm_tls_config *net_cert_config_new(const char *host)
{
    if (!have_ssl())
        return NULL;
    warn_unverified(host);
    if (policy.verify_fn != LUA_NOREF || policy.auth_fn != LUA_NOREF)
        return callback_config(NULL);
    return stored_config();
}

void net_cert_trust_system(void)
{
    policy.system = true;
    policy.verify = true;
    forget_config();
}

/* The firmware's platform_print_deprecation_note, on the console. */
static void deprecation_note(const char *what)
{
    char text[160];
    int n = snprintf(text, sizeof text,
                     "Warning, deprecated API! %s. It will be removed soon. See documentation for details.\n", what);
    nm_output_write(text, (size_t)n, true);
}

/* Stores the PEM arguments in the slot (the firmware reads arguments 1..n as
 * strings, n being the slot's record count) or raises the parser's error. */
static void store_pems(lua_State *L, nm_cert_slot slot, int max)
{
    const char *pems[2] = {NULL, NULL};
    int count = lua_gettop(L) < max ? lua_gettop(L) : max;
    for (int i = 0; i < count; i++)
        pems[i] = lua_tostring(L, i + 1);
    const char *err = nm_certstore_put(slot, pems, count);
    if (err)
        luaL_error(L, "%s", err);
}

/* The 3.0 forms' start (2.2's tls.cert has none), as the firmware's: every call drops the callback;
 * a function becomes the new one (true). Returns true when it was one. */
static bool take_callback(lua_State *L, int *ref)
{
    nm_ref_clear(L, ref);
    if (lua_type(L, 1) != LUA_TFUNCTION)
        return false;
    nm_ref_set(L, ref, 1);
    lua_pushboolean(L, 1);
    return true;
}

static int verify(lua_State *L, bool tls_api)
{
    bool enable;
    if (tls_api && nm_since(NM_ERA_3_0)) { /* 2.2's tls.cert has only the old interface */
        if (take_callback(L, &policy.verify_fn))
            return 1;
        if (!lua_isnil(L, 1))
            deprecation_note("tls.cert.verify's old interface");
    }
    if (lua_type(L, 1) == LUA_TSTRING && strcmp(lua_tostring(L, 1), "system") == 0) {
        policy.system = true; /* netmcu's extension: the system's CA store */
        enable = true;
    } else if (lua_type(L, 1) == LUA_TSTRING) {
        store_pems(L, NM_CERT_CA, 1);
        enable = true;
    } else {
        enable = lua_toboolean(L, 1);
    }
    if (enable && !nm_certstore_has(NM_CERT_CA) && !policy.system)
        return luaL_error(L, "no certificates found");
    policy.verify = enable;
    forget_config();
    lua_pushboolean(L, 1);
    return 1;
}

static int auth(lua_State *L, bool tls_api)
{
    bool enable;
    if (tls_api && nm_since(NM_ERA_3_0)) { /* 2.2's tls.cert has only the old interface */
        if (take_callback(L, &policy.auth_fn))
            return 1;
        if (!lua_isnil(L, 1))
            deprecation_note("tls.cert.auth's old interface");
    }
    if (lua_type(L, 1) == LUA_TSTRING) {
        store_pems(L, NM_CERT_CLIENT, 2);
        enable = true;
    } else {
        enable = lua_toboolean(L, 1);
    }
    if (enable && !nm_certstore_has(NM_CERT_CLIENT))
        return luaL_error(L, "no certificates found");
    policy.auth = enable;
    forget_config();
    lua_pushboolean(L, 1);
    return 1;
}

static int net_cert_verify(lua_State *L)
{
    return verify(L, false);
}

static int net_cert_auth(lua_State *L)
{
    return auth(L, false);
}

static int tls_cert_verify(lua_State *L)
{
    return verify(L, true);
}

static int tls_cert_auth(lua_State *L)
{
    return auth(L, true);
}

void net_cert_push_table(lua_State *L, bool tls_api)
{
    lua_createtable(L, 0, 2);
    lua_pushcfunction(L, tls_api ? tls_cert_verify : net_cert_verify);
    lua_setfield(L, -2, "verify");
    lua_pushcfunction(L, tls_api ? tls_cert_auth : net_cert_auth);
    lua_setfield(L, -2, "auth");
}
