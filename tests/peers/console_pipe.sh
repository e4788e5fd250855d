#!/usr/bin/env bash
# lua-version-dependent: the interpreter's memory, error texts or console shows through
# console_pipe.sh — the runner without a terminal: a piped script still runs
# as a script; -i reads console lines from a pipe or a file until its end.
NETMCU=${NETMCU:-build/netmcu}
. "$(dirname "$0")/lib/common.sh"
check() { # name, got, want
  if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "got '$2', want '$3'"; fi
}
dir=$T

got=$(echo 'print(1) tmr.create():alarm(10, tmr.ALARM_SINGLE, function() print("timer") end)' |
      timeout "$(bound 10)" "$NETMCU"; echo "exit=$?")
check "piped_stdin_without_a_terminal_is_a_script" "$got" "$(printf '1\ntimer\nexit=0')"

got=$(printf '=1+1\nfor i = 1, 2 do\nprint(i) end\nerror("x")\n=nil, "a"\n' |
      timeout "$(bound 10)" "$NETMCU" -i 2>&1 | grep -v '^	'; echo "exit=${PIPESTATUS[1]}")
check "dash_i_reads_console_lines_from_a_pipe" "$got" \
  "$(printf '2\n1\n2\nstdin:1: x\nstack traceback:\nnil\ta\nexit=0')"

printf 'x = 5\n=x * 2' >"$dir/lines.txt"
got=$(timeout "$(bound 10)" "$NETMCU" -i <"$dir/lines.txt"; echo "exit=$?")
check "dash_i_reads_console_lines_from_a_file" "$got" "$(printf '10\nexit=0')"

got=$(timeout "$(bound 10)" "$NETMCU" -i </dev/null; echo "exit=$?")
check "dash_i_with_empty_input_ends_at_once" "$got" "exit=0"

echo 'print("script " .. arg[1])' >"$dir/s.lua"
got=$(echo '=2*21' | timeout "$(bound 10)" "$NETMCU" -i "$dir/s.lua" one; echo "exit=$?")
check "dash_i_runs_the_script_first" "$got" "$(printf 'script one\n42\nexit=0')"

got=$(printf 'node.restart()\nprint("not reached")\n' | timeout "$(bound 10)" "$NETMCU" -i 2>/dev/null; echo "exit=$?")
check "restart_from_the_console_ends_the_run_with_status_3" "$got" "exit=3"

finish
