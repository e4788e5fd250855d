# tmux.sh — sourced by the console tests: the common helpers (lib/common.sh:
# ok/fail/skip in TAP, $T, bound), a private tmux server whose pane "console"
# is a real terminal, tm (tmux on the private socket), screen, wait_for and
# type_line; the server is removed at exit. $dir is the test's scratch folder.
NETMCU=${NETMCU:-build/netmcu}
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
need tmux
dir=$T
sock="$dir/tmux"
tm() { tmux -S "$sock" "$@"; }
at_exit 'tm kill-server 2>/dev/null'

# console_start WIDTH HEIGHT COMMAND: runs COMMAND in the pane "console": in a
# new session the first time, in the same pane (respawned) afterwards. Killing
# the only session ends the server, and a new-session that reaches it while it
# exits fails ("server exited unexpectedly"), more often the busier the machine.
console_start() {
  if tm has-session -t console 2>/dev/null; then
    tm resize-window -t console -x "$1" -y "$2"
    tm respawn-pane -k -t console "$3"
  else
    tm new-session -d -s console -x "$1" -y "$2" "$3"
  fi
}

screen() { tm capture-pane -p -t console 2>/dev/null; }
# wait_for PATTERN [SECONDS]: true once the pane shows a line matching PATTERN
# (grep -E), waiting at most SECONDS (scaled for slow builds).
wait_for() {
  local deadline=$((SECONDS + $(bound "${2:-5}")))
  while [ $SECONDS -lt $deadline ]; do
    screen | grep -Eq -- "$1" && return 0
    sleep 0.1
  done
  return 1
}
# type_line TEXT: types TEXT into the pane and presses Enter.
type_line() { tm send-keys -t console -l -- "$1"; tm send-keys -t console Enter; }
