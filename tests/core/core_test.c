/*
 * core_test.c — the core layer from C, without Lua: deferred tasks, streams
 * and the TCP server on loopback. Reports its cases in TAP (harness.h),
 * per case; every case runs the loop under a timer that bounds it.
 */
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/loop.h"
#include "core/stream.h"
#include "core/tcp_server.h"

#include "harness.h"

static void loopback(struct sockaddr_in *addr, int port)
{
    uv_ip4_addr("127.0.0.1", port, addr);
}

/* Tasks ------------------------------------------------------------------ */

static int task_runs;
static nm_task task_a, task_b, task_c;
static bool ran_inside_post;

static void count_task(nm_task *task)
{
    (void)task;
    task_runs++;
}

static void tasks_body(void)
{
    task_runs = 0;
    nm_task_post(&task_a, count_task);
    nm_task_post(&task_a, count_task); /* posted twice: runs once */
    nm_task_post(&task_b, count_task);
    nm_task_post(&task_c, count_task);
    nm_task_cancel(&task_b);
    ran_inside_post = task_runs != 0;
}

static void tasks_check(void)
{
    run_case("tasks run later, once, unless cancelled", tasks_body, 5);
    if (ran_inside_post || task_runs != 2) {
        report_failure("tasks", "ran %d times (inside post: %d), want 2 later", task_runs, ran_inside_post);
    }
}

/* Echo and write order --------------------------------------------------- */

#define WRITES 100

static nm_tcp_server *echo_server;
static nm_stream *echo_client;
static char received[WRITES * 16];
static size_t received_len;
static intptr_t next_cookie;
static int closed_count;
static const char *pieces[WRITES];
static char piece_text[WRITES][16];

static void echo_received(nm_stream *s, const char *data, size_t len)
{
    /* Echo from the shared read buffer: copy what stays in flight. */
    static char copies[WRITES * 8];
    static size_t used;
    memcpy(copies + used, data, len);
    nm_stream_write(s, copies + used, len);
    used = (used + len) % (sizeof(copies) - 64);
}

static void echo_closed(nm_stream *s, int status)
{
    (void)s;
    CHECK(status == 0, "server side closed with %d", status);
    closed_count++;
}

static const nm_stream_events echo_events = {.received = echo_received, .closed = echo_closed};

static void on_echo_accepted(nm_tcp_server *srv, nm_stream *s)
{
    nm_stream_adopt(s, &echo_events, srv);
}

static const nm_tcp_server_events echo_server_events = {.accepted = on_echo_accepted};

static void client_received(nm_stream *s, const char *data, size_t len)
{
    CHECK(received_len + len <= sizeof(received), "too much data");
    memcpy(received + received_len, data, len);
    received_len += len;
    size_t want = 0;
    for (int i = 0; i < WRITES; i++)
        want += strlen(pieces[i]);
    if (received_len == want)
        nm_stream_close(s, 0);
}

static void client_written(nm_stream *s, intptr_t cookie, int status)
{
    (void)s;
    CHECK(status == 0, "write %ld failed: %d", (long)cookie, status);
    CHECK(cookie == next_cookie + 1, "write %ld reported after %ld", (long)cookie, (long)next_cookie);
    next_cookie++;
}

static void client_closed(nm_stream *s, int status)
{
    (void)s;
    CHECK(status == 0, "client closed with %d", status);
    closed_count++;
    nm_tcp_server_close(echo_server, NM_CLOSE_ACCEPTED);
}

static const nm_stream_events client_events = {
    .received = client_received, .written = client_written, .closed = client_closed};

static void echo_body(void)
{
    struct sockaddr_in addr;
    struct sockaddr_storage bound;
    received_len = 0;
    next_cookie = 0;
    closed_count = 0;
    echo_server = nm_tcp_server_new(&echo_server_events, NULL, 30);
    loopback(&addr, 0);
    CHECK(nm_tcp_server_listen(echo_server, (struct sockaddr *)&addr) == 0, "listen failed");
    nm_tcp_server_address(echo_server, &bound);
    echo_client = nm_stream_new(&client_events, NULL);
    nm_stream_connect(echo_client, (struct sockaddr *)&bound);
    /* Written before the connection is up: libuv queues them in order. */
    for (int i = 0; i < WRITES; i++) {
        snprintf(piece_text[i], sizeof(piece_text[i]), "%d,", i);
        pieces[i] = piece_text[i];
        int r = nm_stream_write(echo_client, pieces[i], strlen(pieces[i]));
        CHECK(r == NM_WRITE_QUEUED, "a write before the connection is up must queue (got %d)", r);
        nm_stream_tag_queued_write(i + 1);
    }
}

