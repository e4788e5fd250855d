"""line_client.py PORT STEP... — a line-mode TCP client for the telnet tests.

Each step is "send=>expect": sends the text (backslash escapes such as \\n) and
reads until what arrived ends with expect (10 s at most); prints "STEP " and the
repr of what each step received, one line per step.
"""
import socket, sys, time
sock = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
buf = b""
def until(end, limit=10.0):
    global buf
    deadline = time.time() + limit
    while not buf.endswith(end) and time.time() < deadline:
        try:
            data = sock.recv(65536)
        except socket.timeout:
            break
        if not data:
            break
        buf += data
    got, buf = buf, b""
    return got
for step in sys.argv[2:]:
    send, expect = step.split("=>", 1)
    if send:
        sock.sendall(send.encode().decode("unicode_escape").encode("latin-1"))
    got = until(expect.encode().decode("unicode_escape").encode("latin-1"))
    print("STEP " + repr(got))
sock.close()
