import { createServer, type Socket } from 'node:net'
import { test } from '@japa/runner'
import type { LdapConfig } from '#interop/ldap/ldap_config'
import { LdapDirectory } from '#interop/ldap/ldap_directory'
import { freePort } from '#tests/helpers/node_process'
import { assertLdapRefusal, SLAPD_SERVICE_ACCOUNT } from '#tests/helpers/slapd'

/** A TCP server that accepts connections and never says a word, counting who came. */
async function startSilentServer() {
  const sockets = new Set<Socket>()
  let connections = 0
  const server = createServer((socket) => {
    connections++
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as { port: number }).port,
    connections: () => connections,
    close: () => {
      sockets.forEach((socket) => socket.destroy())
      return new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

test.group('LDAP login when the directory is down', (group) => {
  let closedPort: number
  let silent: Awaited<ReturnType<typeof startSilentServer>>

  group.setup(async () => {
    closedPort = await freePort()
    silent = await startSilentServer()
  })
  group.teardown(() => silent.close())

  function directoryAt(url: string, overrides: Partial<LdapConfig> = {}) {
    return new LdapDirectory({
      url,
      startTls: false,
      ...SLAPD_SERVICE_ACCOUNT,
      searchBase: 'ou=people,dc=outpost,dc=test',
      groupSearchBase: 'ou=groups,dc=outpost,dc=test',
      groupRoleMap: { clinicians: ['clinician'] },
      timeouts: { connectMs: 300, operationMs: 300 },
      ...overrides,
    })
  }

  test('an empty password is refused before any connection is made', async ({ assert }) => {
    const closed = directoryAt(`ldap://127.0.0.1:${closedPort}`)
    const listening = directoryAt(`ldap://127.0.0.1:${silent.port}`)

    // Had a bind been tried, the closed port would answer E_LDAP_UNAVAILABLE.
    await assertLdapRefusal(closed.authenticate('amina', ''), 'E_LDAP_EMPTY_PASSWORD')
    await assertLdapRefusal(listening.authenticate('amina', ' '), 'E_LDAP_EMPTY_PASSWORD')
    assert.equal(silent.connections(), 0)
  })

  test('a closed port is unavailable at once', async ({ assert }) => {
    const started = Date.now()

    await assertLdapRefusal(
      directoryAt(`ldap://127.0.0.1:${closedPort}`).authenticate('amina', 'amina-clinic-pass'),
      'E_LDAP_UNAVAILABLE'
    )
    assert.isBelow(Date.now() - started, 1_000)
  })

  test('a server that never answers is unavailable after the timeout', async ({ assert }) => {
    // A silent bind, a silent StartTLS request and a TLS handshake that never starts.
    for (const directory of [
      directoryAt(`ldap://127.0.0.1:${silent.port}`),
      directoryAt(`ldap://127.0.0.1:${silent.port}`, { startTls: true }),
      directoryAt(`ldaps://127.0.0.1:${silent.port}`),
    ]) {
      const started = Date.now()
      await assertLdapRefusal(
        directory.authenticate('amina', 'amina-clinic-pass'),
        'E_LDAP_UNAVAILABLE'
      )
      assert.isBelow(Date.now() - started, 2_000)
    }
  })
})
