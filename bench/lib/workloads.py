"""The workloads of issue 4 and the figures (rows) they produce.

Each workload function runs one round and records one value per figure and peer. The
harness calls the workloads round after round, so the samples of a figure are spread over
the whole run. Within a round the peers take turns point by point (A B C D): for HTTP,
churn and bulk the servers of all peers run at once on the server core, each idle until
its turn, so the four measurements of one point lie seconds apart. This machine's speed
drifts over tens of seconds (it is a VM); peers measured a minute apart would differ by
that drift, not by their code.
"""
import contextlib
import os
import re
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass

from proc import (CLIENT_CPU, SERVER_CPU, HeldClient, PeerFailed, Server, free_port, pinned,
                  run_client, wait_until)

HTTP_CONNS = (1, 50, 256)
CHURN_CONNS = 50
BULK_BYTES = 1 << 30
BULK_REPS = 3  # a 1 GiB transfer lasts ~0.4 s: one round's sample is the median of three
UDP_WINDOW = 32  # 64-byte datagrams in flight: the server reads several per wake-up
UDP_PEERS = ("c", "netmcu", "netmcu53", "node")  # the peers with a UDP echo
WARMUP_SECONDS = 1
DNS_LOOKUPS = 10000
DNS_WINDOW = 64      # lookups a client keeps in flight
DNS_SERVER = "127.53.251.1"
TLS_HANDSHAKES = 2000
TLS_WINDOW = 8       # handshakes a client keeps in flight
TLS_IDLE = 2000      # idle TLS connections a client holds
MQTT_COUNT = {0: 100000, 1: 20000}  # messages per QoS level
MQTT_IDLE = 1000     # idle connected MQTT clients
HGET_COUNT = 2000    # http.get requests per client run, each on a new connection
HGET_WINDOW = 16     # requests the concurrent run keeps in flight
JSON_OPS = 2000      # decodes, then encodes, of bench/peers/doc10k.json per sample


@dataclass(frozen=True)
class Row:
    key: str
    unit: str            # failure unit: a peer that fails one figure of it skips the rest
    label: str
    figure: str
    higher_better: bool
    digits: int
    target: tuple = ()   # netmcu's target: ("ratio"|"abs", "<="|">="|"<", value[, peer netmcu must also beat])
    baseline: str = "c"  # the peer ratios and ratio targets compare with


@dataclass(frozen=True)
class Peer:
    key: str
    title: str
    argv: object         # (mode, port) -> argv of the server
    empty: list          # argv of the empty start-up run


