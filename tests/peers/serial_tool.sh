#!/usr/bin/env bash
# serial_tool.sh — NodeMCU-Tool (npm, installed by tools/nodemcu-tool.sh)
# against `netmcu --boot --serial`, unchanged, in both profiles: fsinfo,
# upload (text and binary; base64, and hex on a board without encoder),
# download, run, remove, mkfs, terminal, reset. Each is checked by its effect
# on the flash folder and by what the tool prints.
set -u
. "$(dirname "$0")/lib/common.sh"
need node npm python3 tmux
root=$(cd "$(dirname "$0")/../.." && pwd)
if ! NMT=$(sh "$root/tools/nodemcu-tool.sh" 2>"$T/install.err"); then
  # npm's own reason (e.g. "code ECONNREFUSED", "request to ... failed"), not its log's path
  why=$(grep -m 3 -E 'code |errno |request to |npm is missing' "$T/install.err" | tr '\n' '|')
  bail "NodeMCU-Tool could not be installed: ${why:-$(tail -n 3 "$T/install.err" | tr '\n' '|')}"
fi
export NODE_NO_WARNINGS=1

# nmt PORT ARGS... — runs the tool, colours stripped, into $T/nmt.out; its status is returned.
nmt() {
  local port=$1; shift
  (cd "$T/work" && timeout -k 2 "$(bound 40)" "$NMT" --port "$port" "$@") >"$T/nmt.raw" 2>&1
  local s=$?
  sed 's/\x1b\[[0-9;]*m//g' "$T/nmt.raw" >"$T/nmt.out"
  return $s
}
has() { grep -qF -- "$1" "$T/nmt.out"; }
why() { tr '\n' '|' <"$T/nmt.out" | tail -c 400; }

# board NAME PROFILE INIT: starts a board on its own flash holding init.lua
# with the text INIT; sets DEV and BOARD_PID.
board() {
  local name=$1 profile=$2
  mkdir -p "$T/$name.flash"
  printf '%s\n' "$3" >"$T/$name.flash/init.lua"
  NETMCU_COMPAT=$profile timeout -k 2 "$(bound 120)" "$NETMCU" --boot --flash "$T/$name.flash" \
    --serial "$T/$name.tty" >"$T/$name.out" 2>"$T/$name.err" &
  BOARD_PID=$!
  track "$BOARD_PID"
  DEV="$T/$name.tty"
  wait_line "$T/$name.out" '^/dev/' 5 && [ -L "$DEV" ]
}

mkdir -p "$T/work"
python3 -c 'import os,sys; sys.stdout.buffer.write(bytes(range(256)) * 8 + os.urandom(3000))' >"$T/work/blob.bin"
printf 'print("hello from " .. "the flash")\n' >"$T/work/hello.lua"
printf 'marker = "set"\n' >"$T/work/mark.lua"
printf 'print("marker=" .. tostring(marker))\n' >"$T/work/check.lua"

