"""readme_examples.py README — runs every whole-script ```lua block of the README as
shown; run by peers/readme_examples.sh.

A block is a whole script unless the line right before its fence says otherwise with
an HTML comment (invisible on GitHub):

    <!-- example: WORD... -->

  fragment     part of a script (uses objects made elsewhere, placeholder values): not run
  serves       a whole script that keeps serving: it must still run, error-free, after 1 s
  plain        run by the plain interpreter with net.so (`require "net"`), not the runner
  stored-ca    a CA is stored on the board first (net.cert.verify(pem) in an earlier run)
  busted       a busted spec using netmcu.test, run in examples/raingauge (its src/ is there)
  luaunit      a luaunit suite using netmcu.test, run by the test's Lua ($LUA_BIN)
  --OPTION     a runner option, e.g. --compat=3.0

Each block runs with a flash folder, a state directory and a working directory of its
own, in a network namespace of its own when one can be made (only loopback), under a
time bound; it passes when it ends with status 0 (or, with `serves`, is
still running). One line per block: "ok - README line N" / "not ok - README line N: ...".
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from serial_peer import Cases  # noqa: E402  (the ok / not ok lines of the python peers)

SLOW = int(os.environ.get("NM_SLOW", "1"))
WORDS = {"fragment", "serves", "plain", "stored-ca", "busted", "luaunit"}
ISOLATE = False
REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
MARK = re.compile(r"^<!--\s*example:\s*(.*?)\s*-->\s*$")


def blocks(path):
    """Yields (line, words, code) for every ```lua block, line being the fence's number."""
    lines = open(path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        if lines[i].strip() == "```lua":
            start = i + 1
            mark = MARK.match(lines[i - 1].strip()) if i > 0 else None
            words = mark.group(1).split() if mark else []
            j = i + 1
            while j < len(lines) and lines[j].strip() != "```":
                j += 1
            yield start, words, "\n".join(lines[i + 1:j]) + "\n"
            i = j
        i += 1


def make_ca(tmp):
    """A self-signed CA made with openssl, as PEM text."""
    pem = os.path.join(tmp, "ca.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-nodes", "-keyout", os.path.join(tmp, "ca.key"), "-out", pem, "-days", "2",
                    "-subj", "/CN=readme example CA"], check=True, capture_output=True)
    return open(pem).read()


def isolated(argv):
    """The command in a network namespace of its own when one can be made (root): the
    README's ports (80, 1900, 5000) are free there, and nothing reaches other tests."""
    if ISOLATE:
        return ["unshare", "--net", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", *argv]
    return argv


def can_isolate():
    try:
        return subprocess.run(["unshare", "--net", "ip", "link", "set", "lo", "up"],
                              capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def run_block(line, words, code, tmp):
    home, work = os.path.join(tmp, "home"), os.path.join(tmp, "work")
    os.makedirs(home)
    os.makedirs(work)
    script = os.path.join(work, "example.lua")
    with open(script, "w") as f:
        f.write(code)
    env = dict(os.environ, NETMCU_HOME=home, NETMCU_FLASH=work)
    env.pop("NETMCU_COMPAT", None)
    options = [w for w in words if w.startswith("--")]
    if "stored-ca" in words:
        pem = make_ca(tmp)
        r = subprocess.run([os.environ["NETMCU"], *options, "-e", "net.cert.verify(io.read('*a'))"],
                           input=pem.encode(), env=env, cwd=work, capture_output=True, timeout=10 * SLOW)
        if r.returncode != 0:
            return "storing the CA failed: %s" % r.stderr.decode(errors="replace")[-300:]
    if "plain" in words:
        env["LUA_CPATH"] = os.path.join(os.environ["NETMCU_SO_DIR"], "?.so") + ";;"
        argv = [os.environ.get("LUA_BIN", "lua5.3"), script]
        if os.environ.get("NETMCU_SANITIZED"):  # as run-tests does, for the interpreter only
            preload = " ".join(subprocess.run(["cc", "-print-file-name=" + lib], capture_output=True,
                                              text=True).stdout.strip() for lib in ("libasan.so", "libubsan.so"))
            argv = ["env", "LD_PRELOAD=" + preload, *argv]
            # The plain interpreter is not instrumented and never runs the loop's shutdown:
            # what LeakSanitizer finds at its exit (the sanitizer runtimes' own allocations
            # among them) is not net.so's to answer for; the runner's runs keep the check.
            env["ASAN_OPTIONS"] = "detect_leaks=0:abort_on_error=0"
    elif "busted" in words:
        work = os.path.join(REPO, "examples", "raingauge")
        argv = ["busted", "--lua=" + os.environ.get("LUA_BIN", "lua5.1"),
                "--lpath=" + os.path.join(REPO, "lua", "?.lua"), script]
    elif "luaunit" in words:
        path = os.path.join(REPO, "lua", "?.lua") + ";;"
        env.update(LUA_PATH=path, LUA_PATH_5_3=path, LUA_PATH_5_4=path)
        argv = [os.environ.get("LUA_BIN", "lua5.1"), script]
    else:
        argv = [os.environ["NETMCU"], *options, script]
    argv = isolated(argv)
    out = open(os.path.join(tmp, "out"), "w+b")
    proc = subprocess.Popen(argv, env=env, cwd=work, stdout=out, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    bound = (1 if "serves" in words else 15) * SLOW
    try:
        status = proc.wait(bound)
    except subprocess.TimeoutExpired:
        status = "running"
    if status == "running":
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    out.seek(0)
    said = out.read().decode(errors="replace").strip().replace("\n", " | ")[-400:]
    if status == 0 or (status == "running" and "serves" in words):
        return None
    if status == "running":
        return "still running after %d s (mark it `serves` if it is a server): %s" % (bound, said)
    return "status %s: %s" % (status, said)


def main():
    global ISOLATE
    ISOLATE = can_isolate()
    if not ISOLATE:
        print("# no network namespace (not root?): the blocks run on the host's network")
    c = Cases()
    fragments = 0
    for line, words, code in blocks(sys.argv[1]):
        unknown = [w for w in words if w not in WORDS and not w.startswith("--")]
        if unknown:
            c.check("README line %d: known example words" % line, False, "unknown: " + " ".join(unknown))
            continue
        if "fragment" in words:
            fragments += 1
            continue
        tmp = tempfile.mkdtemp(prefix="nm-readme-")
        try:
            why = run_block(line, words, code, tmp)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        first = code.strip().split("\n")[0][:60]
        c.check("README line %d runs as shown (%s)" % (line, first), why is None,
                "%s (a fragment? mark it <!-- example: fragment -->)" % why)
    print("# %d fragments not run" % fragments)
    c.done()


main()
