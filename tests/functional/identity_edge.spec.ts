import { randomUUID } from 'node:crypto'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { ApiClientService } from '#services/api_client_service'
import { UserService } from '#services/user_service'
import { HttpSession } from '#tests/helpers/http_session'
import { startNode, type NodeProcess } from '#tests/helpers/node_process'
import { switchableProxy, type SwitchableProxy } from '#tests/helpers/switchable_proxy'

const run = randomUUID().slice(0, 8)
const password = `Offline shift ${run}`

/**
 * A gateway whose iCDR is this test process, reached through a proxy the
 * tests switch off to put the gateway offline.
 */
test.group('Logins on an edge, online and offline', (group) => {
  let gateway: NodeProcess
  let proxy: SwitchableProxy
  const edgeDb = () => db.connection(`edge_${run}`)

  group.setup(async () => {
    proxy = await switchableProxy({ host: '127.0.0.1', port: Number(process.env.PORT) })
    const clients = await app.container.make(ApiClientService)
    const deviceToken = await clients.register(`edge-${run}`, ['device'])
    gateway = await startNode({
      APP_ROLE: 'gateway',
      IMPORT_SHIPPED_PACKS: 'false',
      ICDR_URL: proxy.url,
      ICDR_TOKEN: deviceToken,
      LOGIN_LOCKOUT_THRESHOLD: '3',
      LOGIN_LOCKOUT_MINUTES: '10',
    })
    db.manager.add(`edge_${run}`, {
      ...app.config.get<any>('database.connections.sqlite'),
      connection: { filename: gateway.sqlitePath },
    })
    return async () => {
      await db.manager.close(`edge_${run}`)
      await gateway.stop()
      await proxy.close()
    }
  })

  group.each.setup(() => proxy.online())

  async function newUser(name: string) {
    const users = await app.container.make(UserService)
    const username = `${name}-${run}`
    await users.upsertLocal({ username, fullName: `Nurse ${name}`, password, roles: ['clinician'] })
    return username
  }

  test('an online login is decided by the iCDR and cached for offline use', async ({ assert }) => {
    const username = await newUser('amina')
    const login = await new HttpSession(gateway.url).login(username, password)
    assert.equal(login.status, 200, login.text)
    assert.deepInclude(login.json, { username, roles: ['clinician'], mode: 'online' })

    const cached = await edgeDb().from('cached_credentials').where('username', username).first()
    assert.match(cached.password_hash, /^\$argon2id\$/)
    assert.notInclude(cached.password_hash, password)
    assert.isAbove(Number(cached.expires_at), Date.now())
  })

  test('offline, the cache logs the user in and says so', async ({ assert }) => {
    const username = await newUser('bruno')
    await new HttpSession(gateway.url).login(username, password)
    proxy.offline()
    const browser = new HttpSession(gateway.url)
    const login = await browser.login(username, password)
    assert.equal(login.status, 200, login.text)
    assert.equal(login.json.mode, 'offline')
    const session = await browser.request('GET', '/auth/session')
    assert.equal(session.json.mode, 'offline')
  })

  test('offline, a user who never logged in online here is refused with the reason', async ({
    assert,
  }) => {
    const username = await newUser('never')
    proxy.offline()
    const login = await new HttpSession(gateway.url).login(username, password)
    assert.equal(login.status, 401)
    assert.equal(login.json.error.code, 'E_LOGIN_OFFLINE_UNKNOWN')
  })

  test('offline failures lock the account locally and are reported at the next sync', async ({
    assert,
  }) => {
    const username = await newUser('carla')
    await new HttpSession(gateway.url).login(username, password)
    proxy.offline()
    for (let attempt = 0; attempt < 3; attempt++) {
      const wrong = await new HttpSession(gateway.url).login(username, `guess ${attempt}`)
      assert.equal(wrong.status, 401)
    }
    const locked = await new HttpSession(gateway.url).login(username, password)
    assert.equal(locked.status, 423)
    assert.equal(locked.json.error.code, 'E_LOGIN_LOCKED')

    const pending = await edgeDb().from('security_reports').where('username', username)
    assert.deepEqual(
      pending.map((report) => report.kind),
      ['failed-login', 'failed-login', 'lockout']
    )
    const offline = await gateway.ace(['credentials:sync'])
    assert.notEqual(offline.code, 0, 'offline: nothing sent')

    proxy.online()
    const sync = await gateway.ace(['credentials:sync'])
    assert.equal(sync.code, 0, sync.output)
    const left = await edgeDb().from('security_reports').where('username', username)
    assert.lengthOf(left, 0)
    const audited = await db
      .from('audit_events')
      .where('user_id', username)
      .where('kind', 'lockout')
    assert.lengthOf(audited, 1)
    assert.include(JSON.parse(audited[0].record).description, `edge-${run}`)

    /* Reported twice (an acknowledgement lost): stored once. */
    const again = await gateway.ace(['credentials:sync'])
    assert.equal(again.code, 0)
    const still = await db.from('audit_events').where('user_id', username).where('kind', 'lockout')
    assert.lengthOf(still, 1)
  })

  test('a password change on the iCDR reaches the edge at the next sync', async ({ assert }) => {
    const username = await newUser('dara')
    await new HttpSession(gateway.url).login(username, password)
    const users = await app.container.make(UserService)
    await users.setPassword(username, `A changed password ${run}`)

    const sync = await gateway.ace(['credentials:sync'])
    assert.equal(sync.code, 0, sync.output)
    proxy.offline()
    const old = await new HttpSession(gateway.url).login(username, password)
    assert.equal(old.status, 401)
    assert.equal(old.json.error.code, 'E_LOGIN_OFFLINE_UNKNOWN')
  })

  test('a deactivation on the iCDR reaches the edge at the next sync', async ({ assert }) => {
    const username = await newUser('eli')
    await new HttpSession(gateway.url).login(username, password)
    const users = await app.container.make(UserService)
    await users.deactivate(username)
    await gateway.ace(['credentials:sync'])
    const cached = await edgeDb().from('cached_credentials').where('username', username)
    assert.lengthOf(cached, 0)
  })

  test('an expired cache no longer logs anyone in offline', async ({ assert }) => {
    const username = await newUser('fatou')
    await new HttpSession(gateway.url).login(username, password)
    await edgeDb()
      .from('cached_credentials')
      .where('username', username)
      .update({ expires_at: Date.now() - 1000 })
    proxy.offline()
    const login = await new HttpSession(gateway.url).login(username, password)
    assert.equal(login.status, 401)
    assert.equal(login.json.error.code, 'E_LOGIN_OFFLINE_EXPIRED')

    proxy.online()
    const renewed = await new HttpSession(gateway.url).login(username, password)
    assert.equal(renewed.json.mode, 'online')
  })

  test('edge logins are audited in the edge spool', async ({ assert }) => {
    const username = await newUser('gift')
    await new HttpSession(gateway.url).login(username, password)
    const spooled = await edgeDb().from('audit_spool').orderBy('id')
    const mine = spooled.filter((row) => row.message.includes(username))
    assert.isAtLeast(mine.length, 1)
    assert.match(mine[0].message, /^<85>1 /)
    assert.include(mine[0].message, 'IHE+RFC-3881')
    assert.notInclude(mine[0].message, password)
  })
})
