#!/usr/bin/env python3
"""ntp_peer.py MODE ADDRESS PORT — a misbehaving NTP server for sntp.sh.

Prints "REQ n" for every request it receives and answers according to MODE:
silent (never), short (20 bytes), garbage (48 random bytes), wrongorigin (a
good reply to some other request), otheraddr (a good reply, sent from
127.0.0.99), unsync (leap bits 3, "INIT"), kod (a kiss-of-death: leap bits
3, stratum 0, "DENY"), good (a good reply, stratum 3, a clock 1000 s ahead).
"""
import os
import socket
import struct
import sys
import time

NTP_EPOCH = 2208988800


def timestamp(t):
    return struct.pack("!II", int(t) + NTP_EPOCH, int((t % 1) * 2**32))


def reply(origin, leap=0, stratum=3, refid=b"LOCL", ahead=0.0):
    now = time.time() + ahead
    head = struct.pack("!BBbb", leap << 6 | 4 << 3 | 4, stratum, 6, -20)
    return (head + struct.pack("!II", 0x100, 0x80) + refid + timestamp(now) + origin
            + timestamp(now) + timestamp(now))


def main():
    mode, address, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((address, port))
    other = None
    if mode == "otheraddr":
        other = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        other.bind(("127.0.0.99", 0))
    print("READY", flush=True)
    count = 0
    while True:
        data, peer = s.recvfrom(1500)
        count += 1
        print("REQ", count, flush=True)
        origin = data[40:48]
        if mode == "silent":
            continue
        if mode == "short":
            s.sendto(b"\x24" * 20, peer)
        elif mode == "garbage":
            s.sendto(os.urandom(48), peer)
        elif mode == "wrongorigin":
            s.sendto(reply(b"\x01" * 8), peer)
        elif mode == "otheraddr":
            other.sendto(reply(origin), peer)
        elif mode == "unsync":
            s.sendto(reply(origin, leap=3, stratum=0, refid=b"INIT"), peer)
        elif mode == "kod":
            s.sendto(reply(origin, leap=3, stratum=0, refid=b"DENY"), peer)
        elif mode == "good":
            s.sendto(reply(origin, ahead=1000.0), peer)


if __name__ == "__main__":
    main()
