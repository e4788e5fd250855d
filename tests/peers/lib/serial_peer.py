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
    def __init__(self):
        self.failed = 0

    def eq(self, name, got, want):
        if got == want:
            print("ok - " + name)
        else:
            self.failed += 1
            shown = got if len(got) < 300 else b"..." + got[-200:]
            print("not ok - %s: got %r, want %r" % (name, shown, want))

    def check(self, name, cond, detail=""):
        if cond:
            print("ok - " + name)
        else:
            self.failed += 1
            print("not ok - %s: %s" % (name, detail))

    def done(self):
        sys.exit(1 if self.failed else 0)
