"""Processes of a benchmark run: pinning, servers, load generators, and what /proc says.

The server under test runs on SERVER_CPU, every load generator on CLIENT_CPU, so the two
never compete for a core. Every server started here is registered until it is stopped, and
stop_all() (called at exit, also on Ctrl-C) kills whatever is left: no stray processes.
Every wait is bounded.
"""
import os
import select
import socket
import subprocess
import tempfile
import time

SERVER_CPU, CLIENT_CPU = 0, 1
_pinning = os.cpu_count() is not None and os.cpu_count() >= 2
_live = set()
_TICK = os.sysconf("SC_CLK_TCK")


class PeerFailed(Exception):
    """A server or client of one peer did not do its part; the reason goes into the report."""


def pinning_enabled():
    return _pinning


def pinned(cpu, argv):
    """argv run on one core (taskset execs the command: the pid stays the server's)."""
    return ["taskset", "-c", str(cpu)] + list(argv) if _pinning else list(argv)


def pin_self(cpu):
    """Moves this harness (and the children it starts later) to one core."""
    if _pinning:
        os.sched_setaffinity(0, {cpu})


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def is_listening(port, proto="tcp"):
    """True once something listens on port at 127.0.0.1 or a wildcard address (netmcu's
    seed profile binds all addresses whatever ip listen() names, as the firmware did).
    Reading /proc instead of connecting keeps probe connections out of the measurements
    (a bulk server would start streaming to one). For UDP: a socket bound there."""
    suffix = ":%04X" % port
    addrs = {"0100007F", "00000000", "0" * 32, "0000000000000000FFFF00000100007F"}
    state = "0A" if proto == "tcp" else "07"
    for table in ("/proc/net/%s" % proto, "/proc/net/%s6" % proto):
        with open(table) as f:
            next(f)
            for fields in (line.split() for line in f):
                local = fields[1]
                if local.endswith(suffix) and local[:-5] in addrs and fields[3] == state:
                    return True
    return False


def tail(text, lines=3):
    return " | ".join(text.strip().splitlines()[-lines:])


class Server:
    """One server process pinned to SERVER_CPU; use as a context manager."""

    def __init__(self, name, argv, port, proto="tcp"):
        self.name, self.argv, self.port, self.proto = name, argv, port, proto
        self.proc = None
        self._err = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self, timeout=10.0):
        self._err = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen(pinned(SERVER_CPU, self.argv), stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=self._err)
        _live.add(self)
        deadline = time.monotonic() + timeout
        while not is_listening(self.port, self.proto):
            if self.proc.poll() is not None:
                self.fail("exited with status %d before listening" % self.proc.returncode)
            if time.monotonic() > deadline:
                self.fail("not listening after %.0f s" % timeout)
            time.sleep(0.01)

    def fail(self, what):
        reason = "%s %s" % (self.name, what)
        self.stop()
        err = self.stderr()
        raise PeerFailed(reason + (": " + err if err else ""))

    def stderr(self):
        if self._err is None:
            return ""
        self._err.seek(0)
        return tail(self._err.read())

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def check_alive(self):
        if not self.alive():
            self.fail("died (status %s)" % self.proc.returncode)

    def cpu_seconds(self):
        """user+sys time of the whole process (all threads), from /proc/PID/stat."""
        with open("/proc/%d/stat" % self.proc.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICK

    def rss_kb(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def fd_count(self):
        try:
            return len(os.listdir("/proc/%d/fd" % self.proc.pid))
        except OSError:  # the process is gone; callers check alive()
            return -1

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=3)
        _live.discard(self)


def stop_all():
    for s in list(_live):
        s.stop()


def run_client(name, argv, timeout, cpu=CLIENT_CPU):
    """Runs a load generator (on CLIENT_CPU) to completion; returns its standard output."""
    try:
        r = subprocess.run(pinned(cpu, argv), stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise PeerFailed("%s did not finish within %.0f s" % (name, timeout))
    if r.returncode != 0:
        raise PeerFailed("%s failed (status %d): %s" % (name, r.returncode, tail(r.stderr)))
    return r.stdout


class HeldClient:
    """A load generator that reports a line when ready and runs until its stdin closes."""

    def __init__(self, name, argv):
        self.name = name
        self.proc = subprocess.Popen(pinned(CLIENT_CPU, argv), stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def wait_line(self, timeout):
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        line = self.proc.stdout.readline() if ready else ""
        if not line:
            self.close()
            raise PeerFailed("%s: no report within %.0f s: %s"
                             % (self.name, timeout, tail(self.proc.stderr.read())))
        return line

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def wait_until(predicate, timeout, interval=0.05):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(interval)
    return True
