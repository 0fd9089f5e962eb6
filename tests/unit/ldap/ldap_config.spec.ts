import { test } from '@japa/runner'
import { resolveLdapConfig, type LdapConfig } from '#interop/ldap/ldap_config'
import { LdapDirectory } from '#interop/ldap/ldap_directory'
import { LdapError } from '#interop/ldap/ldap_error'
import { rolesForGroups } from '#interop/ldap/ldap_roles'

const SETTINGS: LdapConfig = {
  url: 'ldaps://ldap.hospital.example:636',
  startTls: false,
  bindDn: 'cn=outpost,ou=services,dc=hospital,dc=example',
  bindPassword: 'secret',
  searchBase: 'ou=people,dc=hospital,dc=example',
  groupSearchBase: 'ou=groups,dc=hospital,dc=example',
  groupRoleMap: { clinicians: ['clinician'] },
}

/** The E_LDAP_CONFIG message settings are refused with; accepted settings fail the test. */
function configRefusal(settings: Partial<LdapConfig>): string {
  try {
    new LdapDirectory({ ...SETTINGS, ...settings })
  } catch (error) {
    if (error instanceof LdapError && error.code === 'E_LDAP_CONFIG') {
      return error.message
    }
    throw error
  }
  throw new Error('the settings were accepted')
}

test.group('LDAP settings', () => {
  test('defaults fill in the inetOrgPerson and groupOfNames filters', ({ assert }) => {
    const config = resolveLdapConfig(SETTINGS)

    assert.equal(config.userFilter, '(&(objectClass=inetOrgPerson)(uid={username}))')
    assert.equal(config.groupFilter, '(&(objectClass=groupOfNames)(member={dn}))')
    assert.equal(config.transport, 'ldaps')
    assert.equal(config.servername, 'ldap.hospital.example')
    assert.equal(config.operationMs, 10_000)
  })

  test('StartTLS on an ldaps:// URL is a settings mistake', ({ assert }) => {
    assert.match(configRefusal({ startTls: true }), /startTls cannot be used with an ldaps/)
  })

  test('only ldap:// and ldaps:// URLs are accepted', ({ assert }) => {
    assert.match(configRefusal({ url: 'http://ldap.hospital.example' }), /ldap:\/\/ or ldaps:\/\//)
    assert.match(configRefusal({ url: 'ldap.hospital.example' }), /is not a URL/)
  })

  test('a group cannot grant a role Outpost does not have', ({ assert }) => {
    const groupRoleMap = { wizards: ['sorcerer'] } as unknown as LdapConfig['groupRoleMap']

    assert.match(configRefusal({ groupRoleMap }), /wizards maps to unknown roles: sorcerer/)
  })

  test('the CA comes from a file or from PEM text, not both', ({ assert }) => {
    assert.match(configRefusal({ ca: '-----BEGIN', tlsCaFile: '/etc/ca.crt' }), /not both/)
  })

  test('filters are parenthesised and use known placeholders only', ({ assert }) => {
    assert.match(configRefusal({ userFilter: 'uid={username}' }), /parenthesised/)
    assert.match(configRefusal({ userFilter: '(uid={login})' }), /unknown placeholders: login/)
    assert.match(configRefusal({ userFilter: '(sAMAccountName={dn})' }), /unknown placeholders: dn/)
  })

  test('the service account is required', ({ assert }) => {
    assert.match(configRefusal({ bindPassword: '' }), /bindPassword is required/)
  })
})

test.group('LDAP group to role mapping', () => {
  const roleMap = resolveLdapConfig({
    ...SETTINGS,
    groupRoleMap: {
      'Clinicians': ['clinician'],
      'cn=Admins, ou=Groups, dc=hospital, dc=example': ['administrator'],
      'informatics': ['informatician', 'clinician'],
    },
  }).groupRoleMap

  test('a group matches by cn or by DN, whatever the case and spacing', ({ assert }) => {
    const roles = rolesForGroups(
      [
        { dn: 'cn=admins,ou=groups,dc=hospital,dc=example', cn: ['admins'] },
        { dn: 'cn=ward-7,ou=groups,dc=hospital,dc=example', cn: ['clinicians'] },
      ],
      roleMap
    )

    assert.deepEqual(roles, ['clinician', 'administrator'])
  })

  test('roles come once each, in a stable order', ({ assert }) => {
    const roles = rolesForGroups(
      [
        { dn: 'cn=informatics,ou=groups,dc=hospital,dc=example', cn: ['informatics'] },
        { dn: 'cn=clinicians,ou=groups,dc=hospital,dc=example', cn: ['clinicians'] },
      ],
      roleMap
    )

    assert.deepEqual(roles, ['clinician', 'informatician'])
  })

  test('groups the map does not name grant nothing', ({ assert }) => {
    const roles = rolesForGroups(
      [{ dn: 'cn=visitors,ou=groups,dc=hospital,dc=example', cn: ['visitors'] }],
      roleMap
    )

    assert.deepEqual(roles, [])
  })
})
