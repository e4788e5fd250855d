"""hostile.py — misbehaving TCP peers for the fault tests (one process, one role).

  hostile.py listen MODE [ARG]   listens on 127.0.0.1:0, prints "PORT n", serves one peer
  hostile.py connect MODE PORT   connects to 127.0.0.1:PORT

Listener modes: sink (read to EOF), slowsink (read 64 KiB per 20 ms), chatty
(read slowly to EOF while sending 100 bytes between reads), rst N (read N bytes, then
reset), stall S (never read, hold S seconds). Client modes: halfclose (send
"req", shut down the write side, read to EOF), stall S (send "req", never read,
hold S seconds). Each ends with one line "GOT bytes EOF|RESET|TIMEOUT".
Every wait is bounded.
"""
import os, socket, struct, sys, time

def report(n, how):
    print("GOT", n, how, flush=True)

def read_all(s, pace=0.0, chatter=False, limit=None):
    n = 0
    s.settimeout(0.01 if chatter else 20)
    end = time.monotonic() + 30
    while time.monotonic() < end:
        if chatter:
            try:
                s.send(os.urandom(100))
            except OSError:
                pass
        try:
            d = s.recv(65536 if limit is None else min(65536, limit - n))
        except socket.timeout:
            continue
        except ConnectionResetError:
            return n, "RESET"
        if not d:
            return n, "EOF"
        n += len(d)
        if limit is not None and n >= limit:
            return n, "LIMIT"
        if pace:
            time.sleep(pace)
    return n, "TIMEOUT"

def reset(s):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()

def main():
    role, mode = sys.argv[1], sys.argv[2]
    if role == "listen":
        ls = socket.socket()
        ls.bind(("127.0.0.1", 0))
        ls.listen(8)
        ls.settimeout(30)
        print("PORT", ls.getsockname()[1], flush=True)
        c, _ = ls.accept()
        if mode == "sink":
            report(*read_all(c))
        elif mode == "slowsink":
            c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
            report(*read_all(c, pace=0.02))
        elif mode == "chatty":
            c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
            report(*read_all(c, pace=0.01, chatter=True))
        elif mode == "rst":
            n, how = read_all(c, limit=int(sys.argv[3]))
            reset(c)
            report(n, "SENT-RESET")
        elif mode == "stall":
            time.sleep(float(sys.argv[3]))
            report(0, "STALLED")
        c.close()
    else:
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # a stalled reader fills fast
        s.settimeout(10)
        s.connect(("127.0.0.1", int(sys.argv[3])))
        if mode == "halfclose":
            s.sendall(b"req")
            s.shutdown(socket.SHUT_WR)
            report(*read_all(s))
        elif mode == "stall":
            s.sendall(b"req")
            time.sleep(float(sys.argv[4]))
            report(0, "STALLED")
        s.close()

main()
