#!/usr/bin/env bash
# Start-up does only what the script needs (issue 21): an empty script, or one
# that opens and closes a server, opens no c-ares channel, builds no OpenSSL
# context and loads neither the system's CA store nor the certificate slots;
# each is set up on its first use. Counted by the runner itself
# (NETMCU_SETUPS, core/setups.h) and, where strace runs, by the files opened:
# finding the board's state directory must not initialise OpenSSL (it used to
# read openssl.cnf at every start, for the directory name's SHA-256).
. "$(dirname "$0")/lib/common.sh"
unset NETMCU_HOME
export XDG_DATA_HOME="$T/data" NETMCU_SETUPS=1
mkdir -p "$T/board"
cd "$T/board" || exit 1

# setups NAME CODE — runs the code; sets ST and line (the set-up counts of stderr).
setups() {
  timeout -k 2 "$(bound 20)" "$NETMCU" -e "$2" >"$T/$1.out" 2>"$T/$1.err"
  ST=$?
  line=$(grep '^netmcu: set-ups:' "$T/$1.err")
}

NONE='dns-channel=0 tls-context=0 system-cas=0 cert-slot=0'

setups empty ''
case "$ST:$line" in
  "0:netmcu: set-ups: $NONE wifi-store=1") ok "an empty script sets up no DNS, TLS or certificate store" ;;
  *) fail "an empty script sets up no DNS, TLS or certificate store" "status $ST: $line $(cat "$T/empty.err")" ;;
esac

setups server 'local s = net.createServer(net.TCP, 30) s:listen(0, "127.0.0.1", function() end) s:close() print("CLOSED")'
if [ "$ST" = 0 ] && grep -qx CLOSED "$T/server.out" && [ "$line" = "netmcu: set-ups: $NONE wifi-store=1" ]; then
  ok "a server opened and closed sets up no DNS, TLS or certificate store"
else
  fail "a server opened and closed sets up no DNS, TLS or certificate store" "status $ST: $line $(cat "$T/server.err")"
fi

setups resolve 'net.dns.resolve("localhost", function(_, ip) print("IP", ip) end)'
if [ "$ST" = 0 ] && grep -q '^IP.127.0.0.1' "$T/resolve.out" &&
   [ "$line" = "netmcu: set-ups: dns-channel=1 tls-context=0 system-cas=0 cert-slot=0 wifi-store=1" ]; then
  ok "the first lookup opens the one DNS channel, and nothing else"
else
  fail "the first lookup opens the one DNS channel, and nothing else" "status $ST: $line $(cat "$T/resolve.out" "$T/resolve.err")"
fi

# A TLS client towards a plain TCP server of the same script: the context is
# built when the handshake starts (the handshake then fails; that is expected).
setups tls '
local srv = net.createServer(net.TCP, 5)
srv:listen(0, "127.0.0.1", function(c) c:on("receive", function() c:close() end) end)
local port = srv:getaddr()
local c = net.createConnection(net.TCP, 1)
c:on("disconnection", function() print("ENDED") srv:close() end)
c:on("reconnection", function() print("ENDED") srv:close() end)
c:connect(port, "127.0.0.1")'
if [ "$ST" = 0 ] && grep -q '^ENDED' "$T/tls.out" && case "$line" in
     "netmcu: set-ups: dns-channel=0 tls-context=1 system-cas=0 cert-slot="[01]" wifi-store=1") true ;;
     *) false ;; esac; then
  ok "the first TLS connection builds one context, and no DNS channel"
else
  fail "the first TLS connection builds one context, and no DNS channel" "status $ST: $line $(cat "$T/tls.out" "$T/tls.err")"
fi

NETMCU_SETUPS='' timeout -k 2 "$(bound 20)" "$NETMCU" -e '' 2>"$T/quiet.err"
if [ $? = 0 ] && ! grep -q 'set-ups' "$T/quiet.err"; then
  ok "without NETMCU_SETUPS nothing is printed"
else
  fail "without NETMCU_SETUPS nothing is printed" "$(cat "$T/quiet.err")"
fi

# The state directory keeps its name: the SHA-256 of the flash folder's path.
timeout -k 2 "$(bound 20)" "$NETMCU" -e 'wifi.setmode(wifi.STATION) wifi.sta.config("lab", "password")' >/dev/null 2>&1
want="board-$(printf '%s' "$(pwd -P)" | sha256sum | cut -c1-16)"
if [ -f "$XDG_DATA_HOME/netmcu/boards/$want/wifi.conf" ]; then
  ok "the board's directory is named by the SHA-256 of its flash folder"
else
  fail "the board's directory is named by the SHA-256 of its flash folder" "want $want, have: $(ls "$XDG_DATA_HOME/netmcu/boards" 2>&1)"
fi

if ! command -v strace >/dev/null || ! strace -o /dev/null true 2>/dev/null; then
  skip "start-up reads no OpenSSL configuration" "strace is missing or cannot trace here"
else
  NETMCU_SETUPS='' timeout -k 2 "$(bound 30)" strace -f -e trace=open,openat -o "$T/trace" "$NETMCU" -e '' >/dev/null 2>&1
  if [ -s "$T/trace" ] && ! grep -E 'openssl\.cnf|/ssl/certs|/ssl/cert\.pem|resolv\.conf' "$T/trace" >/dev/null; then
    ok "start-up reads no OpenSSL configuration, CA store or resolv.conf"
  else
    fail "start-up reads no OpenSSL configuration, CA store or resolv.conf" "$(grep -E 'ssl|resolv' "$T/trace" | head -5)"
  fi
fi
finish
