# tests/peers/lib/http_origin.sh — starts lib/http_origin.py (sourced, not a test).

# origin NAME [--tls CERT KEY] — the origin on 127.0.0.1, its request log in
# $T/NAME.log; sets ORIGIN_PORT. Returns 1 when it did not start.
origin() {
  local name=$1 lib i
  shift
  lib=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  timeout -k 2 "$(bound 120)" python3 "$lib/http_origin.py" "$T/$name.port" "$T/$name.log" "$@" \
    2>"$T/$name.origin.err" &
  track $!
  ORIGIN_PORT=
  for i in $(seq 100); do
    [ -s "$T/$name.port" ] && { ORIGIN_PORT=$(cat "$T/$name.port"); return 0; }
    sleep 0.05
  done
  echo "# origin $name did not start:"; sed 's/^/#   /' "$T/$name.origin.err" | head
  return 1
}
