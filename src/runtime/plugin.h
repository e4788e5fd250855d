/*
 * plugin.h — code the runner loads on first use: what calls OpenSSL (the
 * "ssl" plugin: TLS, crypto, encoder), libmosquitto (the "mqtt" plugin) and
 * GNU readline (the "readline" plugin: the console's line editing).
 *
 * Loading those libraries costs more than the rest of a start (their
 * relocations), and most scripts never use them, so the runner links neither:
 * it dlopen()s the plugin the first time a script asks for what it provides,
 * and reaches it through forwarders (runner/forward.h). net.so links the same
 * code in, so there every plugin is always there.
 *
 * A binding asks for a plugin before it starts anything that needs it; a
 * plugin that cannot be loaded is then a Lua error naming what was asked for,
 * never a crash later.
 */
#ifndef NETMCU_PLUGIN_H
#define NETMCU_PLUGIN_H

#include <stdbool.h>

#include "runtime/compat.h"

#define NM_PLUGIN_SSL "ssl"
#define NM_PLUGIN_MQTT "mqtt"
#define NM_PLUGIN_READLINE "readline" /* the runner's console only (runner/line_editor.h) */

/* Loads the plugin `name` unless it is loaded. False when it cannot be,
 * with *error (when error is not NULL) saying why, in words. */
bool nm_plugin_load(const char *name, const char **error);

/* The same for a binding: raises "<who>: <why>" when the plugin cannot be loaded. */
void nm_plugin_need(lua_State *L, const char *name, const char *who);

#endif
