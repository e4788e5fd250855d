# tmux.sh — sourced by the console tests: a private tmux server whose pane
# "console" is a real terminal. Defines ok/nok (nok counts into $fails), the
# scratch folder $dir, tm (tmux on the private socket), screen, wait_for and
# type_line, and removes the server and $dir at exit.
NETMCU=${NETMCU:-build/netmcu}
fails=0
ok() { echo "ok - $1"; }
nok() { echo "not ok - $1: $2"; fails=$((fails + 1)); }

# need_tools FILE TOOL...: ends the file with one failure when a tool is missing.
need_tools() {
  local file=$1 tool
  shift
  for tool in "$@"; do
    if ! command -v "$tool" >/dev/null; then
      echo "not ok - $file: $tool is missing (make deps installs it)"
      exit 1
    fi
  done
}

dir=$(mktemp -d)
sock="$dir/tmux"
tm() { tmux -S "$sock" "$@"; }
cleanup() { tm kill-server 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT

screen() { tm capture-pane -p -t console 2>/dev/null; }
# wait_for PATTERN [SECONDS]: true once the pane shows a line matching PATTERN (grep -E).
wait_for() {
  local deadline=$((SECONDS + ${2:-5}))
  while [ $SECONDS -lt $deadline ]; do
    screen | grep -Eq -- "$1" && return 0
    sleep 0.1
  done
  return 1
}
# type_line TEXT: types TEXT into the pane and presses Enter.
type_line() { tm send-keys -t console -l -- "$1"; tm send-keys -t console Enter; }
