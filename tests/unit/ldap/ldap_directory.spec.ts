import { readFile } from 'node:fs/promises'
import { test } from '@japa/runner'
import { LdapDirectory } from '#interop/ldap/ldap_directory'
import {
  assertLdapRefusal,
  OTHER_CA_FILE,
  SLAPD_CA_FILE,
  startSlapd,
  type Slapd,
} from '#tests/helpers/slapd'

test.group('LDAP login against the iCDR directory', (group) => {
  let slapd: Slapd
  let directory: LdapDirectory

  group.setup(async () => {
    slapd = await startSlapd()
    directory = new LdapDirectory(slapd.config)
  })
  group.teardown(() => slapd?.stop())

  test('a clinician logs in and gets the clinician role', async ({ assert }) => {
    const user = await directory.authenticate('amina', 'amina-clinic-pass')

    assert.deepEqual(user, {
      dn: 'uid=amina,ou=people,dc=outpost,dc=test',
      username: 'amina',
      fullName: 'Amina Njoroge',
      email: 'amina@outpost.test',
      groups: ['cn=clinicians,ou=groups,dc=outpost,dc=test'],
      roles: ['clinician'],
    })
  })

  test('an informatician logs in with a name outside ASCII', async ({ assert }) => {
    const user = await directory.authenticate('joao', 'joao-rules-pass')

    assert.equal(user.fullName, 'João Silva')
    assert.deepEqual(user.roles, ['informatician'])
  })

  test('an administrator who also sees patients gets both roles', async ({ assert }) => {
    const user = await directory.authenticate('claire', 'claire-admin-pass')

    assert.deepEqual(user.roles, ['clinician', 'administrator'])
    assert.sameMembers(user.groups, [
      'cn=clinicians,ou=groups,dc=outpost,dc=test',
      'cn=administrators,ou=groups,dc=outpost,dc=test',
    ])
  })

  test('a login typed in capitals comes back as the directory spells it', async ({ assert }) => {
    const user = await directory.authenticate('AMINA', 'amina-clinic-pass')

    assert.equal(user.username, 'amina')
  })

  test('users whose uid holds quotes, metacharacters or non-ASCII letters log in', async ({
    assert,
  }) => {
    const obrien = await directory.authenticate("o'brien", 'obrien-ward-pass')
    const ward = await directory.authenticate('ward(7)*night\\desk', 'ward-night-pass')
    const zoe = await directory.authenticate('zoë', 'zoe-rules-pass')

    assert.equal(obrien.fullName, "Seán O'Brien")
    assert.equal(ward.dn, 'cn=Night Ward Desk,ou=people,dc=outpost,dc=test')
    assert.deepEqual(ward.roles, ['clinician'])
    assert.equal(zoe.username, 'zoë')
    assert.deepEqual(zoe.roles, ['informatician'])
  })

  test('a wrong password and an unknown user get the very same answer', async ({ assert }) => {
    const wrongPassword = await assertLdapRefusal(
      directory.authenticate('amina', 'not-her-password'),
      'E_LDAP_INVALID_CREDENTIALS'
    )
    const unknownUser = await assertLdapRefusal(
      directory.authenticate('nobody', 'amina-clinic-pass'),
      'E_LDAP_INVALID_CREDENTIALS'
    )

    assert.deepEqual(
      { code: unknownUser.code, message: unknownUser.message, status: unknownUser.status },
      { code: wrongPassword.code, message: wrongPassword.message, status: wrongPassword.status }
    )
  })

  test('filter injection in the username matches nobody', async () => {
    for (const username of [
      '*',
      '*)(uid=*',
      'amina)(|(uid=*',
      'ami*',
      'amina\0',
      '*)(|(objectClass=*',
    ]) {
      // amina's real password: an unescaped filter would have matched her entry.
      await assertLdapRefusal(
        directory.authenticate(username, 'amina-clinic-pass'),
        'E_LDAP_INVALID_CREDENTIALS'
      )
    }
  })

  test('a wildcard password is just a wrong password', async () => {
    await assertLdapRefusal(directory.authenticate('amina', '*'), 'E_LDAP_INVALID_CREDENTIALS')
  })

  test('empty and blank passwords and usernames are refused', async () => {
    await assertLdapRefusal(directory.authenticate('amina', ''), 'E_LDAP_EMPTY_PASSWORD')
    await assertLdapRefusal(directory.authenticate('amina', '   \t'), 'E_LDAP_EMPTY_PASSWORD')
    await assertLdapRefusal(
      directory.authenticate('', 'amina-clinic-pass'),
      'E_LDAP_EMPTY_USERNAME'
    )
    await assertLdapRefusal(
      directory.authenticate(' ', 'amina-clinic-pass'),
      'E_LDAP_EMPTY_USERNAME'
    )
  })

  test('a user in no mapped group proves the password but gets no role', async () => {
    await assertLdapRefusal(directory.authenticate('nogroup', 'nogroup-pass'), 'E_LDAP_NO_ROLE')
  })

  test('a user in no mapped group with a wrong password learns nothing more', async () => {
    await assertLdapRefusal(
      directory.authenticate('nogroup', 'wrong'),
      'E_LDAP_INVALID_CREDENTIALS'
    )
  })

  test('a username matching two entries logs in neither', async () => {
    await assertLdapRefusal(directory.authenticate('twin', 'twin-one-pass'), 'E_LDAP_AMBIGUOUS')
  })

  test('the service account cannot log in as a user', async () => {
    await assertLdapRefusal(
      directory.authenticate('outpost-bind', 'outpost-bind-pass'),
      'E_LDAP_INVALID_CREDENTIALS'
    )
  })

  test("a wrong service password is a settings problem, not the user's", async () => {
    const misconfigured = new LdapDirectory({ ...slapd.config, bindPassword: 'stale' })

    await assertLdapRefusal(
      misconfigured.authenticate('amina', 'amina-clinic-pass'),
      'E_LDAP_SERVICE_ACCOUNT'
    )
    await assertLdapRefusal(misconfigured.checkConnection(), 'E_LDAP_SERVICE_ACCOUNT')
  })

  test('the health check binds and reads the search base', async ({ assert }) => {
    const health = await directory.checkConnection()

    assert.equal(health.url, slapd.url)
    assert.equal(health.transport, 'ldap')
    assert.isAtLeast(health.latencyMs, 0)
  })

  test('StartTLS against a server without TLS fails rather than falling back', async () => {
    const tlsDirectory = new LdapDirectory({ ...slapd.config, startTls: true })

    await assertLdapRefusal(tlsDirectory.authenticate('amina', 'amina-clinic-pass'), 'E_LDAP_TLS')
  })
})

