import { randomUUID } from 'node:crypto'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { UserService } from '#services/user_service'
import { HttpSession } from '#tests/helpers/http_session'

const run = randomUUID().slice(0, 8)
const base = `http://127.0.0.1:${process.env.PORT}`
const password = `Clinic shift ${run}`

async function newUser(username: string, roles: ('clinician' | 'administrator')[] = ['clinician']) {
  const users = await app.container.make(UserService)
  await users.upsertLocal({ username, fullName: `Nurse ${username}`, password, roles })
  return username
}

async function auditKinds(username: string) {
  const rows = await db.from('audit_events').where('user_id', username).orderBy('id')
  return rows.map((row) => `${row.kind}:${row.outcome}`)
}

test.group('Logins on the iCDR', () => {
  test('a local user logs in, the session knows them, and logging out ends it', async ({
    assert,
  }) => {
    const username = await newUser(`nia-${run}`)
    const browser = new HttpSession(base)
    const login = await browser.login(username, password)
    assert.equal(login.status, 200)
    assert.deepInclude(login.json, { username, roles: ['clinician'], mode: 'local' })

    const session = await browser.request('GET', '/auth/session')
    assert.equal(session.json.username, username)

    assert.equal(await browser.status('POST', '/auth/logout'), 204)
    assert.equal(await browser.status('GET', '/auth/session'), 401)
    assert.deepEqual(await auditKinds(username), ['login:0', 'logout:0'])
  })

  test('a wrong password and an unknown user get the same answer', async ({ assert }) => {
    const username = await newUser(`wrong-${run}`)
    const wrong = await new HttpSession(base).login(username, 'not the password')
    const unknown = await new HttpSession(base).login(`nobody-${run}`, 'not the password')
    assert.equal(wrong.status, 401)
    assert.equal(unknown.status, 401)
    assert.deepEqual(wrong.json, unknown.json)
    assert.equal(wrong.json.error.code, 'E_LOGIN_INVALID')
    assert.deepEqual(await auditKinds(username), ['login:4'])
  })

  test('an empty password is refused before anything is checked', async ({ assert }) => {
    const username = await newUser(`empty-${run}`)
    for (const attempt of ['', '   ']) {
      const answer = await new HttpSession(base).login(username, attempt)
      assert.equal(answer.status, 422)
    }
    assert.deepEqual(await auditKinds(username), [])
  })

  test('repeated failures lock the account, even against the right password', async ({
    assert,
  }) => {
    const username = await newUser(`locked-${run}`)
    for (let attempt = 0; attempt < 5; attempt++) {
      await new HttpSession(base).login(username, `guess ${attempt}`)
    }
    const answer = await new HttpSession(base).login(username, password)
    assert.equal(answer.status, 423)
    assert.equal(answer.json.error.code, 'E_LOGIN_LOCKED')
    assert.include(await auditKinds(username), 'lockout:8')
  })

  test('a user API token acts with the user roles until the password changes', async ({
    assert,
  }) => {
    const username = await newUser(`token-${run}`)
    const issued = await new HttpSession(base).request('POST', '/api/v1/auth/tokens', {
      username,
      password,
    })
    assert.equal(issued.status, 201)
    assert.match(issued.json.token, /^opu_/)
    const api = new HttpSession(base, { authorization: `Bearer ${issued.json.token}` })
    assert.equal(await api.status('GET', '/fhir/Patient?_count=1'), 200)
    assert.equal(await api.status('GET', '/api/v1/users'), 403)

    const users = await app.container.make(UserService)
    await users.setPassword(username, `A new password ${run}`)
    assert.equal(await api.status('GET', '/fhir/Patient?_count=1'), 401)
  })

  test('reading a patient and searching are audited with the patient and the query', async ({
    assert,
  }) => {
    const username = await newUser(`reader-${run}`)
    const api = new HttpSession(base)
    await api.login(username, password)
    const created = await api.request(
      'POST',
      '/fhir/Patient',
      { resourceType: 'Patient', name: [{ family: `Audited${run}` }], gender: 'female' },
      { 'content-type': 'application/fhir+json' }
    )
    assert.equal(created.status, 201)
    const id = created.json.id
    await api.request('GET', `/fhir/Patient/${id}`)
    await api.request('GET', `/fhir/Patient?family=Audited${run}`)

    const rows = await db.from('audit_events').where('user_id', username).orderBy('id')
    assert.deepEqual(
      rows.map((row) => [row.kind, row.patient_id]),
      [
        ['login', null],
        ['patient-record-create', id],
        ['patient-record-read', id],
        ['query', null],
      ]
    )
    const query = JSON.parse(rows[3].record)
    assert.include(query.participantObjects[0].query, `family=Audited${run}`)
  })

  test('administrators search the audit log by user, patient, event and time', async ({
    assert,
  }) => {
    const reader = await newUser(`searched-${run}`)
    await new HttpSession(base).login(reader, password)
    await new HttpSession(base).login(reader, 'wrong')
    const admin = await newUser(`auditor-${run}`, ['administrator'])
    const browser = new HttpSession(base)
    await browser.login(admin, password)

    const byUser = await browser.request('GET', `/api/v1/audit-events?user=${reader}`)
    assert.equal(byUser.status, 200)
    assert.deepEqual(
      byUser.json.events.map((event: any) => [event.kind, event.outcome]),
      [
        ['login', 4],
        ['login', 0],
      ]
    )
    const from = new Date(Date.now() - 60_000).toISOString()
    const recent = await browser.request(
      'GET',
      `/api/v1/audit-events?event=login&from=${encodeURIComponent(from)}&user=${reader}`
    )
    assert.lengthOf(recent.json.events, 2)

    const fhir = await browser.request('GET', `/fhir/AuditEvent?agent=${reader}`)
    assert.equal(fhir.status, 200)
    assert.equal(fhir.json.total, 2)
    const event = fhir.json.entry[0].resource
    assert.equal(event.resourceType, 'AuditEvent')
    const read = await browser.request('GET', `/fhir/AuditEvent/${event.id}`)
    assert.equal(read.json.id, event.id)

    const write = await browser.request(
      'POST',
      '/fhir/AuditEvent',
      { resourceType: 'AuditEvent' },
      { 'content-type': 'application/fhir+json' }
    )
    /* Administrators read the audit trail; nobody writes it through FHIR (405 for writers). */
    assert.equal(write.status, 403)
  })
})
