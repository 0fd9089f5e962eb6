import { randomUUID } from 'node:crypto'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import { ApiClientService } from '#services/api_client_service'
import { UserService } from '#services/user_service'
import { HttpSession } from '#tests/helpers/http_session'
import { startNode } from '#tests/helpers/node_process'

const run = randomUUID().slice(0, 8)

test.group('Logins on the portal', () => {
  test('the iCDR decides, the session carries the roles, and logging out ends it', async ({
    assert,
  }) => {
    const users = await app.container.make(UserService)
    const password = `Portal password ${run}`
    await users.upsertLocal({
      username: `portal-admin-${run}`,
      fullName: 'Portal Admin',
      password,
      roles: ['administrator'],
    })
    const clients = await app.container.make(ApiClientService)
    const token = await clients.register(`portal-${run}`, ['device'])
    const portal = await startNode({
      APP_ROLE: 'portal',
      ICDR_URL: `http://127.0.0.1:${process.env.PORT}`,
      ICDR_TOKEN: token,
    })
    try {
      const browser = new HttpSession(portal.url)
      const wrong = await browser.login(`portal-admin-${run}`, 'wrong')
      assert.equal(wrong.status, 401)
      const login = await browser.login(`portal-admin-${run}`, password)
      assert.equal(login.status, 200, login.text)
      assert.deepInclude(login.json, { roles: ['administrator'], mode: 'online' })
      const session = await browser.request('GET', '/auth/session')
      assert.equal(session.json.username, `portal-admin-${run}`)
      assert.equal(await browser.status('POST', '/auth/logout'), 204)
      assert.equal(await browser.status('GET', '/auth/session'), 401)
    } finally {
      await portal.stop()
    }
  })
})
