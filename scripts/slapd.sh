#!/usr/bin/env bash
# Starts the OpenLDAP test directory the LDAP unit tests use (tests/helpers/slapd.ts), by hand,
# for the sandbox or for trying LDAP logins. Prints the URLs and the LdapConfig, then runs until
# Ctrl-C, which stops slapd and removes its temporary directory.
#
#   scripts/slapd.sh          ldap:// only
#   scripts/slapd.sh --tls    ldap:// with StartTLS, plus ldaps://
#
# Test users and their test-only passwords are listed at the top of
# tests/fixtures/ldap/directory.ldif. Needs slapd: apt-get install slapd ldap-utils
set -euo pipefail

cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"

tls=false
case "${1:-}" in
  --tls) tls=true ;;
  '') ;;
  *) echo "usage: $0 [--tls]" >&2; exit 2 ;;
esac

export OUTPOST_SLAPD_TLS=$tls
exec node --import @poppinss/ts-exec --input-type=module --eval "
import { startSlapd } from '#tests/helpers/slapd'

const slapd = await startSlapd({ tls: process.env.OUTPOST_SLAPD_TLS === 'true' })
console.log('slapd is listening on', [slapd.url, slapd.ldapsUrl].filter(Boolean).join(' and '))
console.log('directory', slapd.dir)
console.log(JSON.stringify(slapd.config, null, 2))
console.log('Ctrl-C to stop')
const stop = () => slapd.stop().then(() => process.exit(0))
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
setInterval(() => {}, 1 << 30)
"
