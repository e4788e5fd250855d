/*
 * mqtt_forward.c — core/mqtt_client.h in the runner: forwarders to the mqtt
 * plugin, which holds core/mqtt_client.c and so libmosquitto
 * (runner/forward.h). The binding loads the plugin when it makes a client.
 */
#include "core/mqtt_client.h"
#include "runner/forward.h"
#include "runtime/plugin.h"

#define MQTT NM_PLUGIN_MQTT

void nm_mqtt_free(nm_mqtt_client *c)
{
    static void (*client_free)(nm_mqtt_client *);
    if (c == NULL)
        return;
    if (client_free == NULL)
        client_free = (void (*)(nm_mqtt_client *))nm_plugin_entry(MQTT, "nm_mqtt_free");
    client_free(c);
}

NM_FORWARD(MQTT, nm_mqtt_client *, nm_mqtt_new, (const nm_mqtt_events *ev, void *owner), (ev, owner))
NM_FORWARD(MQTT, int, nm_mqtt_set_login, (nm_mqtt_client * c, const nm_mqtt_login *login), (c, login))
NM_FORWARD(MQTT, int, nm_mqtt_set_will,
           (nm_mqtt_client * c, const char *topic, const void *payload, size_t len, int qos, bool retain),
           (c, topic, payload, len, qos, retain))
NM_FORWARD(MQTT, int, nm_mqtt_connect, (nm_mqtt_client * c, const char *host, int port, nm_tls_config *tls),
           (c, host, port, tls))
NM_FORWARD_VOID(MQTT, nm_mqtt_disconnect, (nm_mqtt_client * c), (c))
NM_FORWARD_VOID(MQTT, nm_mqtt_abort, (nm_mqtt_client * c), (c))
NM_FORWARD(MQTT, bool, nm_mqtt_is_up, (const nm_mqtt_client *c), (c))
NM_FORWARD(MQTT, bool, nm_mqtt_is_closing, (const nm_mqtt_client *c), (c))
NM_FORWARD(MQTT, bool, nm_mqtt_is_active, (const nm_mqtt_client *c), (c))
NM_FORWARD(MQTT, int, nm_mqtt_publish,
           (nm_mqtt_client * c, const char *topic, const void *payload, size_t len, int qos, bool retain),
           (c, topic, payload, len, qos, retain))
NM_FORWARD(MQTT, int, nm_mqtt_subscribe, (nm_mqtt_client * c, char *const *topics, const int *qos, int count),
           (c, topics, qos, count))
NM_FORWARD(MQTT, int, nm_mqtt_unsubscribe, (nm_mqtt_client * c, char *const *topics, int count), (c, topics, count))
NM_FORWARD(MQTT, const char *, nm_mqtt_tls_reason, (const nm_mqtt_client *c), (c))
