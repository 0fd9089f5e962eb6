import { randomUUID } from 'node:crypto'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { ApiClientService } from '#services/api_client_service'
import { DeviceService } from '#services/device_service'
import { FhirStore } from '#services/fhir_store'
import { UserService } from '#services/user_service'
import { startNode, type NodeProcess } from '#tests/helpers/node_process'

const run = randomUUID().slice(0, 8)
const icdrUrl = `http://127.0.0.1:${process.env.PORT}`
const password = `Pages and pages ${run}`
const admin = `administrator-pages-${run}`

/**
 * A browser-like session: keeps cookies, follows redirects itself (so flash
 * messages survive them) and names the page a form was sent from (Referer),
 * where a refused form goes back to.
 */
class PageSession {
  #cookies = new Map<string, string>()
  #lastPage?: string

  constructor(readonly base: string) {}

  async request(method: string, path: string, body?: Record<string, unknown>) {
    let response = await this.#send(method, path, body)
    let url = path
    while (response.status >= 300 && response.status < 400) {
      url = response.headers.get('location')!
      response = await this.#send('GET', url)
    }
    this.#lastPage = new URL(url, this.base).href
    return { status: response.status, text: await response.text() }
  }

  async status(method: string, path: string) {
    const { status } = await this.request(method, path)
    return status
  }

