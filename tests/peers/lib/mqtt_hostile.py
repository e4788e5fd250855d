#!/usr/bin/env python3
"""A misbehaving MQTT broker on 127.0.0.1 for the fault tests.

mqtt_hostile.py MODE prints "PORT <n>" and serves one client per MODE:
  garbage        answers CONNECT with an HTTP error line
  silent         accepts and never answers
  close          reads CONNECT and closes
  reset-mid      accepts the session, then half a PUBLISH and a reset (RST)
  mute           accepts the session, then reads and never answers (no PINGRESP)
  bad-length     accepts the session, then a PUBLISH with a 5-byte remaining length
  huge           accepts the session, then a PUBLISH announcing 256 MB, then a reset
Every connection is bounded by a 60 s timeout.
"""
import socket
import struct
import sys
import time

CONNACK_OK = bytes([0x20, 0x02, 0x00, 0x00])


def serve(conn, mode):
    conn.settimeout(60)
    conn.recv(4096)  # the CONNECT
    if mode == "garbage":
        conn.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n")
        time.sleep(2)
    elif mode == "silent":
        time.sleep(30)
    elif mode == "close":
        pass
    else:
        conn.sendall(CONNACK_OK)
        time.sleep(0.3)
        if mode == "reset-mid":
            conn.sendall(bytes([0x30, 0x40, 0x00, 0x05]) + b"top")
            time.sleep(0.2)
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        elif mode == "mute":
            end = time.time() + 40
            while time.time() < end:
                try:
                    if not conn.recv(4096):
                        break
                except (socket.timeout, OSError):
                    break
        elif mode == "bad-length":
            conn.sendall(bytes([0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]))
            time.sleep(2)
        elif mode == "huge":
            conn.sendall(bytes([0x30, 0xFF, 0xFF, 0xFF, 0x7F, 0x00, 0x01]) + b"t" + b"x" * 1000)
            time.sleep(0.3)
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def main():
    mode = sys.argv[1]
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    srv.settimeout(60)
    print("PORT %d" % srv.getsockname()[1], flush=True)
    while True:
        try:
            conn, _ = srv.accept()
        except socket.timeout:
            return
        serve(conn, mode)


if __name__ == "__main__":
    main()
