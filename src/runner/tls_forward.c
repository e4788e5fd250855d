/*
 * tls_forward.c — core/tls.h in the runner: forwarders to the ssl plugin,
 * which holds core/tls.c (runner/forward.h).
 *
 * Every stream may ask whether it is secure and why TLS failed it, and a
 * context that was never made may be freed: those answer without loading
 * the plugin, so that plain TCP never loads OpenSSL.
 */
#include "core/tls.h"
#include "runner/forward.h"
#include "runtime/plugin.h"

#define SSL NM_PLUGIN_SSL

bool nm_stream_is_secure(const nm_stream *s)
{
    return nm_stream_tls(s) != NULL;
}

const char *nm_stream_tls_reason(const nm_stream *s)
{
    static const char *(*reason)(const nm_stream *);
    if (nm_stream_tls(s) == NULL)
        return NULL;
    if (reason == NULL)
        reason = (const char *(*)(const nm_stream *))nm_plugin_entry(SSL, "nm_stream_tls_reason");
    return reason(s);
}

void nm_tls_config_free(nm_tls_config *c)
{
    static void (*config_free)(nm_tls_config *);
    if (c == NULL)
        return;
    if (config_free == NULL)
        config_free = (void (*)(nm_tls_config *))nm_plugin_entry(SSL, "nm_tls_config_free");
    config_free(c);
}

NM_FORWARD_VOID(SSL, nm_tls_set_handshake_timeout, (uint32_t ms), (ms))
NM_FORWARD(SSL, uint32_t, nm_tls_handshake_timeout, (void), ())
NM_FORWARD(SSL, nm_tls_config *, nm_tls_config_new, (const nm_tls_trust *trust), (trust))
NM_FORWARD(SSL, bool, nm_tls_config_verifies, (const nm_tls_config *c), (c))
NM_FORWARD(SSL, struct ssl_ctx_st *, nm_tls_config_ssl_ctx, (nm_tls_config * c), (c))
NM_FORWARD(SSL, const char *, nm_tls_config_error, (const nm_tls_config *c), (c))
NM_FORWARD(SSL, bool, nm_tls_name_peer, (struct ssl_st * ssl, const char *host), (ssl, host))
NM_FORWARD(SSL, int, nm_stream_secure, (nm_stream * s, nm_tls_config *c, const char *host), (s, c, host))
NM_FORWARD(SSL, int, nm_stream_secure_deferred, (nm_stream * s, nm_tls_provider provide, void *data, const char *host),
           (s, provide, data, host))

/* The stream's hooks: stream.c calls them only on a secure stream. */
NM_FORWARD_VOID(SSL, nm_tls_on_connected, (nm_stream * s), (s))
NM_FORWARD(SSL, bool, nm_tls_on_handshake_timeout, (nm_stream * s), (s))
NM_FORWARD_VOID(SSL, nm_tls_on_received, (nm_stream * s, const char *data, size_t len), (s, data, len))
NM_FORWARD(SSL, int, nm_tls_on_eof, (nm_stream * s), (s))
NM_FORWARD(SSL, int, nm_tls_write, (nm_stream * s, const char *data, size_t len), (s, data, len))
NM_FORWARD(SSL, bool, nm_tls_on_written, (nm_stream * s, intptr_t *cookie), (s, cookie))
NM_FORWARD(SSL, bool, nm_tls_on_close, (nm_stream * s, int status), (s, status))
NM_FORWARD(SSL, int, nm_tls_end_status, (const nm_stream *s, int status), (s, status))
NM_FORWARD_VOID(SSL, nm_tls_on_unhold, (nm_stream * s), (s))
NM_FORWARD_VOID(SSL, nm_tls_on_closed, (nm_stream * s), (s))
NM_FORWARD_VOID(SSL, nm_tls_free, (nm_stream * s), (s))
