/*
 * udp_test.c — the core UDP socket from C, without Lua: datagrams on
 * loopback keep their boundaries and order, `sent` comes from the loop once
 * per datagram, close stops every event, replies from a receive batch leave
 * together when it ends, and the membership set checks what
 * it is given. Reports its cases in TAP (harness.h); every case
 * runs the loop under a timer that bounds it.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "core/loop.h"
#include "core/udp.h"

#include "harness.h"

/* Datagrams and sent ------------------------------------------------------ */

#define COUNT 50

static nm_udp *rx, *tx;
static int received, sents, closed_sents;
static bool in_send, order_ok;
static char owner_rx, owner_tx;
static char queued[COUNT][32]; /* queued datagrams' bytes, valid until their `sent` */

/* Closes both once every datagram arrived and every `sent` came. */
static void maybe_finish(void)
{
    if (received == COUNT && sents == COUNT) {
        nm_udp_close(rx);
        nm_udp_close(tx);
        nm_udp_close(tx); /* twice: harmless */
    }
}

static void rx_received(nm_udp *u, const char *data, size_t len, const struct sockaddr *from)
{
    char want[32];
    snprintf(want, sizeof(want), "datagram %d", received);
    order_ok = order_ok && len == strlen(want) && memcmp(data, want, len) == 0;
    CHECK(from->sa_family == AF_INET, "sender family %d", from->sa_family);
    CHECK(nm_udp_owner(u) == &owner_rx, "owner");
    received++;
    maybe_finish();
}

/* Queued datagrams carry 1000 + their index as cookie: the n-th `sent`
 * with a cookie must be datagram n's, whichever went out at once before it. */
static void tx_sent(nm_udp *u, intptr_t cookie, int status)
{
    CHECK(!in_send, "sent inside the send call");
    CHECK(status == 0, "status %d", status);
    CHECK(cookie == 0 || cookie == 1000 + sents, "sent %d reports datagram %d", sents, (int)cookie - 1000);
    if (nm_udp_owner(u) == NULL) {
        closed_sents++;
        return;
    }
    sents++;
    maybe_finish();
}

static void ignore_sent(nm_udp *u, intptr_t cookie, int status)
{
    (void)u, (void)cookie, (void)status;
}

static const nm_udp_events rx_events = {.received = rx_received, .sent = ignore_sent};
static const nm_udp_events tx_events = {.received = NULL, .sent = tx_sent};

static void datagrams_body(void)
{
    struct sockaddr_in any, to;
    struct sockaddr_storage local;
    received = sents = closed_sents = 0;
    order_ok = true;
    uv_ip4_addr("127.0.0.1", 0, &any);
    CHECK(nm_udp_open(&rx_events, &owner_rx, (struct sockaddr *)&any, &rx) == 0, "open rx");
    CHECK(nm_udp_open(&tx_events, &owner_tx, (struct sockaddr *)&any, &tx) == 0, "open tx");
    CHECK(nm_udp_local(rx, &local) == 0, "local address");
    memcpy(&to, &local, sizeof(to));
    for (int i = 0; i < COUNT; i++) {
        char data[32];
        int len = snprintf(data, sizeof(data), "datagram %d", i);
        in_send = true;
        /* every tenth datagram queued, as when the socket buffer is full;
         * the ones after it must queue behind it until it has left */
        int r = i % 10 == 5 ? UV_EAGAIN : nm_udp_try_send(tx, (struct sockaddr *)&to, data, (size_t)len, true);
        if (r == UV_EAGAIN)
            r = nm_udp_queue(tx, (struct sockaddr *)&to, memcpy(queued[i], data, sizeof(data)), (size_t)len, 1000 + i);
        in_send = false;
        CHECK(r == 0, "send %d: %d", i, r);
    }
}

static void datagrams_check(void)
{
    run_case("udp: datagrams arrive whole and in order, queued or not; sent from the loop, once each, in order",
             datagrams_body, 5);
    if (!order_ok || received != COUNT || sents != COUNT || closed_sents != 0) {
        report_failure("udp: counts", "received %d, order %s, sent %d, after close %d", received,
                       order_ok ? "kept" : "broken", sents, closed_sents);
    }
}

/* Replies from a receive callback ------------------------------------------ */

/* ASKS datagrams wait in the server's socket before the loop runs, so that
 * one receive batch takes them all. Replies to the sender wait for the batch
 * to end; a large one (ask LARGE) goes at once after the ones before it; a
 * datagram to another address (ask ELSEWHERE) goes at once. */
#define ASKS 10
#define LARGE 5
#define ELSEWHERE 7

static nm_udp *server, *client, *other;
static int asks, answers, server_sents;
static bool answers_in_order;
static char owner_server, owner_client;
static struct sockaddr_in other_addr;

/* Whether a datagram waits in u's receive queue (looked at, not taken). */
static bool has_datagram(nm_udp *u)
{
    uv_os_fd_t fd;
    char byte;
    uv_fileno((uv_handle_t *)&u->handle, &fd);
    return recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) >= 0;
}

