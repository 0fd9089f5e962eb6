import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { ApiClientService } from '#services/api_client_service'
import { DeviceOverviewService } from '#services/device_overview'
import { FhirStore } from '#services/fhir_store'
import { PackRepository } from '#services/pack_repository'
import type { RulePack } from '#rules_engine/pack_types'
import { lossyProxy, type LossyProxy } from '#tests/helpers/lossy_proxy'
import { startNode, type NodeProcess } from '#tests/helpers/node_process'

const run = randomUUID().slice(0, 8)
const APP_KEY = 'a-test-app-key-of-thirty-two-chars!'
const FAC_A = `fac-a-${run}`
const FAC_B = `fac-b-${run}`
const PATIENTS_A = 700
const PATIENTS_B = 60
const icdrBase = () => `http://${process.env.HOST}:${process.env.PORT}`

interface Edge {
  name: string
  node: NodeProcess
  connection: string
  /** A client of the edge's own API: FHIR writes and the sync centre. */
  token: string
}

async function call(base: string, method: string, path: string, token: string, body?: unknown) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      'accept': 'application/json',
      'content-type': path.startsWith('/fhir') ? 'application/fhir+json' : 'application/json',
      'authorization': `Bearer ${token}`,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await response.text()
  return { status: response.status, json: text ? JSON.parse(text) : null }
}

/** `node ace sync:run --plain` on an edge's store, as an operator or the shell runs it. */
function syncRun(edge: Edge, options: { killAfter?: RegExp } = {}) {
  return new Promise<{ code: number | null; output: string; killed: boolean }>((resolve) => {
    const child = spawn(process.execPath, ['ace', 'sync:run', '--plain'], {
      cwd: app.makePath(),
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        APP_KEY,
        APP_ROLE: 'gateway',
        SQLITE_PATH: edge.node.sqlitePath,
        LOG_LEVEL: 'warn',
        NO_COLOR: '1',
      },
    })
    let output = ''
    let killed = false
    const watch = (chunk: Buffer) => {
      output += chunk
      if (options.killAfter && !killed && options.killAfter.test(output)) {
        killed = true
        child.kill('SIGKILL')
      }
    }
    child.stdout.on('data', watch)
    child.stderr.on('data', watch)
    child.on('exit', (code) => resolve({ code, output, killed }))
  })
}

/** The current row of a resource in a store (the iCDR's `mysql`, or an edge's connection). */
function currentRow(connection: string, type: string, id: string) {
  return db.connection(connection).from('fhir_resources').where({ resource_type: type, id }).first()
}

/** An edge's outbox rows for one resource. */
function outboxRows(edge: Edge, resourceId: string) {
  return db.connection(edge.connection).from('sync_outbox').where('resource_id', resourceId)
}

async function syncedOk(assert: any, edge: Edge) {
  const result = await syncRun(edge)
  assert.equal(result.code, 0, result.output)
}

/** Every (type, id, version) a store holds that sync carries: not derived by rules. */
async function versionsOf(connection: string, filter?: (query: any) => void) {
  const query = db
    .connection(connection)
    .from('fhir_resource_versions')
    .where('derived', false)
    .select('resource_type', 'id', 'version_id', 'deleted')
  filter?.(query)
  const rows = await query
  return rows
    .map(
      (row) =>
        `${row.resource_type}/${row.id}/${row.version_id}${Number(row.deleted) ? ' (deleted)' : ''}`
    )
    .sort()
}

/** What the iCDR holds for a facility's edge: reference data and that facility's patients' records. */
function icdrVersionsFor(facility: string) {
  return versionsOf('mysql', (query) =>
    query.where((scope: any) =>
      scope
        .whereNull('patient_id')
        .orWhereIn(
          'patient_id',
          db
            .connection('mysql')
            .from('sync_patient_facilities')
            .where('facility_id', facility)
            .select('patient_id')
        )
    )
  )
}

/** Both sides hold the same versions: the lists say what is missing or extra when not. */
async function assertConverged(assert: any, edge: Edge, facility: string) {
  const [local, master] = [await versionsOf(edge.connection), await icdrVersionsFor(facility)]
  assert.deepEqual(duplicates(local), [])
  assert.deepEqual(
    {
      missing: master.filter((item) => !local.includes(item)),
      extra: local.filter((item) => !master.includes(item)),
    },
    { missing: [], extra: [] }
  )
}