for P in 1.5 3.0; do
  F="$T/b$P.flash"
  if ! board "b$P" "$P" 'print("init")'; then fail "${P}_board_starts" "no device: $(cat "$T/b$P.err")"; continue; fi

  nmt "$DEV" fsinfo
  if has "Connected" && has "| Version: ${P:0:1}." && has "1 Files" && has "- init.lua (" ; then
    ok "${P}_fsinfo_lists_the_flash"; else fail "${P}_fsinfo_lists_the_flash" "$(why)"; fi

  nmt "$DEV" upload hello.lua blob.bin mark.lua check.lua
  if [ $? = 0 ] && has "Transfer-Mode: base64" && cmp -s "$T/work/hello.lua" "$F/hello.lua" &&
     cmp -s "$T/work/blob.bin" "$F/blob.bin"; then
    ok "${P}_upload_text_and_binary_base64"
  else fail "${P}_upload_text_and_binary_base64" "$(why)"; fi

  nmt "$DEV" fsinfo
  size=$(stat -c %s "$T/work/blob.bin")
  if has "5 Files" && has "- blob.bin ($size Bytes)" && has "- hello.lua ($(stat -c %s "$T/work/hello.lua") Bytes)"; then
    ok "${P}_fsinfo_after_upload"; else fail "${P}_fsinfo_after_upload" "$(why)"; fi

  nmt "$DEV" run hello.lua
  if [ $? = 0 ] && has "hello from the flash"; then ok "${P}_run_prints_the_output"
  else fail "${P}_run_prints_the_output" "$(why)"; fi

  mkdir -p "$T/work/dl" && rm -f "$T/work/dl/blob.bin"
  (cd "$T/work/dl" && timeout -k 2 "$(bound 40)" "$NMT" --port "$DEV" download blob.bin) >"$T/nmt.raw" 2>&1
  sed 's/\x1b\[[0-9;]*m//g' "$T/nmt.raw" >"$T/nmt.out"
  if has "Transfer-Encoding: base64" && cmp -s "$T/work/blob.bin" "$T/work/dl/blob.bin"; then
    ok "${P}_download_base64_byte_for_byte"
  else fail "${P}_download_base64_byte_for_byte" "$(why)"; fi
  # The tool's download ends by typing `undefined` (download.js names a helper
  # that does not exist): a board then waits for the rest of a chunk, and so
  # does netmcu. A line that ends it in an error brings the prompt back.
  printf ';\r' >"$DEV"

  nmt "$DEV" run mark.lua && nmt "$DEV" reset --softreset
  if has "Soft-Reset executed" && wait_line "$T/b$P.err" 'rebooting' 5; then
    nmt "$DEV" run check.lua
    if has "marker=nil"; then ok "${P}_softreset_reboots_the_board"
    else fail "${P}_softreset_reboots_the_board" "state survived: $(why)"; fi
  else fail "${P}_softreset_reboots_the_board" "$(why)"; fi

  nmt "$DEV" reset
  if has "Inappropriate ioctl for device"; then
    skip "${P}_hardreset" "a pseudo-terminal has no DTR/RTS lines (Linux answers ENOTTY); use reset --softreset"
  else fail "${P}_hardreset" "unexpected: $(why)"; fi

  nmt "$DEV" remove hello.lua
  if [ ! -e "$F/hello.lua" ] && [ -e "$F/blob.bin" ]; then ok "${P}_remove_deletes_the_file"
  else fail "${P}_remove_deletes_the_file" "$(ls "$F" | tr '\n' ' ') $(why)"; fi

  # terminal: a person types at the console through the tool
  # A server per profile: a new-session can reach the last one while it exits.
  tm() { tmux -S "$T/tmux-$P" "$@"; }
  tm new-session -d -s nmt -x 120 -y 30 "cd $T/work && NODE_NO_WARNINGS=1 $NMT --port $DEV terminal; echo tool-exit=\$?; sleep 30"
  seen=
  for _ in $(seq 1 $((50 * SLOW))); do
    tm capture-pane -p -t nmt 2>/dev/null | grep -q "Starting Terminal Mode" && break; sleep 0.1
  done
  sleep 0.3
  tm send-keys -t nmt -l '=6*7'; tm send-keys -t nmt Enter
  for _ in $(seq 1 $((50 * SLOW))); do
    tm capture-pane -p -t nmt | grep -qx '42' && { seen=1; break; }; sleep 0.1
  done
  tm send-keys -t nmt C-c
  for _ in $(seq 1 $((50 * SLOW))); do tm capture-pane -p -t nmt | grep -q 'tool-exit=0' && break; sleep 0.1; done
  screen=$(tm capture-pane -p -t nmt | tr '\n' '|')
  tm kill-server 2>/dev/null
  if [ -n "$seen" ] && [[ "$screen" == *"=6*7|42|> "* ]] && [[ "$screen" == *"tool-exit=0"* ]]; then
    ok "${P}_terminal_is_the_console"
  else fail "${P}_terminal_is_the_console" "$screen"; fi

  nmt "$DEV" mkfs --noninteractive
  if has "format done" && [ -z "$(ls -A "$F")" ]; then ok "${P}_mkfs_empties_the_flash"
  else fail "${P}_mkfs_empties_the_flash" "$(ls "$F" | tr '\n' ' ') $(why)"; fi
  kill -TERM "$BOARD_PID" 2>/dev/null
  wait_exit "$BOARD_PID" 5
  if [ -L "$DEV" ]; then fail "${P}_link_removed_at_exit" "$DEV is left behind ($EXIT_STATUS)"; else ok "${P}_link_removed_at_exit"; fi

  # hex transfer: a board without the encoder module
  if ! board "h$P" "$P" 'encoder = nil'; then fail "${P}_hex_board_starts" "$(cat "$T/h$P.err")"; continue; fi
  nmt "$DEV" upload blob.bin
  if has "Transfer-Mode: hex" && cmp -s "$T/work/blob.bin" "$T/h$P.flash/blob.bin"; then
    ok "${P}_upload_binary_hex"
  else fail "${P}_upload_binary_hex" "$(why)"; fi
  (cd "$T/work/dl" && rm -f blob.bin && timeout -k 2 "$(bound 40)" "$NMT" --port "$DEV" download blob.bin) \
    >"$T/nmt.raw" 2>&1
  sed 's/\x1b\[[0-9;]*m//g' "$T/nmt.raw" >"$T/nmt.out"
  if has "Transfer-Encoding: hex" && cmp -s "$T/work/blob.bin" "$T/work/dl/blob.bin"; then
    ok "${P}_download_hex_byte_for_byte"
  else fail "${P}_download_hex_byte_for_byte" "$(why)"; fi
  kill -TERM "$BOARD_PID" 2>/dev/null
  wait_exit "$BOARD_PID" 5
done

finish