  async #send(method: string, path: string, body?: Record<string, unknown>) {
    const response = await fetch(new URL(path, this.base), {
      method,
      redirect: 'manual',
      headers: {
        accept: 'text/html',
        ...(body ? { 'content-type': 'application/json' } : {}),
        cookie: [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; '),
        ...(this.#lastPage ? { referer: this.#lastPage } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    })
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';')
      const at = pair.indexOf('=')
      this.#cookies.set(pair.slice(0, at), pair.slice(at + 1))
    }
    return response
  }
}

async function loggedIn(base: string, username = admin) {
  const session = new PageSession(base)
  const login = await session.request('POST', '/auth/login', { username, password })
  if (login.status !== 200) {
    throw new Error(`login refused: ${login.text}`)
  }
  return session
}

/**
 * A conflict as a device's push leaves it in the queue: the device's version
 * (`mine`, made on version 0) against the iCDR's version 1 (`theirs`).
 */
async function openConflict(resourceId: string, mine: object, theirs: object) {
  const [id] = await db.table('sync_conflicts').insert({
    device_name: `edge-${run}`,
    resource_type: 'Patient',
    resource_id: resourceId,
    item_key: `item-${resourceId}`,
    base_version: 0,
    server_version: 1,
    mine: JSON.stringify(mine),
    theirs: JSON.stringify(theirs),
    status: 'open',
    resolution_pending: false,
    created_at: Date.now(),
  })
  return Number(id)
}

/** A page form's CSRF token, as the browser would send it back. */
function csrfOf(html: string) {
  const token = /name=['"]_csrf['"] value=['"]([^'"]+)['"]/.exec(html)?.[1]
  if (!token) {
    throw new Error('the page has no CSRF field')
  }
  return token
}

test.group('Administration pages', (group) => {
  let portal: NodeProcess

  group.setup(async () => {
    const users = await app.container.make(UserService)
    await users.upsertLocal({
      username: admin,
      fullName: 'Page admin',
      password,
      roles: ['administrator'],
    })
    /* The portal logs people in through the iCDR (device scope) and administers it (admin, audit). */
    const clients = await app.container.make(ApiClientService)
    /* Only logins: administration goes to the iCDR as the person logged in. */
    const token = await clients.register(`portal-pages-${run}`, ['device'])
    portal = await startNode({ APP_ROLE: 'portal', ICDR_URL: icdrUrl, ICDR_TOKEN: token })
    return async () => {
      await portal.stop()
    }
  })

  for (const path of [
    '/admin',
    '/admin?days=30',
    '/admin/users',
    '/admin/devices',
    '/admin/rollouts',
    '/admin/audit?event=login&from=2020-01-01',
    '/admin/conflicts',
  ]) {
    test(`the iCDR and the portal both serve ${path}`, async ({ assert }) => {
      for (const base of [icdrUrl, portal.url]) {
        const session = await loggedIn(base)
        const page = await session.request('GET', path)
        assert.equal(page.status, 200, `${base}${path}: ${page.text.slice(0, 1000)}`)
        assert.match(page.text, /<h1>[^<]+<\/h1>/)
      }
    })
  }

  test('a device created on the portal is created on the iCDR, its code shown once', async ({
    assert,
  }) => {
    const session = await loggedIn(portal.url)
    const form = await session.request('GET', '/admin/devices')
    const name = `portal-made-${run}`
    const created = await session.request('POST', '/admin/devices', {
      _csrf: csrfOf(form.text),
      name,
      role: 'android',
      facilityIds: 'facility-east, facility-west',
    })
    assert.equal(created.status, 200)
    const code = /data-testid="enrolment-code">([A-Z2-9-]+)</.exec(created.text)?.[1]
    assert.match(code ?? '', /^[A-Z2-9]{4}(-[A-Z2-9]{4}){7}$/)

    const stored = await db.from('devices').where('name', name).first()
    assert.equal(stored.role, 'android')
    assert.equal(
      stored.created_by,
      'Page admin',
      'the iCDR knows who created it, not just the portal'
    )
    assert.deepEqual(JSON.parse(stored.facility_ids), ['facility-east', 'facility-west'])
    const devices = await app.container.make(DeviceService)
    const enrolled = await devices.enrol(code!, { remoteAddress: '10.1.2.3' })
    assert.equal(enrolled.device.name, name)

    const again = await session.request('GET', '/admin/devices')
    assert.notInclude(again.text, code!)
    assert.match(again.text, new RegExp(`data-device="${name}"[\\s\\S]*?Enrolled`))
  })

  test('a device name taken already is refused next to its field on the portal', async ({
    assert,
  }) => {
    const session = await loggedIn(portal.url)
    const name = `taken-${run}`
    const form = await session.request('GET', '/admin/devices')
    const body = { _csrf: csrfOf(form.text), name, role: 'gateway', facilityIds: 'facility-x' }
    const first = await session.request('POST', '/admin/devices', body)
    const refused = await session.request('POST', '/admin/devices', {
      ...body,
      _csrf: csrfOf(first.text),
    })
    assert.include(refused.text, `A device named ${name} exists already.`)
    assert.include(refused.text, 'id="field-name-error"')
  })

  test("a conflict resolved on the portal makes the device's version the iCDR's current one", async ({
    assert,
  }) => {
    const id = `conflicted-${run}`
    const store = await app.container.make(FhirStore)
    const stored = { resourceType: 'Patient', id, gender: 'male', name: [{ family: 'Otieno' }] }
    await db.transaction((trx) =>
      store.write(trx, {
        type: 'Patient',
        id,
        method: 'create',
        resource: stored,
        preserved: stored,
      })
    )
    const mine = { ...stored, name: [{ family: 'Odhiambo' }] }
    const conflictId = await openConflict(id, mine, stored)

    const session = await loggedIn(portal.url)
    const queue = await session.request('GET', '/admin/conflicts')
    assert.include(queue.text, `data-conflict="Patient/${id}"`)
    assert.include(queue.text, 'Odhiambo')
    const resolved = await session.request('POST', `/admin/conflicts/${conflictId}/resolve`, {
      _csrf: csrfOf(queue.text),
      choice: 'mine',
    })
    assert.include(
      resolved.text,
      `Conflict ${conflictId}: the device&#x27;s version is now the current one.`
    )
    const current = await store.read('Patient', id)
    assert.equal(JSON.parse(current!.content).name[0].family, 'Odhiambo')
    const row = await db.from('sync_conflicts').where('id', conflictId).first()
    assert.include(row, { status: 'resolved', resolution: 'mine' })

    const again = await session.request('POST', `/admin/conflicts/${conflictId}/resolve`, {
      _csrf: csrfOf(resolved.text),
      choice: 'theirs',
    })
    assert.include(again.text, `Conflict ${conflictId} is already resolved`)
  })

  test('an administrator merges the two versions of a conflict; a merge that is not a valid resource is refused', async ({
    assert,
  }) => {
    const id = `merged-${run}`
    const store = await app.container.make(FhirStore)
    const stored = { resourceType: 'Patient', id, gender: 'female', name: [{ family: 'Wambui' }] }
    await db.transaction((trx) =>
      store.write(trx, {
        type: 'Patient',
        id,
        method: 'create',
        resource: stored,
        preserved: stored,
      })
    )
    const mine = { ...stored, birthDate: '2023-04-05' }
    const conflictId = await openConflict(id, mine, stored)

    const otherId = await openConflict(
      `other-${id}`,
      { resourceType: 'Patient', id: `other-${id}` },
      { resourceType: 'Patient', id: `other-${id}`, gender: 'male' }
    )

    const session = await loggedIn(icdrUrl)
    const queue = await session.request('GET', '/admin/conflicts')
    assert.include(queue.text, `id="merged-${conflictId}"`)
    const notJson = await session.request('POST', `/admin/conflicts/${conflictId}/resolve`, {
      _csrf: csrfOf(queue.text),
      conflict: String(conflictId),
      choice: 'merge',
      merged: '{"resourceType": "Patient", oops',
    })
    const boxOf = (html: string, conflict: number) =>
      new RegExp(`<textarea[^>]*id="merged-${conflict}"[^>]*>([^<]*)</textarea>`).exec(html)?.[1] ??
      ''
    assert.include(
      boxOf(notJson.text, conflictId),
      'oops',
      'what was typed comes back in its own box'
    )
    assert.notInclude(boxOf(notJson.text, otherId), 'oops', 'and in no other conflict’s box')
    assert.include(notJson.text, 'This is not valid JSON')
    const invalid = await session.request('POST', `/admin/conflicts/${conflictId}/resolve`, {
      _csrf: csrfOf(notJson.text),
      choice: 'merge',
      merged: JSON.stringify({ ...stored, colour: 'green' }),
    })
    assert.include(invalid.text, 'colour')
    const stillOpen = await db.from('sync_conflicts').where('id', conflictId).first()
    assert.equal(stillOpen.status, 'open')

    const merged = {
      ...stored,
      name: [{ family: 'Wambui', given: ['Achieng'] }],
      birthDate: '2023-04-05',
    }
    const resolved = await session.request('POST', `/admin/conflicts/${conflictId}/resolve`, {
      _csrf: csrfOf(invalid.text),
      choice: 'merge',
      merged: JSON.stringify(merged),
    })
    assert.include(
      resolved.text,
      `Conflict ${conflictId}: the merged version is now the current one.`
    )
    const saved = await store.read('Patient', id)
    const current = JSON.parse(saved!.content)
    assert.deepEqual([current.name[0].given, current.birthDate], [['Achieng'], '2023-04-05'])
    const row = await db.from('sync_conflicts').where('id', conflictId).first()
    assert.include(row, { status: 'resolved', resolution: 'merge' })
    assert.include(row.mine, '2023-04-05')
  })

  for (const node of ['iCDR', 'portal'] as const) {
    test(`on the ${node}, an administrator changes a user's roles without touching the password; new and directory users are refused clearly`, async ({
      assert,
    }) => {
      const base = node === 'iCDR' ? icdrUrl : portal.url
      const username = `roles-${node.toLowerCase()}-${run}`
      const users = await app.container.make(UserService)
      await users.upsertLocal({ username, fullName: 'Roles', password, roles: ['clinician'] })

      const session = await loggedIn(base)
      const page = await session.request('GET', '/admin/users')
      const changed = await session.request('POST', '/admin/users', {
        _csrf: csrfOf(page.text),
        username,
        fullName: 'Roles Changed',
        roles: ['clinician', 'informatician'],
      })
      assert.include(changed.text, username)
      const listed = await users.list()
      const stored = listed.find((user) => user.username === username)!
      assert.sameMembers(stored.roles, ['clinician', 'informatician'])
      const login = await new PageSession(icdrUrl).request('POST', '/auth/login', {
        username,
        password,
      })
      assert.equal(login.status, 200, 'the password is the one the user had')

      const fresh = await session.request('POST', '/admin/users', {
        _csrf: csrfOf(changed.text),
        username: `new-${node.toLowerCase()}-${run}`,
        fullName: 'No Password',
        roles: ['clinician'],
      })
      assert.include(fresh.text, 'is a new user: give them a password')
      assert.include(fresh.text, 'id="field-password-error"')

      const directory = `ldap-${node.toLowerCase()}-${run}`
      await db.table('users').insert({
        username: directory,
        full_name: 'Directory',
        roles: JSON.stringify(['clinician']),
        source: 'ldap',
        active: true,
        credential_version: 1,
        changed_seq: 0,
        created_at: new Date(),
        updated_at: new Date(),
      })
      const refused = await session.request('POST', '/admin/users', {
        _csrf: csrfOf(fresh.text),
        username: directory,
        fullName: 'Directory',
        password: 'a long enough password',
        roles: ['administrator'],
      })
      assert.include(refused.text, 'logs in through the directory (LDAP)')
      const after = await users.list()
      const untouched = after.find((user) => user.username === directory)!
      assert.deepEqual(untouched.roles, ['clinician'])
    })
  }

  test('a clinician may open no administration page, on the iCDR or the portal', async ({
    assert,
  }) => {
    const users = await app.container.make(UserService)
    const nurse = `nurse-pages-${run}`
    await users.upsertLocal({ username: nurse, fullName: 'Nurse', password, roles: ['clinician'] })
    for (const base of [icdrUrl, portal.url]) {
      const session = await loggedIn(base, nurse)
      assert.equal(await session.status('GET', '/admin/devices'), 403, base)
    }
    const anonymous = await fetch(`${icdrUrl}/api/v1/admin/dashboard`)
    assert.equal(anonymous.status, 401)
  })
})