static void server_received(nm_udp *u, const char *data, size_t len, const struct sockaddr *from)
{
    (void)data, (void)len;
    static char large[2000];
    char reply[32];
    int n = snprintf(reply, sizeof(reply), "answer %d", asks);
    in_send = true;
    if (asks == LARGE) {
        memcpy(large, reply, (size_t)n);
        CHECK(nm_udp_try_send(u, from, large, sizeof(large), true) == 0, "large reply");
        CHECK(has_datagram(client), "the large reply has not left at once");
    } else {
        CHECK(nm_udp_try_send(u, from, reply, (size_t)n, true) == 0, "reply %d", asks);
        CHECK(asks > LARGE || !has_datagram(client), "reply %d left before the batch ended", asks);
    }
    if (asks == ELSEWHERE) {
        CHECK(nm_udp_try_send(u, (struct sockaddr *)&other_addr, "aside", 5, false) == 0, "aside");
        CHECK(has_datagram(other), "a datagram to another address waited for the batch");
    }
    in_send = false;
    asks++;
}

static void server_sent(nm_udp *u, intptr_t cookie, int status)
{
    CHECK(!in_send, "sent inside the send call");
    CHECK(cookie == 0 && status == 0, "sent cookie %d status %d", (int)cookie, status);
    if (nm_udp_owner(u) != NULL)
        server_sents++;
}

static void client_received(nm_udp *u, const char *data, size_t len, const struct sockaddr *from)
{
    (void)u, (void)from;
    char want[32];
    int n = snprintf(want, sizeof(want), "answer %d", answers);
    answers_in_order = answers_in_order && len == (answers == LARGE ? 2000 : (size_t)n) &&
                       memcmp(data, want, (size_t)n) == 0;
    if (++answers == ASKS) {
        nm_udp_close(client);
        nm_udp_close(server);
        nm_udp_close(other);
    }
}

static const nm_udp_events server_events = {.received = server_received, .sent = server_sent};
static const nm_udp_events client_events = {.received = client_received, .sent = ignore_sent};

static void replies_body(void)
{
    struct sockaddr_in any, to;
    struct sockaddr_storage local;
    asks = answers = server_sents = 0;
    answers_in_order = true;
    uv_ip4_addr("127.0.0.1", 0, &any);
    CHECK(nm_udp_open(&server_events, &owner_server, (struct sockaddr *)&any, &server) == 0, "open server");
    CHECK(nm_udp_open(&client_events, &owner_client, (struct sockaddr *)&any, &client) == 0, "open client");
    CHECK(nm_udp_open(&rx_events, &owner_rx, (struct sockaddr *)&any, &other) == 0, "open other");
    nm_udp_local(other, &local);
    memcpy(&other_addr, &local, sizeof(other_addr));
    nm_udp_local(server, &local);
    memcpy(&to, &local, sizeof(to));
    for (int i = 0; i < ASKS; i++)
        CHECK(nm_udp_try_send(client, (struct sockaddr *)&to, "ask", 3, false) == 0, "ask %d", i);
}

static void replies_check(void)
{
    run_case("udp: replies from one receive batch leave together at its end, in order; others at once", replies_body,
             5);
    if (!answers_in_order || answers != ASKS || server_sents != ASKS) {
        report_failure("udp: replies", "%d answers, order %s, %d sent", answers, answers_in_order ? "kept" : "broken",
                       server_sents);
    }
}

/* TTL ------------------------------------------------------------------------ */

static void ttl_body(void)
{
    struct sockaddr_in any;
    nm_udp *u;
    uv_ip4_addr("0.0.0.0", 0, &any);
    CHECK(nm_udp_open(&tx_events, &owner_tx, (struct sockaddr *)&any, &u) == 0, "open");
    CHECK(nm_udp_set_ttl(u, 3) == 0, "set ttl");
    CHECK(nm_udp_get_ttl(u) == 3, "ttl is %d", nm_udp_get_ttl(u));
    CHECK(nm_udp_set_ttl(u, 0) < 0, "ttl 0 accepted");
    nm_udp_close(u);
}

/* Memberships ---------------------------------------------------------------- */

static void membership_body(void)
{
    CHECK(nm_udp_join(NULL, "239.1.2.3") == 0, "join any");
    CHECK(nm_udp_join(NULL, "239.1.2.3") == 0, "join twice");
    CHECK(nm_udp_join(NULL, "10.1.2.3") == UV_EINVAL, "not a group");
    CHECK(nm_udp_join(NULL, "nonsense") == UV_EINVAL, "not an address");
    CHECK(nm_udp_join(NULL, "ff02::1:3") == 0, "IPv6 group");
    CHECK(nm_udp_join("192.0.2.77", "239.1.2.3") == UV_EADDRNOTAVAIL, "interface nobody has");
    CHECK(nm_udp_leave(NULL, "239.1.2.3") == 0, "leave");
    CHECK(nm_udp_leave(NULL, "239.1.2.3") == 0, "leave twice");
    CHECK(nm_udp_leave(NULL, "ff02::1:3") == 0, "leave IPv6");
    CHECK(nm_udp_leave(NULL, "239.9.9.9") == 0, "leave a group never joined");
}

int main(void)
{
    datagrams_check();
    replies_check();
    run_case("udp: ttl sets and reads back; 0 is refused", ttl_body, 2);
    run_case("udp: the membership set checks groups and interfaces", membership_body, 2);
    nm_loop_shutdown();
    return failures ? 1 : 0;
}
