# tests/peers/lib/common.sh — helpers for the peer tests (sourced, not a test).
#
# A peer test starts netmcu scripts and real peers (curl, wrk, socat, nc,
# python3, a second netmcu) on 127.0.0.1/::1 with ports the OS picks and
# reports its cases in TAP through ok/fail/skip: "ok N - name", "not ok N -
# name: reason", "ok N - name # SKIP reason", and the plan "1..N" when it
# exits. It exits non-zero when a case failed. Every process it starts is
# recorded with `track` and ended by the EXIT trap; every wait is bounded.
set -u

# The case counter and the failure count live in files, so that a case
# reported from a subshell (a pipeline, $(...)) still counts.
TAP_DIR=$(mktemp -d)
echo 0 >"$TAP_DIR/n"
echo 0 >"$TAP_DIR/failed"
tap_next() { local n; n=$(( $(cat "$TAP_DIR/n") + 1 )); echo "$n" >"$TAP_DIR/n"; echo "$n"; }
tap_plan() { [ -d "$TAP_DIR" ] || return 0; echo "1..$(cat "$TAP_DIR/n")"; rm -rf "$TAP_DIR"; }
ok() { echo "ok $(tap_next) - $1"; }
fail() {
  echo "not ok $(tap_next) - $1: $2"
  echo $(( $(cat "$TAP_DIR/failed") + 1 )) >"$TAP_DIR/failed"
}
skip() { echo "ok $(tap_next) - $1 # SKIP $2"; }
failed_count() { cat "$TAP_DIR/failed"; }
# FAILED is what tests counted into by hand before TAP; finish still honours it,
# so a failure counted that way is never lost.
FAILED=0
finish() { [ "$(failed_count)" -eq 0 ] && [ "$FAILED" -eq 0 ]; exit $?; }
# bail REASON — a setup failure: one failing case, then the end of the file.
bail() { fail setup "$1"; exit 1; }

# tap_relay LABEL — reads a child's TAP (a testlib file, a Python driver) on
# stdin and reports each of its cases as one of ours, named "LABEL name";
# the child's plan is dropped and its other lines become comments.
tap_relay() {
  local label=$1 line re_ok='^ok [0-9]+ - (.*)$' re_nok='^not ok [0-9]+ - (.*)$' re_skip='^(.*) # SKIP (.*)$'
  while IFS= read -r line; do
    if [[ "$line" =~ $re_nok ]]; then
      local what=${BASH_REMATCH[1]}
      if [[ "$what" == *": "* ]]; then fail "$label${what%%: *}" "${what#*: }"; else fail "$label$what" "failed"; fi
    elif [[ "$line" =~ $re_ok ]]; then
      local what=${BASH_REMATCH[1]}
      if [[ "$what" =~ $re_skip ]]; then skip "$label${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"; else ok "$label$what"; fi
    elif [[ "$line" =~ ^1\.\.[0-9]+$ ]]; then
      :
    else
      echo "# $line"
    fi
  done
}

if [ -z "${NETMCU:-}" ] || [ ! -x "$NETMCU" ]; then
  fail setup "NETMCU does not name an executable netmcu (got '${NETMCU:-}')"
  tap_plan
  exit 1
fi

# Slower builds (ASan) get longer bounds; the assertions stay the same.
SLOW=1
case "$NETMCU" in *asan*) SLOW=3 ;; esac
[ -n "${NETMCU_SANITIZED:-}" ] && SLOW=3

T=$(mktemp -d)
PIDS=()
AT_EXIT=()

cleanup() {
  local p alive=0 c
  for c in "${AT_EXIT[@]+"${AT_EXIT[@]}"}"; do eval "$c"; done
  for p in "${PIDS[@]+"${PIDS[@]}"}"; do
    if kill -0 "$p" 2>/dev/null; then kill -TERM "$p" 2>/dev/null; alive=1; fi
  done
  if [ "$alive" = 1 ]; then
    sleep 0.3
    for p in "${PIDS[@]+"${PIDS[@]}"}"; do kill -KILL "$p" 2>/dev/null; done
  fi
  wait 2>/dev/null
  rm -rf "$T"
  tap_plan
}
trap cleanup EXIT

track() { PIDS+=("$1"); }
# at_exit COMMAND — runs COMMAND (eval) first when the test exits.
at_exit() { AT_EXIT+=("$1"); }

