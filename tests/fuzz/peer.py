"""peer.py — a loopback TCP peer that misbehaves at random, for `make fuzz`.

  peer.py SEED SECONDS    listens on 127.0.0.1:0, prints "PORT n", serves until
                          SECONDS have passed (then exits).

Each accepted connection gets one behaviour from the seeded generator: echo,
sink, trickle (echo a few bytes at a time, slowly), stall (never read),
halfclose after n bytes (shutdown write, keep reading), reset after n bytes
(SO_LINGER 0), close at once. Reproducible given the same order of accepts.
"""
import random, selectors, socket, struct, sys, time

seed, seconds = int(sys.argv[1]), float(sys.argv[2])
rng = random.Random(seed)
sel = selectors.DefaultSelector()
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", 0))
ls.listen(128)
ls.setblocking(False)
sel.register(ls, selectors.EVENT_READ, None)
print("PORT", ls.getsockname()[1], flush=True)
MODES = ["echo", "sink", "trickle", "stall", "halfclose", "reset", "close"]
conns = {}

def drop(c):
    try:
        sel.unregister(c)
    except Exception:
        pass
    conns.pop(c, None)
    c.close()

def reset(c):
    try:
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    drop(c)

end = time.monotonic() + seconds
while time.monotonic() < end:
    for key, _ in sel.select(timeout=0.05):
        if key.data is None:
            try:
                c, _ = ls.accept()
            except OSError:
                continue
            mode = rng.choice(MODES)
            if mode == "close":
                c.close()
                continue
            c.setblocking(False)
            st = {"mode": mode, "left": rng.randint(0, 20000), "shut": False}
            conns[c] = st
            if mode != "stall":
                sel.register(c, selectors.EVENT_READ, st)
            continue
        c, st = key.fileobj, key.data
        try:
            d = c.recv(65536 if st["mode"] != "trickle" else 64)
        except OSError:
            drop(c)
            continue
        if not d:
            drop(c)
            continue
        st["left"] -= len(d)
        if st["mode"] in ("echo", "trickle"):
            try:
                c.send(d)
            except OSError:
                pass
            if st["mode"] == "trickle":
                time.sleep(0.001)
        elif st["mode"] == "halfclose" and st["left"] <= 0 and not st["shut"]:
            st["shut"] = True
            try:
                c.shutdown(socket.SHUT_WR)
            except OSError:
                pass
        elif st["mode"] == "reset" and st["left"] <= 0:
            reset(c)
for c in list(conns):
    drop(c)