static void echo_check(void)
{
    run_case("echo: queued writes arrive whole and in order, both ends close with 0", echo_body, 10);
    char want[WRITES * 16] = "";
    for (int i = 0; i < WRITES; i++)
        strcat(want, pieces[i]);
    if (received_len != strlen(want) || memcmp(received, want, received_len) != 0 || next_cookie != WRITES ||
        closed_count != 2) {
        report_failure("echo", "got %zu bytes, %ld writes reported, %d closes", received_len, (long)next_cookie,
                       closed_count);
    }
}

/* Refused connect -------------------------------------------------------- */

static int refused_status;

static void refused_closed(nm_stream *s, int status)
{
    (void)s;
    refused_status = status;
}

static void refused_connected(nm_stream *s)
{
    (void)s;
    CHECK(0, "connected to a closed port");
}

static const nm_stream_events refused_events = {.connected = refused_connected, .closed = refused_closed};

static void refused_body(void)
{
    struct sockaddr_in addr;
    struct sockaddr_storage bound;
    /* A port that was just free: listen, read the port, close. */
    nm_tcp_server *probe = nm_tcp_server_new(NULL, NULL, 30);
    loopback(&addr, 0);
    nm_tcp_server_listen(probe, (struct sockaddr *)&addr);
    nm_tcp_server_address(probe, &bound);
    nm_tcp_server_close(probe, NM_KEEP_ACCEPTED);
    refused_status = 1;
    nm_stream *s = nm_stream_new(&refused_events, NULL);
    nm_stream_connect(s, (struct sockaddr *)&bound);
    CHECK(refused_status == 1, "closed inside connect()");
}

static void refused_check(void)
{
    run_case("a refused connect ends in closed(ECONNREFUSED), from the loop", refused_body, 5);
    if (refused_status != UV_ECONNREFUSED) {
        report_failure("refused", "status %d, want %d", refused_status, UV_ECONNREFUSED);
    }
}

/* Inactivity timeout ----------------------------------------------------- */

static uint64_t idle_started, idle_closed_after;
static nm_tcp_server *idle_server;

static void idle_client_closed(nm_stream *s, int status)
{
    (void)s;
    CHECK(status == 0, "the client sees an orderly end, got %d", status);
    idle_closed_after = uv_now(nm_loop()) - idle_started;
    nm_tcp_server_close(idle_server, NM_ABORT_ACCEPTED);
}

static const nm_stream_events idle_client_events = {.closed = idle_client_closed};

static void idle_body(void)
{
    struct sockaddr_in addr;
    struct sockaddr_storage bound;
    idle_server = nm_tcp_server_new(NULL, NULL, 1); /* accepted streams stay unowned */
    loopback(&addr, 0);
    nm_tcp_server_listen(idle_server, (struct sockaddr *)&addr);
    nm_tcp_server_address(idle_server, &bound);
    nm_stream *s = nm_stream_new(&idle_client_events, NULL);
    nm_stream_connect(s, (struct sockaddr *)&bound);
    uv_update_time(nm_loop());
    idle_started = uv_now(nm_loop());
}

static void idle_check(void)
{
    idle_closed_after = 0;
    run_case("an idle accepted connection is closed after the 1 s timeout", idle_body, 10);
    if (idle_closed_after < 900 || idle_closed_after > 3000) {
        report_failure("idle", "closed after %lu ms, want about 1000", (unsigned long)idle_closed_after);
    }
}

/* Release while connecting ------------------------------------------------ */

static void release_body(void)
{
    struct sockaddr_in addr;
    loopback(&addr, 9); /* nothing answers; the stream is released before it matters */
    nm_stream *s = nm_stream_new(&refused_events, NULL);
    nm_stream_connect(s, (struct sockaddr *)&addr);
    nm_stream_write(s, "x", 1);
    refused_status = 1;
    nm_stream_release(s); /* no event may reach a released owner */
}

static void release_check(void)
{
    run_case("releasing a connecting stream with a queued write frees it quietly", release_body, 5);
    if (refused_status != 1) {
        report_failure("release", "an event reached the released owner (%d)", refused_status);
    }
}

/* A write longer than 4 GiB ----------------------------------------------- */

/* Zero pages of a private anonymous mapping cost no memory: the 4 GiB write
 * is real on the wire, not in RAM. */
#define HUGE_WRITE (((size_t)4 << 30) + ((size_t)1 << 20))

static size_t huge_received;
static int huge_written_status = 1, huge_server_closed = 1;
static nm_tcp_server *huge_server;

static void huge_count(nm_stream *s, const char *data, size_t len)
{
    (void)s;
    (void)data;
    huge_received += len;
}

static void huge_server_side_closed(nm_stream *s, int status)
{
    (void)s;
    huge_server_closed = status;
    nm_tcp_server_close(huge_server, NM_ABORT_ACCEPTED);
}