def rows(idle_conns):
    out = []
    for c in HTTP_CONNS:
        label = "HTTP keep-alive, %d conn" % c
        out += [Row("http%d.rps" % c, "http", label, "req/s ↑", True, 0),
                Row("http%d.p99" % c, "http", label, "p99 latency µs ↓", False, 0),
                Row("http%d.cpu" % c, "http", label, "server CPU µs/req ↓", False, 2,
                    ("ratio", "<=", 1.05))]
    out.append(Row("idle.bytes", "idle", "Idle, %s conns" % format(idle_conns, ","),
                   "RSS bytes/conn ↓", False, 0, ("ratio", "<=", 1.5)))
    for mode, target in (("nodemcu", ("ratio", ">=", 0.9)), ("natural", ())):
        label = "Bulk 1 GiB, %s" % ("one send in flight" if mode == "nodemcu" else "natural")
        out += [Row("bulk-%s.mbps" % mode, "bulk-" + mode, label, "MB/s at client ↑", True, 0, target),
                Row("bulk-%s.cpu" % mode, "bulk-" + mode, label, "server CPU ms/GiB ↓", False, 0)]
    out += [Row("churn.cps", "churn", "Churn, Connection: close, %d conn" % CHURN_CONNS,
                "conn/s ↑", True, 0),
            Row("churn.cpu", "churn", "Churn, Connection: close, %d conn" % CHURN_CONNS,
                "server CPU µs/conn ↓", False, 2),
            Row("udp.dps", "udp", "UDP echo, 64-byte datagrams, %d in flight" % UDP_WINDOW,
                "datagrams/s ↑", True, 0),
            Row("udp.cpu", "udp", "UDP echo, 64-byte datagrams, %d in flight" % UDP_WINDOW,
                "server CPU µs/datagram ↓", False, 2, ("ratio", "<=", 1.1)),
            # Issue 21: under 3 ms and below luv (Lua 5.1 loading luv) in the same run.
            Row("startup.empty", "startup-empty", "Start-up, empty script", "wall ms ↓", False, 2,
                ("abs", "<", 3.0, "luv")),
            Row("startup.server", "startup-server", "Start-up, server open+close", "wall ms ↓",
                False, 2, ("abs", "<", 3.0, "luv"))]
    label = "DNS, %s lookups, %d in flight" % (format(DNS_LOOKUPS, ","), DNS_WINDOW)
    out += [Row("dns.rate", "dns", label, "lookups/s ↑", True, 0, ("ratio", ">=", 1.0), "node"),
            Row("dns.cpu", "dns", label, "client CPU µs/lookup ↓", False, 2,
                ("ratio", "<=", 1.0), "node")]
    label = "TLS handshakes, %s, %d in flight" % (format(TLS_HANDSHAKES, ","), TLS_WINDOW)
    out += [Row("tls-hs.rate", "tls-hs", label, "handshakes/s ↑", True, 0),
            Row("tls-hs.cpu", "tls-hs", label, "client CPU µs/handshake ↓", False, 1,
                ("ratio", "<=", 1.1)),
            Row("tls-bulk.mbps", "tls-bulk", "TLS bulk 1 GiB download", "MB/s at client ↑", True, 0,
                ("ratio", ">=", 0.9)),
            Row("tls-bulk.cpu", "tls-bulk", "TLS bulk 1 GiB download", "client CPU ms/GiB ↓", False, 0),
            Row("tls-idle.bytes", "tls-idle", "TLS idle, %s client conns" % format(TLS_IDLE, ","),
                "RSS bytes/conn ↓", False, 0, ("ratio", "<", 1.0), "node")]
    for mode, window in (("seq", 1), ("conc", HGET_WINDOW)):
        label = "HTTP client, %s GETs of 13 bytes, %s" % (
            format(HGET_COUNT, ","), "one at a time" if window == 1 else "%d in flight" % window)
        unit = "hget-" + mode
        out += [Row(unit + ".rate", unit, label, "requests/s ↑", True, 0),
                Row(unit + ".cpu", unit, label, "client CPU µs/req ↓", False, 1, ("ratio", "<=", 1.2)),
                Row(unit + ".cpu-node", unit, label, "client CPU µs/req, vs Node.js ↓", False, 1,
                    ("ratio", "<", 1.0), "node")]
    for qos in (0, 1):
        for side, who in (("pub", "published by"), ("sub", "received by")):
            key = "mqtt-%s%d" % (side, qos)
            label = "MQTT QoS %d, %s messages %s the client" % (qos, format(MQTT_COUNT[qos], ","), who)
            out += [Row(key + ".rate", key, label, "messages/s ↑", True, 0),
                    Row(key + ".cpu", key, label, "client CPU µs/message ↓", False, 2,
                        ("ratio", "<=", 1.2))]
    out.append(Row("mqtt-idle.bytes", "mqtt-idle", "MQTT idle, %s connected clients" % format(MQTT_IDLE, ","),
                   "RSS bytes/client ↓", False, 0))
    label = "JSON 10 KB, sjson (luv column: lua-cjson)"
    out += [Row("json.decode", "json", label, "decode µs/op ↓", False, 1, ("ratio", "<=", 1.5), "luv"),
            Row("json.encode", "json", label, "encode µs/op ↓", False, 1, ("ratio", "<=", 1.5), "luv")]
    return out


def each_peer(unit, peers, res, fn):
    """Runs fn(peer) for every peer still standing in this unit; a failure benches the peer."""
    for peer in peers:
        if res.failed(unit, peer.key):
            continue
        try:
            fn(peer)
        except PeerFailed as e:
            res.fail(unit, peer.key, str(e))