need() { # need cmd... — fails the case list early if a peer is missing
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null 2>&1 || bail "peer '$c' is not installed"
  done
}

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# bound SECONDS: the wait bound scaled for slow builds.
bound() { echo $(( $1 * SLOW )); }

# nm_start NAME [VAR=value...] [-- script-args...] — runs "$T/NAME.lua" with
# netmcu in the background (stdout NAME.out, stderr NAME.err), with the given
# environment and script arguments. Sets NM_PID. Bounded by timeout(1) as a
# safety net.
nm_start() {
  local name=$1; shift
  local envs=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do envs+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  env "${envs[@]+"${envs[@]}"}" timeout -k 2 "$(bound 40)" "$NETMCU" "$T/$name.lua" "$@" \
    >"$T/$name.out" 2>"$T/$name.err" &
  NM_PID=$!
  track "$NM_PID"
}

# wait_line FILE REGEX SECONDS — waits until a line of FILE matches (grep -E).
wait_line() {
  local file=$1 re=$2 end=$(( $(now_ms) + $(bound "$3") * 1000 ))
  while [ "$(now_ms)" -lt "$end" ]; do
    grep -qE -- "$re" "$file" 2>/dev/null && return 0
    sleep 0.05
  done
  grep -qE -- "$re" "$file" 2>/dev/null
}

# wait_exit PID SECONDS — waits for a background child; sets EXIT_STATUS
# (the child's status, or "running" when it is still running after the bound).
wait_exit() {
  local pid=$1 end=$(( $(now_ms) + $(bound "$2") * 1000 ))
  while kill -0 "$pid" 2>/dev/null && [ "$(now_ms)" -lt "$end" ]; do sleep 0.05; done
  if kill -0 "$pid" 2>/dev/null; then
    EXIT_STATUS=running
    return 1
  fi
  EXIT_STATUS=0
  wait "$pid" 2>/dev/null || EXIT_STATUS=$?
  return 0
}

# port_from FILE KEY — the number after "KEY " on the first matching line.
port_from() { sed -n "s/^.*$2 \([0-9][0-9]*\).*\$/\1/p" "$1" | head -n 1; }

# nm_server NAME [env...] — starts NAME.lua, which must print "PORT <n>",
# and sets PORT. Returns 1 (and prints diagnostics) when no port appears.
nm_server() {
  local name=$1
  nm_start "$@"
  PORT=
  if wait_line "$T/$name.out" '^PORT [0-9]+' 10; then
    PORT=$(port_from "$T/$name.out" PORT)
    return 0
  fi
  echo "# $name did not print its port; stderr:"; sed 's/^/#   /' "$T/$name.err" | head -n 20
  return 1
}

# socat_listen NAME socat-args... — starts socat with -d -d whose first
# address must be a TCP-LISTEN:0 one; sets SOCAT_PID and SOCAT_PORT.
socat_listen() {
  local name=$1; shift
  timeout -k 2 "$(bound 30)" socat -d -d "$@" 2>"$T/$name.socat.err" &
  SOCAT_PID=$!
  track "$SOCAT_PID"
  SOCAT_PORT=
  if wait_line "$T/$name.socat.err" 'listening on .*:[0-9]+' 5; then
    SOCAT_PORT=$(sed -n 's/.*listening on .*:\([0-9][0-9]*\)$/\1/p' "$T/$name.socat.err" | head -n 1)
    [ -n "$SOCAT_PORT" ] && return 0
  fi
  echo "# socat did not start listening:"; sed 's/^/#   /' "$T/$name.socat.err" | head -n 10
  return 1
}

# describe NAME — the script's output and stderr, as comment lines, for failures.
describe() {
  local f
  for f in "$T/$1.out" "$T/$1.err"; do
    [ -s "$f" ] || continue
    echo "# ${f##*/}:"; tail -n 15 "$f" | sed 's/^/#   /'
  done
}

# The script prelude: line-buffered output so the test sees prints at once.
PRELUDE='io.stdout:setvbuf("line")'

# pattern_file FILE CHUNKS — the bulk test data: CHUNKS KiB, chunk i is
# ("%07d\n" % i) repeated 128 times (same formula as the Lua generator below).
pattern_file() {
  python3 - "$1" "$2" <<'EOF'
import sys
with open(sys.argv[1], "wb") as f:
    for i in range(int(sys.argv[2])):
        f.write((b"%07d\n" % i) * 128)
EOF
}
LUA_CHUNK='local function chunk(i) return string.rep(string.format("%07d\n", i), 128) end'
