/*
 * dns_test.c — the core resolver from C, without Lua and without a DNS
 * server: literals, the hosts file (CARES_HOSTS, a file this test writes),
 * bad names, cancelling, many lookups, and lookups still running at exit.
 * The servers are set to a loopback address where nothing listens, so a
 * name that reaches DNS fails (refused, or timed out within the bound). The DNS answers
 * themselves are tested against dnsmasq in tests/peers/dns.sh.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/dns.h"
#include "core/loop.h"

#include "harness.h"

typedef struct answer {
    int calls, status;
    char ip[INET6_ADDRSTRLEN];
    int port;
} answer;

static bool inside_call;

static void record(void *owner, int status, const struct sockaddr *addr)
{
    answer *a = owner;
    CHECK(!inside_call, "answered inside nm_dns_resolve");
    a->calls++;
    a->status = status;
    a->ip[0] = '\0';
    if (addr && addr->sa_family == AF_INET) {
        inet_ntop(AF_INET, &((const struct sockaddr_in *)addr)->sin_addr, a->ip, sizeof(a->ip));
        a->port = ntohs(((const struct sockaddr_in *)addr)->sin_port);
    } else if (addr && addr->sa_family == AF_INET6) {
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)addr)->sin6_addr, a->ip, sizeof(a->ip));
        a->port = ntohs(((const struct sockaddr_in6 *)addr)->sin6_port);
    }
}

static nm_dns_lookup *start(const char *name, int port, answer *a)
{
    memset(a, 0, sizeof(*a));
    inside_call = true;
    nm_dns_lookup *l = nm_dns_resolve(name, port, record, a);
    inside_call = false;
    return l;
}

static void expect(const answer *a, const char *name, int status, const char *ip, int port)
{
    CHECK(a->calls == 1, "%s: %d answers, want 1", name, a->calls);
    CHECK(a->status == status, "%s: status %d (%s), want %d", name, a->status, nm_dns_status_text(a->status), status);
    if (ip)
        CHECK(strcmp(a->ip, ip) == 0 && a->port == port, "%s: %s port %d, want %s port %d", name, a->ip, a->port, ip,
              port);
}

/* Cases ------------------------------------------------------------------ */

static answer literal4, literal6, short4, hosts4, hosts6, localhost, empty, toolong;

static void literals_body(void)
{
    start("10.1", 80, &short4);
    start("192.0.2.7", 8080, &literal4);
    start("::1", 443, &literal6);
}

static void literals_check(void)
{
    run_case("IP literals answer from the loop, with the port, in inet_aton's forms", literals_body, 5);
    expect(&short4, "10.1", NM_DNS_OK, "10.0.0.1", 80);
    expect(&literal4, "192.0.2.7", NM_DNS_OK, "192.0.2.7", 8080);
    expect(&literal6, "::1", NM_DNS_OK, "::1", 443);
}

static void hosts_body(void)
{
    start("ctest.example", 1, &hosts4);
    start("sixonly.example", 2, &hosts6);
    start("localhost", 3, &localhost);
    static char long_name[300];
    memset(long_name, 'a', sizeof(long_name) - 1);
    start("", 0, &empty);
    start(long_name, 0, &toolong);
}

static void hosts_check(void)
{
    run_case("the hosts file answers, IPv6 when a name has no IPv4; bad names fail", hosts_body, 10);
    expect(&hosts4, "ctest.example", NM_DNS_OK, "127.0.0.9", 1);
    expect(&hosts6, "sixonly.example", NM_DNS_OK, "::1", 2);
    expect(&localhost, "localhost", NM_DNS_OK, "127.0.0.1", 3);
    expect(&empty, "empty name", NM_DNS_BADNAME, NULL, 0);
    expect(&toolong, "299 characters", NM_DNS_BADNAME, NULL, 0);
}

static answer unknown, cancelled_hosts, cancelled_dns;

static void cancel_body(void)
{
    start("not-in-hosts.example", 0, &unknown);
    nm_dns_cancel(start("ctest.example", 0, &cancelled_hosts));   /* answer already known */
    nm_dns_cancel(start("elsewhere.example", 0, &cancelled_dns)); /* inside c-ares */
}

static void cancel_check(void)
{
    run_case("a name no server answers fails; cancelled lookups never answer", cancel_body, 15);
    CHECK(unknown.calls == 1 && unknown.status != NM_DNS_OK, "unknown name: %d calls, status %d", unknown.calls,
          unknown.status);
    CHECK(cancelled_hosts.calls == 0 && cancelled_dns.calls == 0, "a cancelled lookup answered");
}

#define MANY 3000
static answer many[MANY];

static void many_body(void)
{
    for (int i = 0; i < MANY; i++)
        start(i % 2 ? "ctest.example" : "not-in-hosts.example", i, &many[i]);
}

static void many_check(void)
{
    run_case("3,000 lookups at once all answer, once each", many_body, 30);
    int wrong = 0;
    for (int i = 0; i < MANY; i++)
        if (many[i].calls != 1 || (i % 2 && (many[i].status != NM_DNS_OK || many[i].port != i)))
            wrong++;
    CHECK(wrong == 0, "%d of %d lookups answered wrongly", wrong, MANY);
}

int main(void)
{
    char hosts[] = "/tmp/netmcu-dns-test-XXXXXX";
    int fd = mkstemp(hosts);
    const char *text = "127.0.0.1 localhost\n127.0.0.9 ctest.example\n::1 sixonly.example\n";
    if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
        report("setup", 0, "cannot write a hosts file");
        return 1;
    }
    close(fd);
    setenv("CARES_HOSTS", hosts, 1);
    /* Nothing listens there: DNS queries fail. */
    struct sockaddr_in nowhere = {.sin_family = AF_INET};
    inet_pton(AF_INET, "127.53.0.254", &nowhere.sin_addr);
    nm_dns_set_server(0, (struct sockaddr *)&nowhere);
    nm_dns_set_server(1, (struct sockaddr *)&nowhere);

    literals_check();
    hosts_check();
    cancel_check();
    many_check();

    /* At exit, lookups still running end as cancelled (their owners free). */
    answer pending;
    start("at-exit.example", 0, &pending);
    nm_loop_shutdown();
    case_failure[0] = '\0';
    expect(&pending, "at exit", NM_DNS_CANCELLED, NULL, 0);
    report("a lookup running at exit ends as cancelled", case_failure[0] == '\0', case_failure);
    unlink(hosts);
    return failures ? 1 : 0;
}
