"""Before a run: the Debian packages the peers need, the C programs, the versions to report.

Packages are installed only when missing, as root through apt-get (the package lists are
refreshed once, and only if an install fails). The Lua interpreter of the luv peer is the
one netmcu was built against, so both Lua peers run the same Lua.
"""
import os
import platform
import re
import shutil
import subprocess
import sys

PROGRAMS = {  # name -> (source, the pkg-config libraries it links)
    "c_server": ("bench/peers/c_server.c", ["libuv"]),
    "idle_client": ("bench/tools/idle_client.c", []),
    "bulk_client": ("bench/tools/bulk_client.c", []),
    "spawn_timer": ("bench/tools/spawn_timer.c", []),
    "tls_client": ("bench/tools/tls_client.c", ["libuv", "openssl"]),
    "mqtt_client": ("bench/tools/mqtt_client.c", ["libmosquitto"]),
    "c_udp_echo": ("bench/peers/c_udp_echo.c", ["libuv"]),
    "udp_client": ("bench/tools/udp_client.c", []),
    "c_http_get": ("bench/peers/c_http_get.c", ["libuv"], ["-lhttp_parser"]),  # no .pc file
}
CFLAGS = ["-O2", "-std=c11", "-Wall", "-Wextra"]


def output(argv, merge=False):
    """Standard output of a short command, or "" when it cannot run."""
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return (r.stdout + (r.stderr if merge else "")).strip() if r.returncode == 0 or merge else ""


def netmcu_lua(netmcu, build_dir):
    """lua5.x or luajit, from `netmcu -v` or, when netmcu does not run, the build directory name."""
    m = re.search(r"\((LuaJIT|Lua) (\d+\.\d+)", output([netmcu, "-v"]))
    if m:
        return "luajit" if m.group(1) == "LuaJIT" else "lua" + m.group(2)
    suffix = os.path.basename(os.path.normpath(build_dir)).partition("-")[2]
    return "luajit" if suffix == "luajit" else "lua" + (suffix or "5.3")


def luv_loads(lua):
    if not shutil.which(lua):
        return False
    return subprocess.run([lua, "-e", "require('luv')"], capture_output=True).returncode == 0


def missing_packages(lua):
    checks = [
        ("wrk", lambda: shutil.which("wrk")),
        ("util-linux", lambda: shutil.which("taskset")),
        ("nodejs", lambda: shutil.which("node")),
        (lua, lambda: shutil.which(lua)),
        ("lua-luv", lambda: luv_loads(lua)),
        ("lua-cjson", lambda: shutil.which(lua) and subprocess.run(
            [lua, "-e", "require('cjson')"], capture_output=True).returncode == 0),
        ("build-essential", lambda: shutil.which("cc")),
        ("pkg-config", lambda: shutil.which("pkg-config")),
        ("libuv1-dev", lambda: output(["pkg-config", "--modversion", "libuv"])),
        ("libssl-dev", lambda: output(["pkg-config", "--modversion", "openssl"])),
        ("libhttp-parser-dev", lambda: os.path.exists("/usr/include/http_parser.h")),
        ("nginx-light", lambda: shutil.which("nginx") or os.path.exists("/usr/sbin/nginx")),
        ("mosquitto", lambda: shutil.which("mosquitto")),
        ("libmosquitto-dev", lambda: output(["pkg-config", "--modversion", "libmosquitto"])),
    ]
    return [pkg for pkg, present in checks if not present()]


def install(pkgs):
    cmd = ["apt-get", "install", "-y", "--no-install-recommends"] + pkgs
    if os.geteuid() != 0:
        sys.exit("bench: missing packages; run as root:\n  apt-get update && " + " ".join(cmd))
    print("bench: installing " + " ".join(pkgs), file=sys.stderr)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": env}
    if subprocess.run(cmd, **quiet).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], **quiet)
        if subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL).returncode != 0:
            sys.exit("bench: could not install " + " ".join(pkgs))


def ensure_packages(lua):
    missing = missing_packages(lua)
    if missing:
        install(missing)
        still = missing_packages(lua)
        if still:
            sys.exit("bench: still missing after install: " + " ".join(still))


def build(build_dir):
    """Compiles the C peer and the clients into BUILD/bench; returns name -> path."""
    out_dir = os.path.join(build_dir, "bench")
    os.makedirs(out_dir, exist_ok=True)
    paths = {}
    for name, (src, libs, *extra) in PROGRAMS.items():
        path = os.path.join(out_dir, name)
        cflags = output(["pkg-config", "--cflags"] + libs).split() if libs else []
        ldlibs = (output(["pkg-config", "--libs"] + libs).split() if libs else []) + sum(extra, [])
        argv = ["cc"] + CFLAGS + cflags + [src, "-o", path] + ldlibs
        if subprocess.run(argv).returncode != 0:
            sys.exit("bench: building %s failed" % name)
        paths[name] = path
    return paths


def first_line(text):
    return text.splitlines()[0] if text else "unknown"


def netmcu_version(netmcu):
    v = output([netmcu, "-v"]) or "does not run"
    commit = output(["git", "rev-parse", "--short", "HEAD"])
    dirty = output(["git", "status", "--porcelain", "--", "src"])
    return "%s, commit %s%s" % (v, commit or "unknown", " + uncommitted changes" if dirty else "")


def versions(netmcu, lua):
    cpu = "unknown CPU"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    debian = open("/etc/debian_version").read().strip() if os.path.exists("/etc/debian_version") else "?"
    luv = output([lua, "-e", "print(require('luv').version_string())"])
    return {
        "machine": "%s, %d CPUs, Linux %s, Debian %s" % (cpu, os.cpu_count(), platform.release(), debian),
        "netmcu": netmcu_version(netmcu),
        "C peer": "%s, libuv %s" % (first_line(output(["cc", "--version"])),
                                    output(["pkg-config", "--modversion", "libuv"])),
        "Node.js": output(["node", "-v"]),
        "luv": "%s, luv %s (Debian lua-luv %s)" % (
            " ".join(first_line(output([lua, "-v"], merge=True)).split()[:2]), luv,
            output(["dpkg-query", "-W", "-f", "${Version}", "lua-luv"])),
        "wrk": " ".join(first_line(output(["wrk", "-v"], merge=True)).split()[:2]),
    }
