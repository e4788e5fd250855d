# tests/peers/lib/pki.sh — certificates for the TLS tests (sourced, not a test).
#
# make_pki DIR creates, with openssl, a test CA and the certificates the TLS
# cases need, all for the names "localhost", 127.0.0.1 and ::1 unless said:
#   ca.crt/.key        the CA the tests trust
#   good.crt/.key      signed by ca
#   unknown.crt/.key   signed by another CA (other-ca.crt)
#   wrong.crt/.key     signed by ca, for wrong.example only
#   ipless.crt/.key    signed by ca, for localhost only (no IP address)
#   expired.crt/.key   signed by ca, valid only in January 2020
#   self.crt/.key      self-signed
#   client.crt/.key    a client certificate signed by ca, its key as
#                      "RSA PRIVATE KEY" (PKCS#1), as tls.cert.auth wants
# Server keys are EC P-256 (fast to make); the client key is RSA.

pki_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# pki_sign DIR NAME CA SAN [openssl-ca date args...]
pki_sign() {
  local d=$1 name=$2 ca=$3 san=$4; shift 4
  pki_key "$d/$name.key"
  openssl req -new -key "$d/$name.key" -subj "/CN=$name" -out "$d/$name.csr" 2>/dev/null
  printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth,clientAuth\n' "$san" \
    >"$d/$name.ext"
  if [ $# -gt 0 ]; then
    openssl ca -batch -notext -config "$d/ca.cnf" -cert "$d/$ca.crt" -keyfile "$d/$ca.key" \
      -in "$d/$name.csr" -out "$d/$name.crt" -extfile "$d/$name.ext" "$@" 2>/dev/null
  else
    openssl x509 -req -in "$d/$name.csr" -CA "$d/$ca.crt" -CAkey "$d/$ca.key" -CAcreateserial \
      -days 30 -sha256 -extfile "$d/$name.ext" -out "$d/$name.crt" 2>/dev/null
  fi
}

pki_ca() { # DIR NAME
  pki_key "$1/$2.key"
  openssl req -x509 -new -key "$1/$2.key" -subj "/CN=netmcu test $2" -days 30 -sha256 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$1/$2.crt" 2>/dev/null
}

make_pki() {
  local d=$1 names="DNS:localhost,IP:127.0.0.1,IP:::1"
  mkdir -p "$d/db"
  : >"$d/db/index.txt"
  echo 01 >"$d/db/serial"
  cat >"$d/ca.cnf" <<CNF
[ ca ]
default_ca = test
[ test ]
database = $d/db/index.txt
new_certs_dir = $d/db
serial = $d/db/serial
default_md = sha256
policy = any
[ any ]
commonName = supplied
CNF
  pki_ca "$d" ca && pki_ca "$d" other-ca &&
  pki_sign "$d" good ca "$names" &&
  pki_sign "$d" unknown other-ca "$names" &&
  pki_sign "$d" wrong ca "DNS:wrong.example" &&
  pki_sign "$d" ipless ca "DNS:localhost" &&
  pki_sign "$d" expired ca "$names" -startdate 20200101000000Z -enddate 20200131000000Z &&
  pki_key "$d/self.key" &&
  openssl req -x509 -new -key "$d/self.key" -subj "/CN=localhost" -days 30 -addext "subjectAltName=$names" \
    -out "$d/self.crt" 2>/dev/null &&
  openssl genrsa -traditional -out "$d/client.key" 2048 2>/dev/null &&
  openssl req -new -key "$d/client.key" -subj "/CN=netmcu client" -out "$d/client.csr" 2>/dev/null &&
  printf 'extendedKeyUsage=clientAuth\n' >"$d/client.ext" &&
  openssl x509 -req -in "$d/client.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial -days 30 \
    -sha256 -extfile "$d/client.ext" -out "$d/client.crt" 2>/dev/null
}

# s_server NAME CERT [s_server args...] — openssl s_server on 127.0.0.1 with
# CERT.crt/.key from $PKI, answering HTTP with its status page (-www); sets
# SS_PORT. Its output goes to $T/NAME.ss.
s_server() {
  local name=$1 cert=$2; shift 2
  timeout -k 2 "$(bound 40)" openssl s_server -accept 127.0.0.1:0 -cert "$PKI/$cert.crt" \
    -key "$PKI/$cert.key" "$@" >"$T/$name.ss" 2>&1 &
  track $!
  SS_PORT=
  if wait_line "$T/$name.ss" '^ACCEPT ' 10; then
    SS_PORT=$(sed -n 's/^ACCEPT .*:\([0-9][0-9]*\)$/\1/p' "$T/$name.ss" | head -n 1)
    [ -n "$SS_PORT" ] && return 0
  fi
  echo "# s_server $name did not start:"; sed 's/^/#   /' "$T/$name.ss" | head -n 10
  return 1
}

# free_port — a loopback TCP port that was free a moment ago (for servers
# such as nginx that cannot report a port the OS picked).
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# nginx_tls NAME CERT — nginx in the foreground (no daemon, one process) on a
# free loopback port with TLS and CERT.crt/.key, serving $T/www; its access
# log ($T/NAME.access) records the SNI name it saw. Sets NGINX_PORT.
nginx_tls() {
  local name=$1 cert=$2 d="$T/$1.nginx"
  mkdir -p "$d" "$T/www"
  NGINX_PORT=$(free_port)
  cat >"$d/nginx.conf" <<CONF
daemon off;
master_process off;
worker_processes 1;
pid $d/nginx.pid;
error_log $d/error.log;
events { worker_connections 256; }
http {
  log_format sni 'SNI=\$ssl_server_name PROTO=\$ssl_protocol URI=\$uri';
  access_log $T/$name.access sni;
  client_body_temp_path $d/body; proxy_temp_path $d/proxy; fastcgi_temp_path $d/fcgi;
  uwsgi_temp_path $d/uwsgi; scgi_temp_path $d/scgi;
  server {
    listen 127.0.0.1:$NGINX_PORT ssl;
    ssl_certificate $PKI/$cert.crt;
    ssl_certificate_key $PKI/$cert.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    root $T/www;
  }
}
CONF
  timeout -k 2 "$(bound 60)" nginx -p "$d" -c "$d/nginx.conf" 2>"$T/$name.nginx.err" &
  track $!
  local i
  for i in $(seq 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$NGINX_PORT") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "# nginx $name did not start:"; sed 's/^/#   /' "$T/$name.nginx.err" "$d/error.log" 2>/dev/null | head
  return 1
}