@contextlib.contextmanager
def servers(unit, mode, peers, res):
    """The servers of every peer still standing in unit, running at once; yields
    [(peer, server)] for those that started and stops them all on the way out."""
    live = []
    try:
        for peer in peers:
            if res.failed(unit, peer.key):
                continue
            port = free_port()
            server = Server(peer.title, peer.argv(mode, port), port)
            try:
                server.start()
                live.append((peer, server))
            except PeerFailed as e:
                res.fail(unit, peer.key, str(e))
        yield live
    finally:
        for _, server in live:
            server.stop()


def take_turns(unit, live, res, fn):
    """fn(peer, server) for each live server in peer order; a failure benches the peer."""
    for peer, server in live:
        if res.failed(unit, peer.key):
            continue
        try:
            fn(peer, server)
        except PeerFailed as e:
            res.fail(unit, peer.key, str(e))
            server.stop()


# ---- wrk ----

@dataclass
class WrkResult:
    requests: int
    rps: float
    p99_us: float
    errors: str


def parse_wrk(out):
    m = re.search(r"(\d+) requests in", out)
    if not m or int(m.group(1)) == 0:
        raise PeerFailed("wrk got no response: " + " ".join(out.split()[-12:]))
    p99 = re.search(r"^\s*99%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
    scale = {"us": 1, "ms": 1e3, "s": 1e6}[p99.group(2)]
    errors = []
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if sock:
        errors.append("socket errors (connect, read, write, timeout) = %s" % ", ".join(sock.groups()))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if bad:
        errors.append("%s non-2xx responses" % bad.group(1))
    return WrkResult(int(m.group(1)), float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
                     float(p99.group(1)) * scale, "; ".join(errors))


def wrk(port, conns, seconds, close=False):
    argv = ["wrk", "-t1", "-c%d" % conns, "-d%ds" % seconds, "--latency", "--timeout", "5s"]
    if close:
        argv += ["-H", "Connection: close"]
    return parse_wrk(run_client("wrk", argv + ["http://127.0.0.1:%d/" % port], seconds + 20))


def note_errors(res, peer, what, r):
    if r.errors:
        res.note("%s, %s: wrk reported %s" % (peer.title, what, r.errors))


# ---- workloads ----

def http(peers, cfg, res):
    def warm_up(peer, s):
        wrk(s.port, 50, WARMUP_SECONDS)  # JIT, allocator and page cache warm for everyone

    def point(peer, s, c):
        cpu0 = s.cpu_seconds()
        r = wrk(s.port, c, cfg.seconds)
        cpu = s.cpu_seconds() - cpu0
        s.check_alive()
        note_errors(res, peer, "HTTP %d conn" % c, r)
        res.record("http%d.rps" % c, peer.key, r.rps)
        res.record("http%d.p99" % c, peer.key, r.p99_us)
        res.record("http%d.cpu" % c, peer.key, cpu / r.requests * 1e6)

    with servers("http", "http", peers, res) as live:
        take_turns("http", live, res, warm_up)
        for c in HTTP_CONNS:
            take_turns("http", live, res, lambda peer, s: point(peer, s, c))


def churn(peers, cfg, res):
    def warm_up(peer, s):
        wrk(s.port, CHURN_CONNS, WARMUP_SECONDS, close=True)

    def point(peer, s):
        cpu0 = s.cpu_seconds()
        r = wrk(s.port, CHURN_CONNS, cfg.seconds, close=True)
        cpu = s.cpu_seconds() - cpu0
        s.check_alive()
        note_errors(res, peer, "churn", r)
        res.record("churn.cps", peer.key, r.rps)
        res.record("churn.cpu", peer.key, cpu / r.requests * 1e6)

    with servers("churn", "churn", peers, res) as live:
        take_turns("churn", live, res, warm_up)
        take_turns("churn", live, res, point)


def idle(peers, cfg, res):
    n = cfg.idle_conns

    def one(peer):
        port = free_port()
        with Server(peer.title, peer.argv("idle", port), port) as s:
            time.sleep(0.3)  # let start-up allocations settle before the baseline
            rss0, fds0 = s.rss_kb(), s.fd_count()
            argv = [cfg.tools["idle_client"], "127.0.0.1", str(port), str(n), "30"]
            with HeldClient("idle_client", argv) as client:
                client.wait_line(40)
                if not wait_until(lambda: not s.alive() or s.fd_count() >= fds0 + n, 20):
                    raise PeerFailed("%s accepted %d of %d connections in 20 s"
                                     % (peer.title, s.fd_count() - fds0, n))
                s.check_alive()
                time.sleep(0.5)  # lazily allocated per-connection state lands now
                rss1 = s.rss_kb()
            res.record("idle.bytes", peer.key, (rss1 - rss0) * 1024 / n)
    each_peer("idle", peers, res, one)


def bulk(peers, cfg, res):
    def transfer(peer, s, reps):
        cpu0 = s.cpu_seconds()
        argv = [cfg.tools["bulk_client"], "127.0.0.1", str(s.port), str(BULK_BYTES), "60"]
        out = run_client("bulk_client", argv, 70)
        cpu = s.cpu_seconds() - cpu0
        reps.setdefault(peer.key, []).append((float(out.split()[2]), cpu * 1e3 * (1 << 30) / BULK_BYTES))

    for mode in ("nodemcu", "natural"):
        unit, reps = "bulk-" + mode, {}
        with servers(unit, unit, peers, res) as live:
            for _ in range(BULK_REPS):
                take_turns(unit, live, res, lambda peer, s: transfer(peer, s, reps))
        for key, runs in reps.items():
            if not res.failed(unit, key):
                res.record(unit + ".mbps", key, median([mbps for mbps, _ in runs]))
                res.record(unit + ".cpu", key, median([ms for _, ms in runs]))


def udp(peers, cfg, res):
    """Echo servers for every peer with a UDP echo, running at once and taking turns; the
    server's CPU time per echoed datagram is the figure (throughput depends on the client)."""
    live = []

    def point(peer, s, seconds, record):
        cpu0 = s.cpu_seconds()
        argv = [cfg.tools["udp_client"], "127.0.0.1", str(s.port), str(seconds), str(UDP_WINDOW)]
        echoed, took, lost = run_client("udp_client", argv, seconds + 20).split()
        cpu = s.cpu_seconds() - cpu0
        s.check_alive()
        if int(lost):
            res.note("%s, UDP echo: %s datagrams lost of %s" % (peer.title, lost, echoed))
        if record:
            res.record("udp.dps", peer.key, int(echoed) / float(took))
            res.record("udp.cpu", peer.key, cpu / int(echoed) * 1e6)

    try:
        for peer in peers:
            if peer.key not in UDP_PEERS or res.failed("udp", peer.key):
                continue
            port = free_port()
            server = Server(peer.title, peer.argv("udp", port), port, proto="udp")
            try:
                server.start()
                live.append((peer, server))
            except PeerFailed as e:
                res.fail("udp", peer.key, str(e))
        take_turns("udp", live, res, lambda peer, s: point(peer, s, WARMUP_SECONDS, False))
        take_turns("udp", live, res, lambda peer, s: point(peer, s, cfg.seconds, True))
    finally:
        for _, server in live:
            server.stop()


def startup(peers, cfg, res):
    """Median wall time of many runs, the commands interleaved run by run, timed by
    spawn_timer (posix_spawn + waitpid) on the server core; `true` gives the floor."""
    port = free_port()
    cmds = [("spawn", None, None, ["true"])]
    for peer in peers:
        for row, unit, argv in (("startup.empty", "startup-empty", peer.empty),
                                ("startup.server", "startup-server", peer.argv("startup", port))):
            if not res.failed(unit, peer.key):
                cmds.append((row, unit, peer, argv))
    argv = [cfg.tools["spawn_timer"], str(cfg.startup_runs)]
    for i, cmd in enumerate(cmds):
        argv += ([] if i == 0 else ["::"]) + cmd[3]
    # spawn_timer bounds each run to 5 s and drops a command after its first failure.
    timeout = 30 + cfg.startup_runs * len(cmds) * 0.5
    try:
        out = run_client("spawn_timer", argv, timeout, cpu=SERVER_CPU)
    except PeerFailed as e:
        res.note("start-up round lost: %s" % e)
        return
    samples = [[] for _ in cmds]
    for line in out.splitlines():
        i, ms, status = line.split()
        row, unit, peer, _ = cmds[int(i)]
        if int(status) != 0 and peer is not None:
            res.fail(unit, peer.key, "%s exited with status %s" % (" ".join(cmds[int(i)][3]), status))
        samples[int(i)].append(float(ms))
    for (row, unit, peer, _), ms in zip(cmds, samples):
        if peer is None:
            res.record_extra("spawn_ms", median(ms))
        elif not res.failed(unit, peer.key):
            res.record(row, peer.key, median(ms))


def dns_query_answered(addr, timeout=0.2):
    """True when a DNS server at addr:53 answers an A query for n0.bench.test."""
    q = (b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
         b"\x02n0\x05bench\x04test\x00\x00\x01\x00\x01")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        try:
            s.sendto(q, (addr, 53))
            return s.recv(512)[:2] == b"\x12\x34"
        except OSError:
            return False


@contextlib.contextmanager
def dnsmasq(addr):
    """dnsmasq on addr:53 (on the load generator's core) answering *.bench.test."""
    argv = [shutil.which("dnsmasq") or "/usr/sbin/dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv",
            "--no-hosts", "--bind-interfaces", "--listen-address=" + addr, "--port=53",
            "--pid-file=", "--user=root", "--log-facility=/dev/null",
            "--address=/bench.test/10.53.0.9"]
    p = subprocess.Popen(pinned(CLIENT_CPU, argv), stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        if not wait_until(lambda: p.poll() is not None or dns_query_answered(addr), 10) \
                or p.poll() is not None:
            raise PeerFailed("dnsmasq did not start on %s: %s" % (addr, p.stderr.read()[-200:]))
        yield
    finally:
        p.terminate()
        try:
            p.wait(timeout=3)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def run_measured(argv, timeout):
    """Runs argv on the server core to completion; returns its standard output."""
    p = subprocess.Popen(pinned(SERVER_CPU, argv), stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        raise PeerFailed("%s did not finish within %.0f s" % (argv[0], timeout))
    if p.returncode != 0:
        raise PeerFailed("%s failed (status %d): %s" % (argv[0], p.returncode, err[-200:]))
    return out


def dns(peers, cfg, res):
    """DNS lookups against a local dnsmasq: netmcu's net.dns.resolve next to Node.js's
    Resolver.resolve4 (both c-ares, both one A query per name), the client measured
    (pinned to the server core, dnsmasq on the other)."""
    clients = {"netmcu": [os.path.join(cfg.build, "netmcu"), "bench/netmcu/dns.lua"],
               "node": ["node", "bench/peers/node_dns.js"]}
    if os.geteuid() != 0:
        res.note("DNS workload skipped: dnsmasq on port 53 needs root.")
        return
    argv_tail = [DNS_SERVER, str(DNS_LOOKUPS), str(DNS_WINDOW)]

    def one(peer):
        if peer.key not in clients:
            return
        # The clients time themselves from their first lookup: start-up (Node.js
        # takes some 40 ms of CPU) stays out of the per-lookup figures.
        seconds, cpu, failures = run_measured(clients[peer.key] + argv_tail, 120).split()[:3]
        if int(failures):
            res.note("%s: %s of %d DNS lookups failed in a round" % (peer.title, failures, DNS_LOOKUPS))
        res.record("dns.rate", peer.key, DNS_LOOKUPS / float(seconds))
        res.record("dns.cpu", peer.key, float(cpu) / DNS_LOOKUPS * 1e6)

    with dnsmasq(DNS_SERVER):
        each_peer("dns", peers, res, one)


TLS_NGINX_CONF = """daemon off;
master_process off;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log;
events {{ worker_connections {conns}; }}
http {{
  access_log off;
  client_body_temp_path {d}/body; proxy_temp_path {d}/proxy; fastcgi_temp_path {d}/fcgi;
  uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;
  keepalive_requests 100000;
  server {{
    listen 127.0.0.1:{port} ssl;
    ssl_certificate {d}/server.crt;
    ssl_certificate_key {d}/server.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_tickets off;
    location = /big {{ alias {d}/big.bin; }}
  }}
}}
"""


def make_tls_files(d):
    """A CA and a P-256 server certificate for localhost, and a sparse 1 GiB file."""
    def sh(*argv):
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ec = ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]
    sh("openssl", "genpkey", *ec, "-out", d + "/ca.key")
    sh("openssl", "req", "-x509", "-new", "-key", d + "/ca.key", "-subj", "/CN=bench CA", "-days", "2",
       "-addext", "basicConstraints=critical,CA:TRUE", "-out", d + "/ca.crt")
    sh("openssl", "genpkey", *ec, "-out", d + "/server.key")
    sh("openssl", "req", "-new", "-key", d + "/server.key", "-subj", "/CN=localhost", "-out", d + "/server.csr")
    with open(d + "/ext", "w") as f:
        f.write("subjectAltName=DNS:localhost\n")
    sh("openssl", "x509", "-req", "-in", d + "/server.csr", "-CA", d + "/ca.crt", "-CAkey", d + "/ca.key",
       "-CAcreateserial", "-days", "2", "-extfile", d + "/ext", "-out", d + "/server.crt")
    with open(d + "/big.bin", "wb") as f:
        f.truncate(BULK_BYTES + (1 << 20))  # holes: nginx reads zeros without disk I/O


@contextlib.contextmanager
def tls_server():
    """nginx with TLS on the load generator's core; yields (port, CA file)."""
    import tempfile
    with tempfile.TemporaryDirectory(prefix="nmbench") as d:
        make_tls_files(d)
        port = free_port()
        with open(d + "/nginx.conf", "w") as f:
            f.write(TLS_NGINX_CONF.format(d=d, port=port, conns=TLS_IDLE * 3 + 100))
        argv = [shutil.which("nginx") or "/usr/sbin/nginx", "-p", d, "-c", d + "/nginx.conf"]
        p = subprocess.Popen(pinned(CLIENT_CPU, argv), stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            from proc import is_listening
            if not wait_until(lambda: p.poll() is not None or is_listening(port), 10) or p.poll() is not None:
                raise PeerFailed("nginx did not start: %s" % p.stderr.read()[-200:])
            yield port, d + "/ca.crt"
        finally:
            p.terminate()
            try:
                p.wait(timeout=3)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def tls(peers, cfg, res):
    """TLS clients against a local nginx (TLS 1.3, P-256): handshakes, a 1 GiB download
    and idle connections; netmcu next to Node.js tls and a C libuv+OpenSSL client, each
    client measured on the server core (it times itself from its first connect)."""
    clients = {"c": [cfg.tools["tls_client"]],
               "netmcu": [os.path.join(cfg.build, "netmcu"), "bench/netmcu/tls.lua"],
               "node": ["node", "bench/peers/node_tls.js"]}
    if not shutil.which("nginx") and not os.path.exists("/usr/sbin/nginx"):
        res.note("TLS workloads skipped: nginx is not installed.")
        return

    with tls_server() as (port, ca):
        def handshakes(peer):
            if peer.key not in clients:
                return
            out = run_measured(clients[peer.key] + ["hs", str(port), ca, str(TLS_HANDSHAKES),
                                                    str(TLS_WINDOW)], 120)
            seconds, cpu, failures = out.split()[:3]
            if int(failures):
                raise PeerFailed("%s of %d handshakes failed" % (failures, TLS_HANDSHAKES))
            res.record("tls-hs.rate", peer.key, TLS_HANDSHAKES / float(seconds))
            res.record("tls-hs.cpu", peer.key, float(cpu) / TLS_HANDSHAKES * 1e6)

        def download(peer):
            if peer.key not in clients:
                return
            seconds, cpu = run_measured(clients[peer.key] + ["bulk", str(port), ca, str(BULK_BYTES)],
                                        120).split()[:2]
            res.record("tls-bulk.mbps", peer.key, BULK_BYTES / float(seconds) / 1e6)
            res.record("tls-bulk.cpu", peer.key, float(cpu) * 1e3)

        def idle_conns(peer):
            if peer.key not in clients:
                return
            out = run_measured(clients[peer.key] + ["idle", str(port), ca, str(TLS_IDLE)], 120)
            res.record("tls-idle.bytes", peer.key, float(out.split()[0]))

        each_peer("tls-hs", peers, res, handshakes)
        each_peer("tls-bulk", peers, res, download)
        each_peer("tls-idle", peers, res, idle_conns)


HGET_NGINX_CONF = """daemon off;
master_process off;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {d}/body; proxy_temp_path {d}/proxy; fastcgi_temp_path {d}/fcgi;
  uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;
  server {{
    listen 127.0.0.1:{port};
    location = /small {{ return 200 "hello, world\\n"; }}
  }}
}}
"""


@contextlib.contextmanager
def plain_nginx():
    """nginx without TLS on the load generator's core, answering /small; yields its port."""
    import tempfile
    from proc import is_listening
    with tempfile.TemporaryDirectory(prefix="nmbench") as d:
        port = free_port()
        with open(d + "/nginx.conf", "w") as f:
            f.write(HGET_NGINX_CONF.format(d=d, port=port))
        argv = [shutil.which("nginx") or "/usr/sbin/nginx", "-p", d, "-c", d + "/nginx.conf"]
        p = subprocess.Popen(pinned(CLIENT_CPU, argv), stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            if not wait_until(lambda: p.poll() is not None or is_listening(port), 10) or p.poll() is not None:
                raise PeerFailed("nginx did not start: %s" % p.stderr.read()[-200:])
            yield port
        finally:
            p.terminate()
            try:
                p.wait(timeout=3)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def http_client(peers, cfg, res):
    """http.get of a 13-byte body from a local nginx, a new connection per request
    (the firmware's Connection: close), one at a time and HGET_WINDOW at a time: netmcu
    next to a C client on libuv with the same parser (libhttp-parser) and Node.js
    http.get, each measured on the server core (it times itself from its first request)."""
    clients = {"c": [cfg.tools["c_http_get"]],
               "netmcu": [os.path.join(cfg.build, "netmcu"), "bench/netmcu/http_get.lua"],
               "node": ["node", "bench/peers/node_http_get.js"]}
    if not shutil.which("nginx") and not os.path.exists("/usr/sbin/nginx"):
        res.note("HTTP client workload skipped: nginx is not installed.")
        return

    with plain_nginx() as port:
        def run(mode, window):
            def one(peer):
                if peer.key not in clients:
                    return
                out = run_measured(clients[peer.key] + [str(port), "/small", str(HGET_COUNT), str(window)], 120)
                seconds, cpu, failures = out.split()[:3]
                if int(failures):
                    raise PeerFailed("%s of %d requests failed" % (failures, HGET_COUNT))
                res.record("hget-%s.rate" % mode, peer.key, HGET_COUNT / float(seconds))
                res.record("hget-%s.cpu" % mode, peer.key, float(cpu) / HGET_COUNT * 1e6)
                res.record("hget-%s.cpu-node" % mode, peer.key, float(cpu) / HGET_COUNT * 1e6)
            each_peer("hget-" + mode, peers, res, one)

        run("seq", 1)
        run("conc", HGET_WINDOW)


MQTT_CONF = """listener {port} 127.0.0.1
log_dest none
allow_anonymous true
persistence false
max_queued_messages 1000000
max_connections -1
{user}
"""


@contextlib.contextmanager
def mosquitto_broker():
    """mosquitto on the load generator's core; yields its port. It logs nothing: a log
    on a pipe nobody reads would stall it once a thousand clients came and went."""
    import tempfile
    with tempfile.TemporaryDirectory(prefix="nmbench") as d:
        port = free_port()
        user = "user %s" % os.environ.get("USER", "root") if os.geteuid() == 0 else ""
        with open(d + "/mosquitto.conf", "w") as f:
            f.write(MQTT_CONF.format(port=port, user=user))
        p = subprocess.Popen(pinned(CLIENT_CPU, ["mosquitto", "-c", d + "/mosquitto.conf"]),
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
        try:
            from proc import is_listening
            if not wait_until(lambda: p.poll() is not None or is_listening(port), 10) or p.poll() is not None:
                raise PeerFailed("mosquitto did not start: %s" % p.stderr.read()[-200:])
            yield port
        finally:
            p.terminate()
            try:
                p.wait(timeout=3)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def mqtt_subscribe_run(argv, publisher, timeout):
    """Starts the measured subscriber on the server core, publishes once it is READY,
    and returns its result line."""
    p = subprocess.Popen(pinned(SERVER_CPU, argv), stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        if p.stdout.readline().strip() != "READY":
            raise PeerFailed("%s did not subscribe: %s" % (argv[0], p.stderr.read()[-200:]))
        run_client("mqtt publisher", publisher, timeout)
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        raise PeerFailed("%s did not finish within %.0f s" % (argv[0], timeout))
    if p.returncode != 0:
        raise PeerFailed("%s failed (status %d): %s" % (argv[0], p.returncode, err[-200:]))
    return out


def mqtt(peers, cfg, res):
    """MQTT through a local mosquitto: netmcu's mqtt module next to a C client on the same
    library (libmosquitto in its own loop), each measured on the server core from its
    first publish or first message: QoS 0 and 1 messages published and received, and the
    memory of idle connected clients."""
    tool = cfg.tools["mqtt_client"]
    clients = {"c": [tool], "netmcu": [os.path.join(cfg.build, "netmcu"), "bench/netmcu/mqtt.lua"]}
    if not shutil.which("mosquitto"):
        res.note("MQTT workloads skipped: mosquitto is not installed.")
        return

    with mosquitto_broker() as port:
        def measure(side, qos):
            key, n = "mqtt-%s%d" % (side, qos), MQTT_COUNT[qos]

            def one(peer):
                if peer.key not in clients:
                    return
                argv = clients[peer.key] + [side, str(port), str(qos), str(n)]
                if side == "pub":
                    out = run_measured(argv, 120)
                else:
                    out = mqtt_subscribe_run(argv, [tool, "pub", str(port), str(qos), str(n)], 120)
                seconds, cpu, got = out.split()[:3]
                if int(got) != n:
                    res.note("%s: %s of %d QoS %d messages in a round" % (peer.title, got, n, qos))
                res.record(key + ".rate", peer.key, int(got) / float(seconds))
                res.record(key + ".cpu", peer.key, float(cpu) / max(1, int(got)) * 1e6)
            each_peer(key, peers, res, one)

        for qos in (0, 1):
            measure("pub", qos)
            measure("sub", qos)

        def idle_clients(peer):
            if peer.key not in clients:
                return
            out = run_measured(clients[peer.key] + ["idle", str(port), str(MQTT_IDLE)], 120)
            res.record("mqtt-idle.bytes", peer.key, float(out.split()[0]))
        each_peer("mqtt-idle", peers, res, idle_clients)


def median(xs):
    s = sorted(xs)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def json_codec(peers, cfg, res):
    """sjson.decode/encode of a 10 KB document (netmcu --compat=3.0) against Debian's
    lua-cjson on the plain interpreter of the same Lua (in the luv column: no luv is
    involved) and Node.js's JSON; each process times itself after a warm-up, pinned."""
    from setup import netmcu_lua
    lua = netmcu_lua(os.path.join(cfg.build, "netmcu"), cfg.build)
    n = str(JSON_OPS)
    clients = {"netmcu": [os.path.join(cfg.build, "netmcu"), "--compat=3.0", "bench/netmcu/json.lua", n],
               "luv": [lua, "bench/netmcu/json.lua", n],
               "node": ["node", "bench/peers/node_json.js", n]}

    def one(peer):
        if peer.key not in clients:
            return
        decode_us, encode_us = run_measured(clients[peer.key], 120).split()[:2]
        res.record("json.decode", peer.key, float(decode_us))
        res.record("json.encode", peer.key, float(encode_us))

    each_peer("json", peers, res, one)


WORKLOADS = {"http": http, "churn": churn, "idle": idle, "bulk": bulk, "udp": udp,
             "startup": startup, "dns": dns, "tls": tls, "httpclient": http_client,
             "json": json_codec, "mqtt": mqtt}