static const nm_stream_events huge_sink_events = {.received = huge_count, .closed = huge_server_side_closed};

static void on_huge_accepted(nm_tcp_server *srv, nm_stream *s)
{
    nm_stream_adopt(s, &huge_sink_events, srv);
}

static const nm_tcp_server_events huge_server_events = {.accepted = on_huge_accepted};

static void huge_written(nm_stream *s, intptr_t cookie, int status)
{
    (void)cookie;
    huge_written_status = status;
    nm_stream_close(s, 0);
}

static const nm_stream_events huge_client_events = {.written = huge_written};

static void huge_body(void)
{
    struct sockaddr_in addr;
    struct sockaddr_storage bound;
    char *data = mmap(NULL, HUGE_WRITE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    CHECK(data != MAP_FAILED, "no address space for the write");
    if (data == MAP_FAILED)
        return;
    huge_server = nm_tcp_server_new(&huge_server_events, NULL, 60);
    loopback(&addr, 0);
    nm_tcp_server_listen(huge_server, (struct sockaddr *)&addr);
    nm_tcp_server_address(huge_server, &bound);
    nm_stream *c = nm_stream_new(&huge_client_events, NULL);
    nm_stream_connect(c, (struct sockaddr *)&bound);
    nm_stream_write(c, data, HUGE_WRITE);
}

static void huge_check(void)
{
    run_case("a write of 4 GiB + 1 MiB arrives whole, then written(0)", huge_body, 120);
    if (huge_received != HUGE_WRITE || huge_written_status != 0 || huge_server_closed != 0) {
        report_failure("4 GiB write", "peer got %zu of %zu bytes, written %d, peer closed %d", huge_received,
                       HUGE_WRITE, huge_written_status, huge_server_closed);
    }
}

/* A write taken at once is reported before a reply read after it --------- */

/* The peer is a plain socket of the test's own, so that it can answer inside
 * the loop turn that has not yet reported the write it answers. */
static int peer_listener = -1, peer_fd = -1;
static char order[8];
static size_t norder;

static void answered_written(nm_stream *s, intptr_t cookie, int status)
{
    (void)cookie;
    CHECK(status == 0, "write failed: %d", status);
    bool first = memchr(order, 'A', norder) == NULL;
    order[norder++] = first ? 'A' : 'B';
    if (first) {
        /* From the report of the first write, as a `sent` callback would. */
        CHECK(nm_stream_write(s, "b", 1) == 0, "second write not taken at once");
        char got[2];
        CHECK(recv(peer_fd, got, sizeof(got), MSG_WAITALL) == 2, "peer did not get both writes");
        CHECK(send(peer_fd, "reply", 5, 0) == 5, "peer cannot answer");
    }
}

static void answered_received(nm_stream *s, const char *data, size_t len)
{
    (void)data;
    (void)len;
    order[norder++] = 'R';
    shutdown(peer_fd, SHUT_WR); /* the peer's FIN ends the close's linger */
    nm_stream_close(s, 0);
}

static void answered_connected(nm_stream *s)
{
    peer_fd = accept(peer_listener, NULL, NULL);
    CHECK(peer_fd >= 0, "accept failed");
    CHECK(nm_stream_write(s, "a", 1) == 0, "first write not taken at once");
}

static void answered_closed(nm_stream *s, int status)
{
    (void)s;
    (void)status;
    order[norder] = '\0';
    CHECK(strcmp(order, "ABR") == 0, "events came as %s, want ABR (written, written, received)", order);
    close(peer_fd);
    close(peer_listener);
}

static const nm_stream_events answered_events = {.connected = answered_connected,
                                                 .received = answered_received,
                                                 .written = answered_written,
                                                 .closed = answered_closed};

static void answered_body(void)
{
    struct sockaddr_in addr;
    socklen_t alen = sizeof(addr);
    norder = 0;
    loopback(&addr, 0);
    peer_listener = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(bind(peer_listener, (struct sockaddr *)&addr, sizeof(addr)) == 0 && listen(peer_listener, 1) == 0 &&
              getsockname(peer_listener, (struct sockaddr *)&addr, &alen) == 0,
          "peer cannot listen");
    nm_stream *s = nm_stream_new(&answered_events, NULL);
    nm_stream_connect(s, (struct sockaddr *)&addr);
}

static void answered_check(void)
{
    run_case("a write taken at once is reported before the reply to it", answered_body, 5);
}

int main(void)
{
    tasks_check();
    echo_check();
    refused_check();
    idle_check();
    release_check();
    huge_check();
    answered_check();
    nm_loop_shutdown();
    return failures ? 1 : 0;
}
