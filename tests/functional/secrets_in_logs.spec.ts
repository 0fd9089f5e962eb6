import { randomUUID } from 'node:crypto'
import { test } from '@japa/runner'
import { ApiClientService } from '#services/api_client_service'
import { UserService } from '#services/user_service'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { HttpSession } from '#tests/helpers/http_session'
import { startNode } from '#tests/helpers/node_process'
import { SLAPD_CA_FILE, SLAPD_SERVICE_ACCOUNT, startSlapd } from '#tests/helpers/slapd'

const run = randomUUID().slice(0, 8)

/**
 * Every path that handles a credential, on nodes logging everything (trace),
 * then a search of all they printed: no password, token or secret may appear.
 */
test.group('Secrets never reach the logs', () => {
  test('passwords, tokens and the shell secret are absent from trace-level logs', async ({
    assert,
  }) => {
    const password = `Trace-level password ${run}`
    const shellSecret = `shell-secret-${run}-${randomUUID()}`
    const slapd = await startSlapd()
    const icdr = await startNode({
      APP_ROLE: 'icdr',
      LOG_LEVEL: 'trace',
      IMPORT_SHIPPED_PACKS: 'false',
      LDAP_URL: slapd.url,
      LDAP_BIND_DN: SLAPD_SERVICE_ACCOUNT.bindDn,
      LDAP_BIND_PASSWORD: SLAPD_SERVICE_ACCOUNT.bindPassword,
      LDAP_CA_FILE: SLAPD_CA_FILE,
      LDAP_SEARCH_BASE: 'ou=people,dc=outpost,dc=test',
      LDAP_GROUP_BASE: 'ou=groups,dc=outpost,dc=test',
      LDAP_GROUP_ROLES: 'clinicians=clinician',
    })
    const connection = `secrets_${run}`
    db.manager.add(connection, {
      ...app.config.get<any>('database.connections.sqlite'),
      connection: { filename: icdr.sqlitePath },
    })
    const clients = new ApiClientService(db.connection(connection) as any)
    const users = new UserService(db.connection(connection) as any)
    const deviceToken = await clients.register('trace-edge', ['device'])
    const apiToken = await clients.register('trace-system', ['fhir'])
    await users.upsertLocal({ username: 'tracer', fullName: 'T', password, roles: ['clinician'] })
    await db.manager.close(connection)

    const gateway = await startNode({
      APP_ROLE: 'gateway',
      LOG_LEVEL: 'trace',
      IMPORT_SHIPPED_PACKS: 'false',
      ICDR_URL: icdr.url,
      ICDR_TOKEN: deviceToken,
    })
    const desktop = await startNode({
      APP_ROLE: 'desktop',
      LOG_LEVEL: 'trace',
      SHELL_SECRET: shellSecret,
    })
    let userToken = ''
    try {
      await new HttpSession(icdr.url).login('tracer', password)
      await new HttpSession(icdr.url).login('tracer', `${password}-wrong`)
      await new HttpSession(icdr.url).login('amina', 'amina-clinic-pass')
      await new HttpSession(icdr.url).login('amina', 'amina-wrong-pass')
      const issued = await new HttpSession(icdr.url).request('POST', '/api/v1/auth/tokens', {
        username: 'tracer',
        password,
      })
      userToken = issued.json.token
      await new HttpSession(icdr.url, { authorization: `Bearer ${userToken}` }).status(
        'GET',
        '/fhir/Patient'
      )
      await new HttpSession(icdr.url, { authorization: `Bearer ${apiToken}` }).status(
        'GET',
        '/fhir/Patient'
      )
      await new HttpSession(icdr.url, { authorization: `Bearer ${apiToken}x` }).status(
        'GET',
        '/fhir/Patient'
      )
      await new HttpSession(gateway.url).login('tracer', password)
      await new HttpSession(gateway.url).login('tracer', `${password}-wrong`)
      await new HttpSession(desktop.url, { 'SDB-Magic': `${shellSecret}-wrong` }).status(
        'GET',
        '/health'
      )
      await new HttpSession(desktop.url, { 'SDB-Magic': shellSecret }).status('GET', '/health')
    } finally {
      await Promise.all([gateway.stop(), desktop.stop(), icdr.stop()])
      await slapd.stop()
    }

    const logs = [icdr.output(), gateway.output(), desktop.output()].join('\n')
    assert.isAbove(logs.length, 1000, 'trace logging printed something to search')
    const secrets = {
      password,
      ldapPassword: 'amina-clinic-pass',
      ldapWrongPassword: 'amina-wrong-pass',
      bindPassword: SLAPD_SERVICE_ACCOUNT.bindPassword,
      deviceToken,
      apiToken,
      userToken,
      shellSecret,
    }
    for (const [name, value] of Object.entries(secrets)) {
      assert.isFalse(logs.includes(value), `${name} appears in the logs`)
    }
  }).timeout(120_000)
})
