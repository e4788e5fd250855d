#!/usr/bin/env bash
# Seeded random use of the mqtt module (tests/mqtt/chaos.lua) against a real
# mosquitto, a closed port and a broker that answers garbage, in both eras at
# once: clients connected, closed (twice, from their callbacks), reconnected,
# publishing, dropped and collected. Each run must end by itself, status 0,
# with no sanitizer report. MQTT_CHAOS_SEEDS (default "1 2") picks the seeds.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/mqtt.sh"
CHAOS="$(cd "$(dirname "$0")/../mqtt" && pwd)/chaos.lua"
HOSTILE="$(cd "$(dirname "$0")/lib" && pwd)/mqtt_hostile.py"
broker_start chaos || exit 1
timeout -k 2 "$(bound 80)" python3 "$HOSTILE" garbage >"$T/garbage.port" 2>/dev/null &
track $!
wait_line "$T/garbage.port" '^PORT' 5 || { fail setup "the garbage broker did not start"; finish; }
GARBAGE_PORT=$(port_from "$T/garbage.port" PORT)
CLOSED_PORT=$(free_port)

pids=()
names=()
for seed in ${MQTT_CHAOS_SEEDS:-1 2}; do
  for era in 1.5 3.0; do
    name="chaos-$era-$seed"
    ERA=$era NETMCU_COMPAT=$era MQTT_PORT=$BROKER_PORT MQTT_CLOSED_PORT=$CLOSED_PORT \
      MQTT_GARBAGE_PORT=$GARBAGE_PORT timeout -k 2 "$(bound 40)" "$NETMCU" "$CHAOS" "$seed" 5 \
      >"$T/$name.out" 2>"$T/$name.err" &
    pids+=($!)
    names+=("$name")
    track $!
  done
done
for i in "${!pids[@]}"; do
  st=0
  wait "${pids[$i]}" || st=$?
  name=${names[$i]}
  if [ "$st" = 0 ] && grep -q '^CHAOS [0-9]* [0-9]*$' "$T/$name.out"; then
    ok "$name: $(cut -d' ' -f2 "$T/$name.out") random actions, the run ended by itself"
  else
    fail "$name" "status $st: $(tail -c 300 "$T/$name.out") $(head -c 400 "$T/$name.err")"
  fi
done
sanitizer_clean
finish
