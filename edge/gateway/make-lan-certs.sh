#!/usr/bin/env bash
# Makes a small private PKI for one clinic LAN with openssl:
#   clinic-ca.crt/.key     the clinic CA (keep its key offline once done)
#   gateway.crt/.key       the gateway's server certificate (HTTPS and MLLP)
#   <sender>.crt/.key      a client certificate for each HL7 sender given
#
#   make-lan-certs.sh <out dir> <gateway DNS name> [<gateway IP>] [sender ...]
#
# Certificates last 825 days (the most clients accept); run again to renew.
set -euo pipefail
out=${1:?usage: make-lan-certs.sh <out dir> <gateway DNS name> [<gateway IP>] [sender ...]}
name=${2:?give the gateway DNS name, e.g. gateway.clinic.lan}
ip=${3:-}
shift $(( $# < 3 ? $# : 3 ))
mkdir -p "$out"
umask 077
cd "$out"

if [ ! -f clinic-ca.key ]; then
  openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout clinic-ca.key -out clinic-ca.crt -days 3650 -subj "/CN=Outpost clinic CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
fi

issue() { # issue <file stem> <subject CN> <extended key usage> <subjectAltName>
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$1.key" -out "$1.csr" -subj "/CN=$2" 2>/dev/null
  printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=%s\nsubjectAltName=%s\n' \
    "$3" "$4" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA clinic-ca.crt -CAkey clinic-ca.key -CAcreateserial \
    -out "$1.crt" -days 825 -sha256 -extfile "$1.ext" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
}

san="DNS:$name"
if [ -n "$ip" ]; then
  san="$san,IP:$ip"
fi
issue gateway "$name" serverAuth "$san"
for sender in "$@"; do
  issue "$sender" "$sender" clientAuth "DNS:$sender"
done
chmod 0644 clinic-ca.crt gateway.crt
echo "certificates in $(pwd): clinic-ca.crt gateway.crt gateway.key $*"
