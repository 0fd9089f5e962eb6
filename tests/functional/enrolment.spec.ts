import { randomUUID } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { HttpSession } from '#tests/helpers/http_session'
import { startNode, type NodeProcess } from '#tests/helpers/node_process'
import { OtaIcdr } from '#tests/helpers/ota_nodes'

const run = randomUUID().slice(0, 8)
const password = `Enrolled shift ${run}`

/**
 * A real iCDR (with a TUF repository) and gateways that know nothing of it
 * but the code an administrator read to them: no ICDR_URL, no ICDR_TOKEN.
 */
test.group('Device enrolment', (group) => {
  let icdr: OtaIcdr
  let gateway: NodeProcess
  let spare: NodeProcess
  const gatewayDb = () => db.connection(`enrolled_${run}`)

  group.setup(async () => {
    icdr = await OtaIcdr.start()
    const edge = { APP_ROLE: 'gateway', IMPORT_SHIPPED_PACKS: 'false' }
    gateway = await startNode(edge)
    spare = await startNode(edge)
    db.manager.add(`enrolled_${run}`, {
      ...app.config.get<any>('database.connections.sqlite'),
      connection: { filename: gateway.sqlitePath },
    })
    return async () => {
      await db.manager.close(`enrolled_${run}`)
      await Promise.all([gateway.stop(), spare.stop()])
      await icdr.stop()
    }
  })

  async function newDevice(name: string) {
    return icdr.api('POST', '/api/v1/devices', {
      token: icdr.tokens.admin,
      body: {
        name: `${name}-${run}`,
        role: 'gateway',
        facilityIds: ['facility-north'],
        subscription: '{"resourceTypes":["Patient","Immunization"]}',
      },
    })
  }

  function enroll(node: NodeProcess, code: string, ...extra: string[]) {
    return node.ace(['edge:enroll', '--icdr', icdr.node.url, '--code', code, ...extra])
  }

  function enrolmentFailures() {
    return db
      .connection(icdr.connection)
      .from('audit_events')
      .where('kind', 'device-enrolment')
      .where('outcome', 8)
  }

  test('an administrator creates a device and receives its one-time code once', async ({
    assert,
  }) => {
    const created = await newDevice('listed')
    assert.equal(created.status, 201, JSON.stringify(created.json))
    assert.match(created.json.code, /^[A-Z2-9]{4}(-[A-Z2-9]{4}){7}$/)
    assert.isAbove(Date.parse(created.json.expiresAt), Date.now() + 23 * 3600 * 1000)

    const listed = await icdr.api('GET', '/api/v1/devices', { token: icdr.tokens.admin })
    const device = listed.json.find((each: any) => each.name === `listed-${run}`)
    assert.include(device, { role: 'gateway', status: 'pending' })
    assert.deepEqual(device.facilityIds, ['facility-north'])
    assert.notInclude(JSON.stringify(listed.json), created.json.code)

    const again = await newDevice('listed')
    assert.equal(again.status, 409)
    const byDevice = await icdr.api('GET', '/api/v1/devices', { token: icdr.tokens.publisher })
    assert.equal(byDevice.status, 403)
  })

  test('an edge enrols with its code, pins the TUF root and calls the iCDR as its device', async ({
    assert,
  }) => {
    const { json } = await newDevice('north')
    const enrolled = await enroll(gateway, json.code)
    assert.equal(enrolled.code, 0, enrolled.output)
    assert.include(enrolled.output, `enrolled as device "north-${run}"`)
    assert.include(enrolled.output, 'pinned the iCDR TUF root')
    assert.notInclude(enrolled.output, 'opd_')

    const stored = await gatewayDb().from('device_enrolment').first()
    assert.include(stored, { device_name: `north-${run}`, icdr_url: icdr.node.url })
    assert.notInclude(stored.token_encrypted, 'opd_')

    const pinned = await readFile(
      join(`${gateway.sqlitePath.replace(/\.sqlite$/, '')}-ota`, 'metadata', 'root.json')
    )
    assert.isTrue(pinned.equals(await icdr.repository().trustedRoot()))

    const sync = await gateway.ace(['credentials:sync'])
    assert.equal(sync.code, 0, sync.output)
    /* Updates come from the enrolled iCDR too, verified from the root enrolment pinned. */
    const check = await gateway.ace(['ota:check'])
    assert.equal(check.code, 0, check.output)
    assert.notInclude(check.output, 'E_OTA_NOT_CONFIGURED')

    const username = `nurse-${run}`
    const user = await icdr.api('POST', '/api/v1/users', {
      token: icdr.tokens.admin,
      body: { username, fullName: 'Nurse North', password, roles: ['clinician'] },
    })
    assert.equal(user.status, 201, JSON.stringify(user.json))
    const login = await new HttpSession(gateway.url).login(username, password)
    assert.equal(login.status, 200, login.text)
    assert.equal(login.json.mode, 'online')

    const listed = await icdr.api('GET', '/api/v1/devices', { token: icdr.tokens.admin })
    assert.equal(listed.json.find((each: any) => each.name === `north-${run}`).status, 'enrolled')
  }).timeout(60_000)

  test('an enrolled edge refuses to enrol again without --force', async ({ assert }) => {
    const { json } = await newDevice('second')
    const refused = await enroll(gateway, json.code)
    assert.equal(refused.code, 1)
    assert.include(refused.output, `already enrolled as "north-${run}"`)
    const stored = await gatewayDb().from('device_enrolment').first()
    assert.equal(stored.device_name, `north-${run}`)
  }).timeout(60_000)

  test('a code that was used cannot enrol another edge, and the attempt is audited', async ({
    assert,
  }) => {
    const { json } = await newDevice('once')
    const first = await enroll(spare, json.code)
    assert.equal(first.code, 0, first.output)
    const { length: before } = await enrolmentFailures()

    const reused = await enroll(spare, json.code, '--force')
    assert.equal(reused.code, 1)
    assert.include(reused.output, 'enrolment code is not valid')
    const failures = await enrolmentFailures()
    assert.lengthOf(failures, before + 1)
    assert.include(failures.at(-1).record, `once-${run}`)
  }).timeout(60_000)

  test('a wrong code fails with one clear message and is audited', async ({ assert }) => {
    const { length: before } = await enrolmentFailures()
    const guess = await icdr.api('POST', '/api/v1/enrol', { body: { code: 'AAAA-BBBB-CCCC' } })
    assert.equal(guess.status, 403)
    assert.equal(guess.json.error.code, 'E_ENROLMENT_CODE_INVALID')
    assert.notProperty(guess.json, 'token')
    assert.lengthOf(await enrolmentFailures(), before + 1)
  })

  test('a revoked device token stops working at once', async ({ assert }) => {
    const revoked = await icdr.api('POST', `/api/v1/devices/north-${run}/revoke`, {
      token: icdr.tokens.admin,
    })
    assert.equal(revoked.status, 204)
    const sync = await gateway.ace(['credentials:sync'])
    assert.notEqual(sync.code, 0)
    assert.include(sync.output, '401')

    const absent = await icdr.api('POST', `/api/v1/devices/absent-${run}/revoke`, {
      token: icdr.tokens.admin,
    })
    assert.equal(absent.status, 404)
  }).timeout(60_000)

  test('guessing codes from one address is refused after ten failures', async ({ assert }) => {
    let status = 0
    for (let attempt = 0; attempt < 11 && status !== 429; attempt++) {
      const guess = await icdr.api('POST', '/api/v1/enrol', { body: { code: `GUESS-${attempt}` } })
      status = guess.status
    }
    assert.equal(status, 429)
    const { json } = await newDevice('late')
    const blocked = await icdr.api('POST', '/api/v1/enrol', { body: { code: json.code } })
    assert.equal(blocked.status, 429)
    assert.equal(blocked.json.error.code, 'E_ENROLMENT_RATE_LIMITED')
  })
})
