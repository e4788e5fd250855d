/*
 * mqtt_client.c — the C baseline of the MQTT workload: libmosquitto (the library
 * netmcu's mqtt module drives) in its own loop, doing what bench/netmcu/mqtt.lua
 * does with the same broker.
 *
 *   mqtt_client pub PORT QOS COUNT   publishes COUNT 32-byte messages from the
 *                                    connect callback, waits for every confirmation
 *   mqtt_client sub PORT QOS COUNT   subscribes, prints READY, counts messages
 *   mqtt_client idle PORT COUNT      holds COUNT connected clients
 * pub and sub print "<seconds> <CPU seconds> <messages>" measured from the first
 * publish (pub) or the first message (sub); sub stops after COUNT messages or 3 s
 * without one. idle prints the resident bytes per connected client.
 */
#define _POSIX_C_SOURCE 200809L
#include <mosquitto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define TOPIC "bench/mqtt"
#define PAYLOAD "0123456789abcdef0123456789abcdef"

static int qos, count, done;
static double t0, cpu0;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static void report(void)
{
    printf("%.6f %.6f %d\n", now() - t0, cpu() - cpu0, done);
    fflush(stdout);
}

static void on_pub_connect(struct mosquitto *m, void *obj, int rc)
{
    (void)obj;
    if (rc != 0)
        exit(2);
    t0 = now();
    cpu0 = cpu();
    for (int i = 0; i < count; i++)
        mosquitto_publish(m, NULL, TOPIC, (int)strlen(PAYLOAD), PAYLOAD, qos, false);
}

static void on_published(struct mosquitto *m, void *obj, int mid)
{
    (void)obj;
    (void)mid;
    if (++done == count)
        mosquitto_disconnect(m);
}

static void on_sub_connect(struct mosquitto *m, void *obj, int rc)
{
    (void)obj;
    if (rc != 0)
        exit(2);
    mosquitto_subscribe(m, NULL, TOPIC, qos);
}

static void on_subscribed(struct mosquitto *m, void *obj, int mid, int n, const int *granted)
{
    (void)m, (void)obj, (void)mid, (void)n, (void)granted;
    printf("READY\n");
    fflush(stdout);
}

static void on_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg)
{
    (void)obj;
    (void)msg;
    if (done++ == 0) {
        t0 = now();
        cpu0 = cpu();
    }
    if (done == count)
        mosquitto_disconnect(m);
}

static struct mosquitto *client(const char *id)
{
    struct mosquitto *m = mosquitto_new(id, true, NULL);
    if (m == NULL)
        exit(2);
    mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
    mosquitto_int_option(m, MOSQ_OPT_TCP_NODELAY, 1);
    return m;
}

static long rss_bytes(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = 0;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld", &kb) == 1)
            break;
    if (f)
        fclose(f);
    return kb * 1024;
}

static int idle(int port)
{
    struct mosquitto **all = calloc((size_t)count, sizeof *all);
    char id[32];
    /* The first client pays for the library's one-time set-up. */
    snprintf(id, sizeof id, "idle-c-warm");
    struct mosquitto *warm = client(id);
    if (mosquitto_connect(warm, "127.0.0.1", port, 60) != MOSQ_ERR_SUCCESS)
        return 2;
    long before = rss_bytes();
    for (int i = 0; i < count; i++) {
        snprintf(id, sizeof id, "idle-c-%d", i);
        all[i] = client(id);
        if (mosquitto_connect(all[i], "127.0.0.1", port, 60) != MOSQ_ERR_SUCCESS)
            return 2;
        mosquitto_loop(all[i], 1000, 1); /* the CONNACK */
    }
    printf("%.0f\n", (double)(rss_bytes() - before) / count);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 4)
        return 2;
    const char *mode = argv[1];
    int port = atoi(argv[2]);
    mosquitto_lib_init();
    if (strcmp(mode, "idle") == 0) {
        count = atoi(argv[3]);
        return idle(port);
    }
    if (argc < 5)
        return 2;
    qos = atoi(argv[3]);
    count = atoi(argv[4]);
    bool pub = strcmp(mode, "pub") == 0;
    struct mosquitto *m = client(pub ? "bench-c-pub" : "bench-c-sub");
    mosquitto_connect_callback_set(m, pub ? on_pub_connect : on_sub_connect);
    mosquitto_publish_callback_set(m, on_published);
    mosquitto_subscribe_callback_set(m, on_subscribed);
    mosquitto_message_callback_set(m, on_message);
    if (mosquitto_connect(m, "127.0.0.1", port, 60) != MOSQ_ERR_SUCCESS)
        return 2;
    double last = now();
    int seen = 0;
    while (done < count) {
        if (mosquitto_loop(m, 100, 1000) != MOSQ_ERR_SUCCESS)
            break;
        if (done != seen) {
            seen = done;
            last = now();
        } else if (!pub && done > 0 && now() - last > 3) {
            break;
        }
    }
    report();
    mosquitto_destroy(m);
    return 0;
}
