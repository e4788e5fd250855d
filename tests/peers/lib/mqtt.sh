# tests/peers/lib/mqtt.sh — a real mosquitto broker for the MQTT tests (sourced
# after common.sh, not a test).
#
# broker_start NAME [config lines...] starts mosquitto on 127.0.0.1 with a
# config file of its own in $T (anonymous clients allowed unless a line says
# otherwise) and sets BROKER_PORT and BROKER_PID. mosquitto needs a fixed
# port: one the OS just gave out is taken, and the start is retried on a
# collision. broker_stop stops it; broker_restart starts it again on the same port.

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# The port a broker listens on, bounded.
wait_port() { # PORT SECONDS
  local end=$(( $(now_ms) + $(bound "$2") * 1000 ))
  while [ "$(now_ms)" -lt "$end" ]; do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.05
  done
  return 1
}

broker_run() { # NAME — (re)starts the broker of $T/NAME.conf on BROKER_PORT
  local name=$1
  mosquitto -c "$T/$name.conf" >>"$T/$name.broker.log" 2>&1 &
  BROKER_PID=$!
  track "$BROKER_PID"
  wait_port "$BROKER_PORT" 5
}

broker_start() { # NAME [config lines...]
  local name=$1 try; shift
  need mosquitto mosquitto_pub mosquitto_sub
  for try in 1 2 3; do
    BROKER_PORT=$(free_port)
    BROKER_NAME=$name
    {
      echo "listener $BROKER_PORT 127.0.0.1"
      printf '%s\n' "$@"
      printf '%s\n' "$@" | grep -q '^allow_anonymous' || echo "allow_anonymous true"
      echo "persistence false"
      echo "user $(id -un)" # as root, mosquitto would drop to a user that cannot read $T
    } >"$T/$name.conf"
    broker_run "$name" && return 0
    kill "$BROKER_PID" 2>/dev/null
  done
  echo "# mosquitto did not start:"; sed 's/^/#   /' "$T/$name.broker.log" | tail -n 10
  return 1
}

broker_stop() {
  kill -TERM "$BROKER_PID" 2>/dev/null
  local end=$(( $(now_ms) + 5000 ))
  while kill -0 "$BROKER_PID" 2>/dev/null && [ "$(now_ms)" -lt "$end" ]; do sleep 0.05; done
  kill -KILL "$BROKER_PID" 2>/dev/null
  wait "$BROKER_PID" 2>/dev/null
  return 0
}

broker_restart() { broker_run "$BROKER_NAME"; }

# sub_start NAME ARGS... — mosquitto_sub against the broker, output in $T/NAME.sub
# (-v: "topic payload"); waits until it is subscribed (its connection shows).
sub_start() {
  local name=$1; shift
  timeout -k 2 "$(bound 40)" mosquitto_sub -h 127.0.0.1 -p "$BROKER_PORT" -v "$@" >"$T/$name.sub" 2>&1 &
  SUB_PID=$!
  track "$SUB_PID"
  sleep 0.3
}

pub() { mosquitto_pub -h 127.0.0.1 -p "$BROKER_PORT" "$@"; }

# sanitizer_clean — one case: no netmcu run of this test left a sanitizer report
# (ASan, LeakSanitizer, UBSan) in its output.
sanitizer_clean() {
  local f bad=
  for f in "$T"/*.err "$T"/*.out; do
    [ -e "$f" ] || continue
    grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$f" && bad="$bad $(basename "$f")"
  done
  if [ -z "$bad" ]; then ok "no sanitizer report in any run"; else fail "no sanitizer report" "in$bad"; fi
}