function duplicates(list: string[]) {
  return list.filter((item, index) => list.indexOf(item) !== index)
}

function patient(id: string, facility: string, family: string) {
  return {
    resourceType: 'Patient',
    id,
    identifier: [{ system: 'urn:outpost:test:mrn', value: id }],
    name: [{ family, given: ['Sync'] }],
    gender: 'female',
    birthDate: '2024-03-01',
    managingOrganization: { reference: `Organization/${facility}` },
  }
}

/** A push item creating a patient, as an edge's outbox sends it. */
function newPatientItem(resource: { id: string } & Record<string, unknown>) {
  return {
    key: randomUUID(),
    type: 'Patient',
    id: resource.id,
    method: 'create',
    baseVersion: 0,
    content: JSON.stringify(resource),
  }
}

function immunization(id: string, patientId: string, date: string) {
  return {
    resourceType: 'Immunization',
    id,
    status: 'completed',
    vaccineCode: { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: '08' }] },
    patient: { reference: `Patient/${patientId}` },
    occurrenceDateTime: date,
  }
}

/** A change made on the iCDR, written straight to its store as an import would (no rules). */
async function write(trx: any, resource: Record<string, any>) {
  const store = await app.container.make(FhirStore)
  return store.write(trx, {
    type: resource.resourceType,
    id: resource.id,
    method: 'update',
    resource: resource as any,
    preserved: resource,
  })
}

/** The master dataset. */
async function seedIcdr() {
  await db.connection('mysql').transaction(async (trx) => {
    for (const facility of [FAC_A, FAC_B]) {
      await write(trx, { resourceType: 'Organization', id: facility, name: facility })
    }
  })
  const all = [
    ...Array.from({ length: PATIENTS_A }, (_, n) => ({ n, facility: FAC_A })),
    ...Array.from({ length: PATIENTS_B }, (_, n) => ({ n: PATIENTS_A + n, facility: FAC_B })),
  ]
  for (let start = 0; start < all.length; start += 100) {
    await db.connection('mysql').transaction(async (trx) => {
      for (const { n, facility } of all.slice(start, start + 100)) {
        const id = `p-${run}-${n}`
        await write(trx, patient(id, facility, `Family${n}`))
        await write(trx, immunization(`i1-${run}-${n}`, id, '2024-04-12'))
        await write(trx, immunization(`i2-${run}-${n}`, id, '2024-05-10'))
      }
    })
  }
}