test.group('LDAP login over TLS', (group) => {
  let slapd: Slapd

  group.setup(async () => {
    slapd = await startSlapd({ tls: true })
  })
  group.teardown(() => slapd?.stop())

  test('StartTLS upgrades the connection and logs in over it', async ({ assert }) => {
    const directory = new LdapDirectory({ ...slapd.config, startTls: true })

    const user = await directory.authenticate('amina', 'amina-clinic-pass')
    const health = await directory.checkConnection()

    assert.deepEqual(user.roles, ['clinician'])
    assert.equal(health.transport, 'starttls')
  })

  test('LDAPS logs in with the CA given as PEM text', async ({ assert }) => {
    const directory = new LdapDirectory({
      ...slapd.config,
      url: slapd.ldapsUrl!,
      tlsCaFile: undefined,
      ca: await readFile(SLAPD_CA_FILE, 'utf8'),
    })

    const user = await directory.authenticate('claire', 'claire-admin-pass')

    assert.deepEqual(user.roles, ['clinician', 'administrator'])
  })

  test('LDAPS checks the host name against the certificate', async ({ assert }) => {
    const url = slapd.ldapsUrl!.replace('127.0.0.1', 'localhost')
    const health = await new LdapDirectory({ ...slapd.config, url }).checkConnection()

    assert.equal(health.transport, 'ldaps')
  })

  test('a server certificate from another CA is refused on StartTLS and LDAPS', async () => {
    const startTls = new LdapDirectory({
      ...slapd.config,
      startTls: true,
      tlsCaFile: OTHER_CA_FILE,
    })
    const ldaps = new LdapDirectory({
      ...slapd.config,
      url: slapd.ldapsUrl!,
      tlsCaFile: OTHER_CA_FILE,
    })

    await assertLdapRefusal(startTls.authenticate('amina', 'amina-clinic-pass'), 'E_LDAP_TLS')
    await assertLdapRefusal(ldaps.authenticate('amina', 'amina-clinic-pass'), 'E_LDAP_TLS')
    await assertLdapRefusal(ldaps.checkConnection(), 'E_LDAP_TLS')
  })
})
