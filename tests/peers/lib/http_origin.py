"""http_origin.py — a raw HTTP/1.1 origin for the http client tests (not a test).

Usage: http_origin.py PORTFILE LOGFILE [--tls CERT KEY]
Listens on 127.0.0.1 on a port the OS picks and writes it to PORTFILE. Every
request is read whole (head, then Content-Length bytes) and its path logged
to LOGFILE, one line each; the answer depends on the path. The answers are
written byte by byte as the cases need them, including broken ones, which is
why this is a socket server and not http.server.
"""
import socket
import ssl
import sys
import threading
import time
import urllib.parse

PORTFILE, LOGFILE = sys.argv[1], sys.argv[2]
log_lock = threading.Lock()


def log(line):
    with log_lock:
        with open(LOGFILE, "a") as f:
            f.write(line + "\n")


def read_request(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None, None
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(rest) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        rest += chunk
    return head + b"\r\n\r\n", rest


def answer(status, body, extra=b"", reason=b"OK"):
    return (b"HTTP/1.1 %d %s\r\nContent-Length: %d\r\n%sConnection: close\r\n\r\n"
            % (status, reason, len(body), extra) + body)


def big(n):
    pattern = b"".join(b"%07d\n" % i for i in range(1024))
    return (pattern * (n // len(pattern) + 1))[:n]


def handle(conn, port):
    head, body = read_request(conn)
    if head is None:
        return
    first = head.split(b"\r\n")[0].decode("latin-1")
    method, target = first.split(" ")[0], first.split(" ")[1]
    url = urllib.parse.urlsplit(target)
    path, query = url.path, dict(urllib.parse.parse_qsl(url.query))
    log("%s %s" % (method, target))
    if path == "/echo":  # the exact request, head and body
        conn.sendall(answer(200, head + body, b"Content-Type: application/octet-stream\r\n"))
    elif path == "/status":
        conn.sendall(answer(int(query["code"]), b"status " + query["code"].encode()))
    elif path == "/headers":
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Mixed-Case: one\r\n"
                     b"Set-Cookie: a=1\r\nSet-Cookie: b=2\r\nX-Spaces:    padded\r\n"
                     b"Connection: close\r\n\r\nhi")
    elif path == "/chunked":
        conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
        for piece in (b"hello ", b"chunked ", b"world"):
            conn.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
            time.sleep(0.02)
        conn.sendall(b"0\r\n\r\n")
    elif path == "/chunked-lower":
        conn.sendall(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
                     b"3;ext=1\r\nabc\r\n4\r\ndefg\r\n0\r\nX-Trailer: t\r\n\r\n")
    elif path == "/trickle":  # one byte per segment: every field split across reads
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for b in (b"HTTP/1.1 201 Created\r\nX-Long-Name: a value\r\nTransfer-Encoding: chunked\r\n\r\n"
                  b"5\r\nslow \r\n6\r\nbytes!\r\n0\r\n\r\n"):
            conn.sendall(bytes([b]))
            time.sleep(0.002)
    elif path == "/big":
        conn.sendall(answer(200, big(int(query["n"]))))
    elif path == "/untilclose":  # no length: the body ends with the connection
        conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n" + big(int(query["n"])))
    elif path == "/nul":
        conn.sendall(answer(200, b"a\0b\0c"))
    elif path == "/redirect":  # /redirect?n=N: N more hops, then 200
        n = int(query["n"])
        code = int(query.get("code", "302"))
        if n == 0:
            conn.sendall(answer(200, b"arrived " + method.encode() + b" " + body))
        else:
            conn.sendall(answer(code, b"", b"Location: /redirect?n=%d&code=%d\r\n" % (n - 1, code),
                                b"Moved"))
    elif path == "/loop":
        conn.sendall(answer(302, b"", b"Location: /loop\r\n", b"Found"))
    elif path.startswith("/dir/"):  # /dir/a/page -> "next" -> /dir/a/next
        if path.endswith("/next"):
            conn.sendall(answer(200, b"relative " + path.encode()))
        else:
            conn.sendall(answer(301, b"", b"Location: next\r\n", b"Moved"))
    elif path == "/absolute":
        conn.sendall(answer(307, b"", b"Location: http://127.0.0.1:%d/echo\r\n" % port, b"Moved"))
    elif path == "/to":  # /to?url=URL: a redirect to any URL
        conn.sendall(answer(302, b"", b"Location: %s\r\n" % query["url"].encode(), b"Found"))
    elif path == "/upper-location":
        conn.sendall(answer(302, b"", b"LOCATION: /echo\r\n", b"Found"))
    elif path == "/nolocation":
        conn.sendall(answer(301, b"moved, but where", b"", b"Moved"))
    elif path == "/slow":
        time.sleep(int(query["ms"]) / 1000)
        conn.sendall(answer(200, b"slow"))
    elif path == "/never":  # reads the request, answers nothing
        time.sleep(120)
    elif path == "/stall":  # the head and part of the body, then nothing
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial")
        time.sleep(120)
    elif path == "/reset":  # part of the body, then a reset
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + big(5000))
        time.sleep(0.05)
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    elif path == "/truncated":  # shorter than Content-Length, then FIN
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this")
    elif path == "/badstatus":
        conn.sendall(b"HTTX/1.1 200 OK\r\nContent-Length: 2\r\n\r\nno")
    elif path == "/http2":
        conn.sendall(b"HTTP/2.0 200 OK\r\nContent-Length: 2\r\n\r\nno")
    elif path == "/garbage":
        conn.sendall(b"\x00\xff\x13garbage that is not HTTP\r\n\r\n")
    elif path == "/empty":  # closes without a byte
        pass
    elif path == "/continue":
        conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n" + answer(200, b"after continue"))
    else:
        conn.sendall(answer(404, b"not found"))


def serve(conn, port, ctx):
    try:
        if ctx is not None:
            conn = ctx.wrap_socket(conn, server_side=True)
        handle(conn, port)
    except (OSError, ssl.SSLError, ValueError, KeyError):
        pass
    finally:
        try:
            conn.close()
        except OSError:
            pass


def main():
    ctx = None
    if len(sys.argv) >= 6 and sys.argv[3] == "--tls":
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(sys.argv[4], sys.argv[5])
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(128)
    port = s.getsockname()[1]
    with open(PORTFILE + ".tmp", "w") as f:
        f.write("%d\n" % port)
    import os
    os.rename(PORTFILE + ".tmp", PORTFILE)
    while True:
        conn, _ = s.accept()
        threading.Thread(target=serve, args=(conn, port, ctx), daemon=True).start()


main()
