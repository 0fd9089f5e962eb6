#!/usr/bin/env bash
# Makes sure the services the test suites talk to answer: MariaDB on
# 127.0.0.1:3306 (root, no password) and Redis on 127.0.0.1:6379. Starts the
# installed servers when they do not answer. Used by .ci/run; safe to run twice.
set -euo pipefail

wait_for() {
  local what=$1 check=$2
  for _ in $(seq 1 60); do
    if eval "$check" >/dev/null 2>&1; then
      echo "services: $what answers"
      return 0
    fi
    sleep 1
  done
  echo "services: $what does not answer after 60 s" >&2
  return 1
}

mariadb_up() { mariadb -h 127.0.0.1 -P 3306 -u root -e 'select 1'; }
redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping | grep -q PONG; }

if ! mariadb_up >/dev/null 2>&1; then
  echo "services: starting MariaDB"
  mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null || true
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
fi
wait_for MariaDB mariadb_up

if ! redis_up >/dev/null 2>&1; then
  echo "services: starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
fi
wait_for Redis redis_up

# OpenLDAP's slapd for the LDAP login tests: installed from Debian's packages
# when missing; the tests start their own slapd from tests/fixtures/ldap.
if ! command -v slapd >/dev/null 2>&1 || ! command -v slapadd >/dev/null 2>&1; then
  echo "services: installing slapd and ldap-utils"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq slapd ldap-utils >/dev/null
fi
# Debian's package starts a system slapd on port 389; the tests do not use it.
echo "services: slapd $(slapd -VV 2>&1 | head -1 | sed 's/.*slapd //' | cut -c1-20)"

# Debian's Chromium for the browser tests (tests/browser, driven by playwright-core).
if ! command -v chromium >/dev/null 2>&1; then
  echo "services: installing chromium"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
fi
echo "services: $(chromium --version 2>/dev/null | head -1)"

# nginx for the gateway's HTTPS front test (tests/functional/shell_gateway.spec.ts
# runs its own nginx from edge/gateway; the system one is not used).
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  echo "services: installing nginx-light"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq nginx-light >/dev/null
fi
echo "services: $(/usr/sbin/nginx -v 2>&1)"
