import { test } from '@japa/runner'
import { HttpSession } from '#tests/helpers/http_session'
import { startNode, type NodeProcess } from '#tests/helpers/node_process'
import { SLAPD_CA_FILE, SLAPD_SERVICE_ACCOUNT, startSlapd, type Slapd } from '#tests/helpers/slapd'

/** An iCDR whose users live in a real OpenLDAP directory (tests/fixtures/ldap). */
test.group('LDAP logins on the iCDR', (group) => {
  let slapd: Slapd
  let icdr: NodeProcess

  group.setup(async () => {
    slapd = await startSlapd({ tls: true })
    icdr = await startNode({
      APP_ROLE: 'icdr',
      IMPORT_SHIPPED_PACKS: 'false',
      LDAP_URL: slapd.url,
      LDAP_START_TLS: 'true',
      LDAP_CA_FILE: SLAPD_CA_FILE,
      LDAP_BIND_DN: SLAPD_SERVICE_ACCOUNT.bindDn,
      LDAP_BIND_PASSWORD: SLAPD_SERVICE_ACCOUNT.bindPassword,
      LDAP_SEARCH_BASE: 'ou=people,dc=outpost,dc=test',
      LDAP_GROUP_BASE: 'ou=groups,dc=outpost,dc=test',
      LDAP_GROUP_ROLES:
        'clinicians=clinician;informaticians=informatician;cn=administrators,ou=groups,dc=outpost,dc=test=administrator',
    })
    return async () => {
      await icdr.stop()
      await slapd.stop()
    }
  })

  test('a directory user logs in over StartTLS with the roles of their groups', async ({
    assert,
  }) => {
    const login = await new HttpSession(icdr.url).login('claire', 'claire-admin-pass')
    assert.equal(login.status, 200, login.text)
    assert.equal(login.json.mode, 'ldap')
    assert.sameMembers(login.json.roles, ['clinician', 'administrator'])
  })

  test('the directory login works for API tokens too, with the mapped roles', async ({
    assert,
  }) => {
    const browser = new HttpSession(icdr.url)
    const issued = await browser.request('POST', '/api/v1/auth/tokens', {
      username: 'joao',
      password: 'joao-rules-pass',
    })
    assert.equal(issued.status, 201, issued.text)
    const api = new HttpSession(icdr.url, { authorization: `Bearer ${issued.json.token}` })
    assert.equal(await api.status('GET', '/api/v1/rule-packs'), 200)
    assert.equal(await api.status('GET', '/fhir/Patient'), 403)
  })

  test('a wrong password and an unknown user get the same refusal', async ({ assert }) => {
    const wrong = await new HttpSession(icdr.url).login('amina', 'not-her-password')
    const unknown = await new HttpSession(icdr.url).login('nobody-here', 'not-her-password')
    assert.equal(wrong.status, 401)
    assert.deepEqual(wrong.json, unknown.json)
  })

  test('an empty password is refused, never sent as an unauthenticated bind', async ({
    assert,
  }) => {
    const login = await new HttpSession(icdr.url).login('amina', '')
    assert.equal(login.status, 422)
    assert.equal(login.json.error.code, 'E_LOGIN_EMPTY')
  })

  test('filter injection attempts log nobody in', async ({ assert }) => {
    for (const username of ['*)(uid=*', '*', 'amina)(|(uid=*', 'amina)(uid=*))(|(uid=*']) {
      const login = await new HttpSession(icdr.url).login(username, 'amina-clinic-pass')
      assert.equal(login.status, 401, username)
    }
    const starPassword = await new HttpSession(icdr.url).login('amina', '*')
    assert.equal(starPassword.status, 401)
  })

  test('a directory user in no mapped group is refused', async ({ assert }) => {
    const login = await new HttpSession(icdr.url).login('nogroup', 'nogroup-pass')
    assert.equal(login.status, 401)
  })
})
