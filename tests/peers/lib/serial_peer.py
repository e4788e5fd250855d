"""serial_peer.py — a test peer for `netmcu --serial`: starts netmcu, opens
its pseudo-terminal as a serial port (raw, like a terminal program), writes
bytes and reads what the board answers, every wait bounded."""
import os
import select
import subprocess
import sys
import termios
import time
import tty

SLOW = 3 if "asan" in os.environ.get("NETMCU", "") or os.environ.get("NETMCU_SANITIZED") else 1


class Board:
    def __init__(self, *args, env=None, cwd=None):
        e = dict(os.environ)
        e.update(env or {})
        self.proc = subprocess.Popen([os.environ["NETMCU"], "--serial", *args], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=e, cwd=cwd)
        ready, _, _ = select.select([self.proc.stdout], [], [], 5 * SLOW)
        self.path = self.proc.stdout.readline().decode().strip() if ready else ""
        if not self.path.startswith("/dev/"):
            self.close()
            raise RuntimeError("netmcu printed no device path: %r" % self.path)
        self.fd = None

    def open(self):
        self.fd = os.open(self.path, os.O_RDWR | os.O_NOCTTY)
        tty.setraw(self.fd)
        termios.tcflush(self.fd, termios.TCIOFLUSH)  # what the board said before we came
        self.drain()

    def drain(self, quiet=0.3):
        """Reads and drops output until the board has been quiet for `quiet` seconds."""
        while True:
            ready, _, _ = select.select([self.fd], [], [], quiet * SLOW)
            if not ready:
                return
            os.read(self.fd, 65536)

    def send(self, data):
        os.write(self.fd, data.encode("latin1") if isinstance(data, str) else data)

    def read(self, until=None, seconds=2.0):
        """Reads until `until` (bytes) has arrived, or for `seconds` when until is None."""
        got = b""
        end = time.time() + seconds * SLOW
        while time.time() < end:
            if until is not None and until in got:
                break
            ready, _, _ = select.select([self.fd], [], [], 0.02)
            if ready:
                try:
                    got += os.read(self.fd, 65536)
                except OSError:
                    break
        return got

    def ask(self, line, until=b"> ", seconds=2.0):
        """Sends a line and returns what came back up to the next prompt."""
        self.send(line)
        return self.read(until, seconds)

    def close(self):
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.stderr.read().decode(errors="replace")


class Cases:
    """The cases of one run, reported in TAP ("ok N - name", the plan at the end)."""

    def __init__(self):
        self.failed = 0
        self.count = 0

    def report(self, name, good, detail=""):
        self.count += 1
        if good:
            print("ok %d - %s" % (self.count, name), flush=True)
        else:
            self.failed += 1
            print("not ok %d - %s: %s" % (self.count, name, detail), flush=True)

    def eq(self, name, got, want):
        if got == want:
            self.report(name, True)
            return
        shown = got if not isinstance(got, bytes) or len(got) < 300 else b"..." + got[-200:]
        self.report(name, False, "got %r, want %r" % (shown, want))

    def check(self, name, cond, detail=""):
        self.report(name, cond, detail)

    def done(self):
        print("1..%d" % self.count, flush=True)
        sys.exit(1 if self.failed else 0)