test.group('Sync between the iCDR and its edges', (group) => {
  const edges: Edge[] = []
  let adminToken: string
  let handClientToken: string
  let proxy: LossyProxy
  const [edgeA, edgeB, edgeC] = [{} as Edge, {} as Edge, {} as Edge]

  async function enrolledEdge(target: Edge, name: string, facility: string, icdrUrl: string) {
    const created = await call(icdrBase(), 'POST', '/api/v1/devices', adminToken, {
      name: `${name}-${run}`,
      role: 'gateway',
      facilityIds: [facility],
    })
    if (created.status !== 201) {
      throw new Error(`device not created: ${JSON.stringify(created.json)}`)
    }
    const node = await startNode({ APP_ROLE: 'gateway', APP_KEY })
    const connection = `sync_${name}_${run}`
    db.manager.add(connection, {
      ...app.config.get<any>('database.connections.sqlite'),
      connection: { filename: node.sqlitePath },
    })
    const enrolled = await node.ace(['edge:enroll', '--icdr', icdrUrl, '--code', created.json.code])
    if (enrolled.code !== 0) {
      throw new Error(`enrolment failed: ${enrolled.output}`)
    }
    const clients = new ApiClientService(db.connection(connection) as any)
    Object.assign(target, {
      name: `${name}-${run}`,
      node,
      connection,
      token: await clients.register('sync-tests', ['fhir', 'sync']),
    })
    edges.push(target)
  }

  group.setup(async () => {
    const clients = new ApiClientService(db.connection('mysql') as any)
    adminToken = await clients.register(`sync-admin-${run}`, ['admin'])
    handClientToken = await clients.register(`sync-hand-${run}`, ['device'])
    await seedIcdr()
    const { port } = new URL(icdrBase())
    proxy = await lossyProxy({ host: '127.0.0.1', port: Number(port) })
    await enrolledEdge(edgeA, 'edge-a', FAC_A, icdrBase())
    await enrolledEdge(edgeB, 'edge-b', FAC_B, icdrBase())
    await enrolledEdge(edgeC, 'edge-c', FAC_B, proxy.url)
    return async () => {
      for (const edge of edges) {
        await db.manager.close(edge.connection)
        await edge.node.stop()
      }
      await proxy.close()
    }
  })

  test('an edge pulls its facility’s patients and the shared reference data, each version once', async ({
    assert,
  }) => {
    const first = await syncRun(edgeA)
    assert.equal(first.code, 0, first.output)
    assert.match(first.output, /pull \[#+\] \d+\/\d+/)

    const expected = await icdrVersionsFor(FAC_A)
    const pulled = await versionsOf(edgeA.connection)
    assert.isAbove(expected.length, PATIENTS_A * 3)
    assert.deepEqual(duplicates(pulled), [])
    assert.deepEqual(pulled, expected)
    const other = await db
      .connection(edgeA.connection)
      .from('fhir_resources')
      .where('id', `p-${run}-${PATIENTS_A}`)
      .first()
    assert.isNull(other, 'a patient of another facility stays off this edge')

    const overview = await app.container.make(DeviceOverviewService)
    const device = await overview.find(edgeA.name)
    assert.isNotNull(device?.lastSyncAt, 'the fleet view knows when the edge last caught up')
    assert.isBelow(device!.syncLagSeconds!, 120)
  }).timeout(240_000)

  test('incremental pulls bring new versions and deletes', async ({ assert }) => {
    const id = `p-${run}-1`
    const store = await app.container.make(FhirStore)
    await db.connection('mysql').transaction(async (trx) => {
      await write(trx, patient(id, FAC_A, 'Renamed'))
      await store.write(trx, { type: 'Immunization', id: `i2-${run}-2`, method: 'delete' })
    })
    const again = await syncRun(edgeA)
    assert.equal(again.code, 0, again.output)
    const local = await currentRow(edgeA.connection, 'Patient', id)
    assert.include(local.content, 'Renamed')
    const removed = await db
      .connection(edgeA.connection)
      .from('fhir_resources')
      .where({ resource_type: 'Immunization', id: `i2-${run}-2` })
      .first()
    assert.isTrue(Boolean(Number(removed.deleted)))
    await assertConverged(assert, edgeA, FAC_A)
  }).timeout(120_000)

  test('a patient who moves to the facility arrives with their whole record', async ({
    assert,
  }) => {
    const id = `p-${run}-${PATIENTS_A + 1}`
    await db.connection('mysql').transaction((trx) => write(trx, patient(id, FAC_A, 'Moved')))
    const moved = await syncRun(edgeA)
    assert.equal(moved.code, 0, moved.output)
    const record = await db
      .connection(edgeA.connection)
      .from('fhir_resources')
      .where('patient_id', id)
      .where('derived', false)
      .select('resource_type')
    assert.sameMembers(
      record.map((row) => row.resource_type),
      ['Patient', 'Immunization', 'Immunization']
    )
    await assertConverged(assert, edgeA, FAC_A)
  }).timeout(120_000)

  test('local writes are pushed once, deletes too, and the edge keeps the iCDR’s versions', async ({
    assert,
  }) => {
    const id = `local-${run}`
    const created = await call(
      edgeA.node.url,
      'PUT',
      `/fhir/Patient/${id}`,
      edgeA.token,
      patient(id, FAC_A, 'Local')
    )
    assert.oneOf(created.status, [200, 201], JSON.stringify(created.json))
    const gone = await call(edgeA.node.url, 'DELETE', `/fhir/Immunization/i1-${run}-3`, edgeA.token)
    assert.oneOf(gone.status, [200, 204])
    const outbox = await db
      .connection(edgeA.connection)
      .from('sync_outbox')
      .select('resource_type', 'method')
    assert.sameDeepMembers(outbox, [
      { resource_type: 'Patient', method: 'update' },
      { resource_type: 'Immunization', method: 'delete' },
    ])

    const pushed = await syncRun(edgeA)
    assert.equal(pushed.code, 0, pushed.output)
    assert.lengthOf(await db.connection(edgeA.connection).from('sync_outbox'), 0)
    const onIcdr = await db
      .connection('mysql')
      .from('fhir_resource_versions')
      .where({ resource_type: 'Patient', id })
    assert.lengthOf(onIcdr, 1)
    const deleted = await db
      .connection('mysql')
      .from('fhir_resources')
      .where({ resource_type: 'Immunization', id: `i1-${run}-3` })
      .first()
    assert.isTrue(Boolean(Number(deleted.deleted)))
    await assertConverged(assert, edgeA, FAC_A)
  }).timeout(120_000)

  test('an edge killed in the middle of a pull resumes and converges', async ({ assert }) => {
    await db.connection('mysql').transaction(async (trx) => {
      for (let n = 0; n < 600; n++) {
        await write(trx, immunization(`i3-${run}-${n}`, `p-${run}-${n}`, '2024-06-10'))
      }
    })
    const interrupted = await syncRun(edgeA, { killAfter: /pull \[/ })
    assert.isTrue(interrupted.killed, interrupted.output)
    const resumed = await syncRun(edgeA)
    assert.equal(resumed.code, 0, resumed.output)
    await assertConverged(assert, edgeA, FAC_A)
  }).timeout(180_000)

  test('an edge killed in the middle of a push resumes without duplicates', async ({ assert }) => {
    for (let n = 0; n < 260; n++) {
      const id = `burst-${run}-${n}`
      const saved = await call(
        edgeA.node.url,
        'PUT',
        `/fhir/Patient/${id}`,
        edgeA.token,
        patient(id, FAC_A, `Burst${n}`)
      )
      assert.oneOf(saved.status, [200, 201])
    }
    const interrupted = await syncRun(edgeA, { killAfter: /push \[/ })
    assert.isTrue(interrupted.killed, interrupted.output)
    const resumed = await syncRun(edgeA)
    assert.equal(resumed.code, 0, resumed.output)
    assert.lengthOf(await db.connection(edgeA.connection).from('sync_outbox'), 0)
    const versions = await db
      .connection('mysql')
      .from('fhir_resource_versions')
      .where('id', 'like', `burst-${run}-%`)
    assert.lengthOf(versions, 260)
    await assertConverged(assert, edgeA, FAC_A)
  }).timeout(180_000)

  test('a link that drops requests or loses answers after the iCDR committed converges', async ({
    assert,
  }) => {
    await syncedOk(assert, edgeC)
    for (let n = 0; n < 30; n++) {
      const id = `flaky-${run}-${n}`
      await call(
        edgeC.node.url,
        'PUT',
        `/fhir/Patient/${id}`,
        edgeC.token,
        patient(id, FAC_B, `Flaky${n}`)
      )
    }
    proxy.mode('cut-requests')
    const cut = await syncRun(edgeC)
    assert.equal(cut.code, 1, cut.output)
    assert.match(cut.output, /offline/)

    proxy.mode('lose-responses')
    const lost = await syncRun(edgeC)
    assert.equal(lost.code, 1, lost.output)
    const committed = await db
      .connection('mysql')
      .from('fhir_resource_versions')
      .where('id', 'like', `flaky-${run}-%`)
    assert.isAbove(committed.length, 0, 'the iCDR applied the push whose answer was lost')

    proxy.mode('pass')
    const healed = await syncRun(edgeC)
    assert.equal(healed.code, 0, healed.output)
    const versions = await db
      .connection('mysql')
      .from('fhir_resource_versions')
      .where('id', 'like', `flaky-${run}-%`)
    assert.lengthOf(versions, 30)
    assert.lengthOf(await db.connection(edgeC.connection).from('sync_outbox'), 0)
    await assertConverged(assert, edgeC, FAC_B)
  }).timeout(180_000)

  test('a push sent twice at once is applied once and answered the same', async ({ assert }) => {
    const id = `twice-${run}`
    const body = {
      batchKey: randomUUID(),
      items: [newPatientItem(patient(id, FAC_B, 'Twice'))],
    }
    const [one, two] = await Promise.all([
      call(icdrBase(), 'POST', '/api/v1/sync/push', handClientToken, body),
      call(icdrBase(), 'POST', '/api/v1/sync/push', handClientToken, body),
    ])
    assert.equal(one.status, 200, JSON.stringify(one.json))
    assert.deepEqual(one.json, two.json)
    assert.equal(one.json.answers[0].status, 'accepted')
    const versions = await db
      .connection('mysql')
      .from('fhir_resource_versions')
      .where({ resource_type: 'Patient', id })
    assert.lengthOf(versions, 1)
  })

  test('the same patient edited on two edges offline becomes a conflict a person resolves, no version lost', async ({
    assert,
  }) => {
    await syncedOk(assert, edgeB)
    await syncedOk(assert, edgeC)
    const id = `p-${run}-${PATIENTS_A + 5}`
    const onB = await call(edgeB.node.url, 'PUT', `/fhir/Patient/${id}`, edgeB.token, {
      ...patient(id, FAC_B, 'FromB'),
      gender: 'other',
    })
    const onC = await call(edgeC.node.url, 'PUT', `/fhir/Patient/${id}`, edgeC.token, {
      ...patient(id, FAC_B, 'FromC'),
      birthDate: '2024-03-02',
    })
    assert.equal(onB.status, 200, JSON.stringify(onB.json))
    assert.equal(onC.status, 200, JSON.stringify(onC.json))

    await syncedOk(assert, edgeC)
    const conflicted = await syncRun(edgeB)
    assert.equal(conflicted.code, 0, conflicted.output)
    assert.match(conflicted.output, /1 conflict/)

    const centre = await call(edgeB.node.url, 'GET', '/sync/status', edgeB.token)
    assert.equal(centre.status, 200, JSON.stringify(centre.json))
    assert.lengthOf(centre.json.conflicts, 1)
    const [conflict] = centre.json.conflicts
    assert.include(conflict.mine, 'FromB')
    assert.include(conflict.theirs, 'FromC')
    const queue = await call(icdrBase(), 'GET', '/api/v1/sync/conflicts?status=open', adminToken)
    assert.isTrue(queue.json.some((each: any) => each.resourceId === id))

    const merged = { ...patient(id, FAC_B, 'FromC'), gender: 'other', birthDate: '2024-03-02' }
    const resolved = await call(
      edgeB.node.url,
      'POST',
      `/sync/conflicts/${conflict.id}/resolve`,
      edgeB.token,
      {
        choice: 'merge',
        resource: merged,
      }
    )
    assert.equal(resolved.status, 204, JSON.stringify(resolved.json))
    await syncedOk(assert, edgeB)
    await syncedOk(assert, edgeC)

    const history = await db
      .connection('mysql')
      .from('fhir_resource_versions')
      .where({ resource_type: 'Patient', id })
      .orderBy('version_id')
    assert.deepEqual(
      history.map((row) => Number(row.version_id)),
      [1, 2, 3]
    )
    assert.include(history[2].content, '"gender":"other"')
    assert.include(history[2].content, '2024-03-02')
    const kept = await db
      .connection('mysql')
      .from('sync_conflicts')
      .where({ resource_id: id })
      .first()
    assert.equal(kept.status, 'resolved')
    assert.include(kept.mine, 'FromB')
    for (const edge of [edgeB, edgeC]) {
      const local = await currentRow(edge.connection, 'Patient', id)
      assert.equal(Number(local.version_id), 3)
      assert.include(local.content, '"gender":"other"')
    }
  }).timeout(180_000)

  /** Edits the same patient on edges C then B, syncs both: B holds a conflict. */
  async function conflictOn(assert: any, n: number) {
    const id = `p-${run}-${PATIENTS_A + n}`
    await call(
      edgeC.node.url,
      'PUT',
      `/fhir/Patient/${id}`,
      edgeC.token,
      patient(id, FAC_B, 'EditC')
    )
    await call(
      edgeB.node.url,
      'PUT',
      `/fhir/Patient/${id}`,
      edgeB.token,
      patient(id, FAC_B, 'EditB')
    )
    await syncedOk(assert, edgeC)
    await syncedOk(assert, edgeB)
    const centre = await call(edgeB.node.url, 'GET', '/sync/status', edgeB.token)
    const conflict = centre.json.conflicts.find((each: any) => each.resourceId === id)
    assert.exists(conflict, JSON.stringify(centre.json))
    const queue = await call(icdrBase(), 'GET', '/api/v1/sync/conflicts?status=open', adminToken)
    const remote = queue.json.find((each: any) => each.resourceId === id)
    return { id, conflict, remote }
  }

  test('keeping theirs at the edge leaves the iCDR’s version and closes the conflict on both sides', async ({
    assert,
  }) => {
    const { id, conflict, remote } = await conflictOn(assert, 7)
    const resolved = await call(
      edgeB.node.url,
      'POST',
      `/sync/conflicts/${conflict.id}/resolve`,
      edgeB.token,
      {
        choice: 'theirs',
      }
    )
    assert.equal(resolved.status, 204, JSON.stringify(resolved.json))
    const local = await currentRow(edgeB.connection, 'Patient', id)
    assert.include(local.content, 'EditC')
    await syncedOk(assert, edgeB)
    const kept = await db.connection('mysql').from('sync_conflicts').where('id', remote.id).first()
    assert.include(kept, { status: 'resolved', resolution: 'theirs' })
    const history = await db
      .connection('mysql')
      .from('fhir_resource_versions')
      .where({ resource_type: 'Patient', id })
    assert.lengthOf(history, 2)
    assert.lengthOf(await outboxRows(edgeB, id), 0)
  }).timeout(120_000)

  test('a conflict an administrator resolves on the iCDR reaches the edge that raised it', async ({
    assert,
  }) => {
    const { id, remote } = await conflictOn(assert, 8)
    const resolved = await call(
      icdrBase(),
      'POST',
      `/api/v1/sync/conflicts/${remote.id}/resolve`,
      adminToken,
      {
        choice: 'mine',
      }
    )
    assert.equal(resolved.status, 200, JSON.stringify(resolved.json))
    await syncedOk(assert, edgeB)
    await syncedOk(assert, edgeC)
    for (const edge of [edgeB, edgeC]) {
      const local = await currentRow(edge.connection, 'Patient', id)
      assert.equal(Number(local.version_id), 3)
      assert.include(local.content, 'EditB')
    }
    const mirrored = await db
      .connection(edgeB.connection)
      .from('sync_conflicts')
      .where({ resource_id: id })
      .first()
    assert.include(mirrored, { status: 'resolved', resolution: 'mine' })
    assert.lengthOf(await outboxRows(edgeB, id), 0)
  }).timeout(120_000)

  test('what an edge accepted offline is flagged on the iCDR, not refused; what cannot be stored is rejected with reasons', async ({
    assert,
  }) => {
    const family = `Unnamed-${run}`
    const packs = await app.container.make(PackRepository)
    await packs.store(
      {
        id: `given-name-required-${run}`,
        version: '1.0.0',
        title: 'A given name is required',
        publisher: 'tests',
        status: 'active',
        requires: '>=0.1.0',
        kind: 'business',
        facts: ['resource'],
        triggers: [{ resourceTypes: ['Patient'], events: ['beforeSave'] }],
        rules: [
          {
            name: 'given-name',
            conditions: {
              all: [
                { fact: 'resource', path: '$.name[0].family', operator: 'equal', value: family },
              ],
            },
            event: {
              type: 'reject',
              params: { message: 'Record the given name', path: 'Patient.name' },
            },
          },
        ],
      } as unknown as RulePack,
      'active',
      'tests-sync'
    )
    const flagged = `flagged-${run}`
    const unknown = `bad-${run}`
    try {
      const answer = await call(icdrBase(), 'POST', '/api/v1/sync/push', handClientToken, {
        batchKey: randomUUID(),
        items: [
          newPatientItem(patient(flagged, FAC_B, family)),
          newPatientItem({ ...patient(unknown, FAC_B, 'Bad'), colour: 'blue' }),
        ],
      })
      assert.equal(answer.status, 200, JSON.stringify(answer.json))
      const [accepted, rejected] = answer.json.answers
      assert.equal(accepted.status, 'accepted', JSON.stringify(accepted))
      assert.equal(rejected.status, 'rejected')
      assert.match(rejected.issues[0].message, /colour/)
      const issues = await db
        .connection('mysql')
        .from('fhir_resources')
        .where({ resource_type: 'DetectedIssue', patient_id: flagged })
      assert.lengthOf(issues, 1, 'the rule that refuses a form flags the synced record')
      assert.include(issues[0].content, 'Record the given name')
      assert.isNull(await currentRow('mysql', 'Patient', unknown))
    } finally {
      await db.from('rule_packs').where('origin', 'tests-sync').update({ status: 'retired' })
      packs.invalidate()
    }
  })

  test('an edge cannot change the record of another facility’s patient: the change is rejected and kept', async ({
    assert,
  }) => {
    const id = `p-${run}-3`
    const before = await currentRow('mysql', 'Patient', id)
    const saved = await call(
      edgeB.node.url,
      'PUT',
      `/fhir/Patient/${id}`,
      edgeB.token,
      patient(id, FAC_B, 'Taken')
    )
    assert.oneOf(saved.status, [200, 201], JSON.stringify(saved.json))
    await syncedOk(assert, edgeB)

    const after = await currentRow('mysql', 'Patient', id)
    assert.equal(after.content, before.content)
    const centre = await call(edgeB.node.url, 'GET', '/sync/status', edgeB.token)
    const rejected = centre.json.rejected.find((row: any) => row.resourceId === id)
    assert.exists(rejected, JSON.stringify(centre.json.rejected))
    assert.match(rejected.issues[0].message, /outside this device's facilities/)
  }).timeout(60_000)

  test('changes waiting behind a long dead-letter list are still pushed', async ({ assert }) => {
    const outbox = () => db.connection(edgeC.connection).table('sync_outbox')
    const stuck = Array.from({ length: 1100 }, (_, n) => ({
      item_key: `stuck-${run}-${n}`,
      resource_type: 'Observation',
      resource_id: `stuck-${run}-${n}`,
      method: 'update',
      base_version: 0,
      content: null,
      state: 'rejected',
      issues: JSON.stringify([{ message: 'kept for a person to look at' }]),
      created_at: Date.now(),
    }))
    for (let start = 0; start < stuck.length; start += 100) {
      await outbox().multiInsert(stuck.slice(start, start + 100))
    }
    const id = `behind-${run}`
    await call(
      edgeC.node.url,
      'PUT',
      `/fhir/Patient/${id}`,
      edgeC.token,
      patient(id, FAC_B, 'Behind')
    )
    try {
      await syncedOk(assert, edgeC)
      const pushed = await currentRow('mysql', 'Patient', id)
      assert.exists(pushed, 'the pending change got past the rejected ones')
    } finally {
      await db
        .connection(edgeC.connection)
        .from('sync_outbox')
        .where('item_key', 'like', `stuck-${run}-%`)
        .delete()
    }
  }).timeout(60_000)

  test('a revoked device can no longer pull or push', async ({ assert }) => {
    const revoked = await call(
      icdrBase(),
      'POST',
      `/api/v1/devices/${edgeA.name}/revoke`,
      adminToken
    )
    assert.equal(revoked.status, 204)
    const id = `after-revoke-${run}`
    await call(
      edgeA.node.url,
      'PUT',
      `/fhir/Patient/${id}`,
      edgeA.token,
      patient(id, FAC_A, 'Late')
    )
    const refused = await syncRun(edgeA)
    assert.equal(refused.code, 1, refused.output)
    assert.match(refused.output, /refused this edge's sync \(401\)/)
    assert.isNull(await currentRow('mysql', 'Patient', id))
    assert.lengthOf(await outboxRows(edgeA, id), 1)
  }).timeout(60_000)
})
