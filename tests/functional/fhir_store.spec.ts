import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import { FhirError } from '#interop/fhir/fhir_error'
import { parseFhirJson, withTopLevel } from '#interop/fhir/fhir_json'
import { DATE_PREFIXES, dateRangeMatches, type DatePrefix } from '#interop/fhir/search_dates'
import { extractIndexEntries, type DateIndexEntry } from '#interop/fhir/search_parameters'
import { parseSearchQuery } from '#interop/fhir/search_query'
import { FhirStore, type SaveInput } from '#services/fhir_store'

const CORPORA = join(process.cwd(), '..', 'shared', 'corpora')
/** Every resource a test writes carries this identifier with the test's own key. */
const TEST_SYSTEM = 'urn:outpost:test'

function example(file: string): string {
  return readFileSync(join(CORPORA, 'fhir-r4', file), 'utf8')
}

function synthea(type: string): string[] {
  return readFileSync(join(CORPORA, 'synthea', `${type}.000.ndjson`), 'utf8')
    .trim()
    .split('\n')
}

/**
 * A corpus resource under a fresh id, tagged with `key`, with top-level
 * elements replaced by `changes` (in both the plain and the preserved copy).
 */
function fresh(
  text: string,
  key: string,
  changes: Record<string, unknown> = {},
  id: string = randomUUID()
) {
  const { resource, preserved } = parseFhirJson(text)
  const own = (resource as { identifier?: unknown[] }).identifier ?? []
  const identity = { id, identifier: [...own, { system: TEST_SYSTEM, value: key }], ...changes }
  return {
    type: (resource as { resourceType: string }).resourceType,
    id,
    resource: withTopLevel(resource, identity) as unknown as SaveInput['resource'],
    preserved: withTopLevel(preserved, identity),
  }
}

type Fresh = ReturnType<typeof fresh>

function save(
  client: QueryClientContract,
  store: FhirStore,
  item: Fresh,
  method: 'create' | 'update' = 'create',
  expectedVersion?: number
) {
  return client.transaction((trx) => store.write(trx, { ...item, method, expectedVersion }))
}

function remove(client: QueryClientContract, store: FhirStore, type: string, id: string) {
  return client.transaction((trx) => store.write(trx, { type, id, method: 'delete' }))
}

/** Ids of the matches of `type?params`, restricted to the resources of one test. */
async function searchIds(store: FhirStore, key: string, type: string, params: string) {
  const query = parseSearchQuery(type, [
    ...new URLSearchParams(params),
    ['identifier', `${TEST_SYSTEM}|${key}`],
  ])
  const { rows } = await store.search(query)
  return rows.map((row) => row.id)
}

async function rejection(promise: Promise<unknown>): Promise<FhirError> {
  try {
    await promise
  } catch (error) {
    if (error instanceof FhirError) {
      return error
    }
    throw error
  }
  throw new Error('expected a FhirError')
}

const patientText = example('patient-example-f001-pieter.json')
const immunizationText = example('immunization-example.json')

for (const connection of ['mysql', 'sqlite']) {
  const client = () => db.connection(connection)
  const storeOf = () => new FhirStore(client())

  test.group(`FHIR store on ${connection}: versions`, () => {
    test('a created resource reads back at version 1, its meta set and its decimals as written', async ({
      assert,
    }) => {
      const store = storeOf()
      const text = example('observation-example.json').replace('"value": 185', '"value": 1.30')
      const observation = fresh(text, randomUUID())
      const written = await save(client(), store, observation)
      assert.include(written, { versionId: 1, created: true })

      const stored = await store.read('Observation', observation.id)
      assert.equal(stored!.content, written.content)
      assert.include(stored!.content, '"value":1.30')
      assert.deepInclude(stored, { versionId: 1, deleted: false, lastUpdated: written.lastUpdated })
      assert.match(written.lastUpdated, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
      const content = JSON.parse(stored!.content)
      assert.deepEqual(Object.keys(content).slice(0, 3), ['resourceType', 'id', 'meta'])
      assert.deepEqual(content.meta, {
        versionId: '1',
        lastUpdated: written.lastUpdated,
        tag: (observation.resource as any).meta.tag,
      })
      const version = await store.vread('Observation', observation.id, 1)
      assert.equal(version!.content, written.content)
      assert.isNull(await store.read('Observation', randomUUID()))
    })

    test('updates make numbered versions that vread and history give back, newest first', async ({
      assert,
    }) => {
      const store = storeOf()
      const patient = fresh(patientText, randomUUID())
      await save(client(), store, patient)
      await save(client(), store, fresh(patientText, 'v2', {}, patient.id), 'update')
      const third = await save(client(), store, fresh(patientText, 'v3', {}, patient.id), 'update')
      assert.include(third, { versionId: 3, created: false })

      for (const versionId of [1, 2, 3]) {
        const version = await store.vread('Patient', patient.id, versionId)
        assert.equal(JSON.parse(version!.content!).meta.versionId, String(versionId))
      }
      assert.isNull(await store.vread('Patient', patient.id, 4))

      const history = await store.history('Patient', patient.id, { count: 10, offset: 0 })
      assert.equal(history.total, 3)
      assert.deepEqual(
        history.entries.map((entry) => entry.versionId),
        [3, 2, 1]
      )
      const page = await store.history('Patient', patient.id, { count: 1, offset: 1 })
      assert.deepEqual(
        page.entries.map((entry) => entry.versionId),
        [2]
      )
      const since = await store.history('Patient', patient.id, {
        count: 10,
        offset: 0,
        since: third.lastUpdated,
      })
      assert.include(
        since.entries.map((entry) => entry.versionId),
        3
      )
      assert.isTrue(since.entries.every((entry) => entry.lastUpdated >= third.lastUpdated))

      const typeHistory = await store.history('Patient', undefined, { count: 3, offset: 0 })
      assert.deepEqual(
        typeHistory.entries.map((entry) => [entry.id, entry.versionId]),
        [
          [patient.id, 3],
          [patient.id, 2],
          [patient.id, 1],
        ]
      )
      assert.isAtLeast(typeHistory.total, 3)
    })

    test('a delete is a version without content; deleting again changes nothing; an update revives', async ({
      assert,
    }) => {
      const store = storeOf()
      const key = randomUUID()
      const patient = fresh(patientText, key)
      await save(client(), store, patient)
      const deleted = await remove(client(), store, 'Patient', patient.id)
      assert.include(deleted, { versionId: 2, content: null, created: false })
      assert.deepInclude(await store.read('Patient', patient.id), { versionId: 2, deleted: true })
      assert.deepInclude(await store.vread('Patient', patient.id, 2), {
        content: null,
        deleted: true,
        method: 'delete',
      })
      assert.isNull(await remove(client(), store, 'Patient', patient.id))
      assert.isNull(await remove(client(), store, 'Patient', randomUUID()))
      assert.deepEqual(await searchIds(store, key, 'Patient', ''), [])

      const revived = await save(client(), store, patient, 'update')
      assert.include(revived, { versionId: 3, created: true })
      assert.deepInclude(await store.read('Patient', patient.id), { versionId: 3, deleted: false })
      assert.deepEqual(await searchIds(store, key, 'Patient', ''), [patient.id])
    })

    test('a create on a live id is refused (409), and so is a stale expected version (412)', async ({
      assert,
    }) => {
      const store = storeOf()
      const patient = fresh(patientText, randomUUID())
      await save(client(), store, patient)

      const duplicate = await rejection(save(client(), store, patient))
      assert.include(duplicate, { code: 'E_FHIR_CONFLICT', status: 409 })
      const stale = await rejection(save(client(), store, patient, 'update', 2))
      assert.include(stale, { code: 'E_FHIR_PRECONDITION_FAILED', status: 412 })
      const missing = await rejection(save(client(), store, fresh(patientText, 'x'), 'update', 1))
      assert.equal(missing.status, 412)

      assert.include(await save(client(), store, patient, 'update', 1), { versionId: 2 })
      const history = await store.history('Patient', patient.id, { count: 10, offset: 0 })
      assert.equal(history.total, 2)
    })

    test('a client-supplied id is kept, and an update of a new id creates it', async ({
      assert,
    }) => {
      const store = storeOf()
      const id = `f001-${randomUUID().slice(0, 8)}`
      const written = await save(client(), store, fresh(patientText, 'id', {}, id), 'update')
      assert.include(written, { versionId: 1, created: true })
      assert.equal(JSON.parse((await store.read('Patient', id))!.content).id, id)
    })

    test('ten concurrent updates of one resource make versions 2 to 11, numbered in commit order', async ({
      assert,
    }) => {
      const store = storeOf()
      const patient = fresh(patientText, randomUUID())
      const checkpoint = await store.currentSequence()
      await save(client(), store, patient)
      const updates = await Promise.all(
        Array.from({ length: 10 }, (_, index) =>
          save(client(), store, fresh(patientText, `update-${index}`, {}, patient.id), 'update')
        )
      )
      assert.sameMembers(
        updates.map((update) => update.versionId),
        [2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
      )
      assert.lengthOf(new Set(updates.map((update) => update.seq)), 10)

      const pulled = await store.changesSince(checkpoint, 1000)
      const changes = pulled.filter((change) => change.id === patient.id)
      assert.deepEqual(
        changes.map((change) => change.versionId),
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
      )
      const seqs = changes.map((change) => change.seq)
      assert.deepEqual(
        seqs,
        [...seqs].sort((a, b) => a - b)
      )
      assert.lengthOf(new Set(seqs), 11)
      assert.equal((await store.read('Patient', patient.id))!.versionId, 11)
    })

    test('a rolled-back write leaves no gap in the change sequence', async ({ assert }) => {
      const store = storeOf()
      const before = await store.currentSequence()
      const trx = await client().transaction()
      await store.write(trx, { ...fresh(patientText, 'rolled back'), method: 'create' })
      await trx.rollback()
      assert.equal(await store.currentSequence(), before)

      const written = await save(client(), store, fresh(patientText, 'kept'))
      assert.equal(written.seq, before + 1)
      assert.equal(await store.currentSequence(), before + 1)
    })
  })

  test.group(`FHIR store on ${connection}: search`, () => {
    test('tokens match by code alone, by system and code, and by system alone', async ({
      assert,
    }) => {
      const store = storeOf()
      const key = randomUUID()
      const [first, second] = synthea('Immunization').map((line) => fresh(line, key))
      await save(client(), store, first)
      await save(client(), store, second)
      const firstCode = (first.resource as any).vaccineCode.coding[0].code
      const ids = (params: string) => searchIds(store, key, 'Immunization', params)

      assert.deepEqual(await ids(`vaccine-code=${firstCode}`), [first.id])
      assert.deepEqual(await ids(`vaccine-code=http://hl7.org/fhir/sid/cvx|${firstCode}`), [
        first.id,
      ])
      assert.deepEqual(await ids(`vaccine-code=http://other|${firstCode}`), [])
      assert.deepEqual(await ids(`vaccine-code=|${firstCode}`), [])
      assert.sameMembers(await ids('vaccine-code=http://hl7.org/fhir/sid/cvx|'), [
        first.id,
        second.id,
      ])
      assert.sameMembers(await ids('status=http://hl7.org/fhir/event-status|completed'), [
        first.id,
        second.id,
      ])
    })

    test('strings match from the start by default, whole and as written with :exact, anywhere with :contains', async ({
      assert,
    }) => {
      const store = storeOf()
      const key = randomUUID()
      const name = (family: string, given: string) => ({ name: [{ family, given: [given] }] })
      const heuvel = fresh(patientText, key, name('van de Heuvel', 'Pieter'))
      const muller = fresh(patientText, key, name('Müller', 'Renée'))
      await save(client(), store, heuvel)
      await save(client(), store, muller)
      const ids = (params: string) => searchIds(store, key, 'Patient', params)

      assert.deepEqual(await ids('family=van de'), [heuvel.id])
      assert.deepEqual(await ids('family=MULLER'), [muller.id])
      assert.deepEqual(await ids('given=renee'), [muller.id])
      assert.deepEqual(await ids('family=heuvel'), [])
      assert.deepEqual(await ids('family:contains=heuv'), [heuvel.id])
      assert.deepEqual(await ids('family:exact=Müller'), [muller.id])
      assert.deepEqual(await ids('family:exact=muller'), [])
      assert.deepEqual(await ids('family:exact=Müll'), [])
      assert.sameMembers(await ids('name=pieter,renee'), [heuvel.id, muller.id])
      assert.deepEqual(await ids('_sort=family'), [muller.id, heuvel.id])
      assert.deepEqual(await ids('_sort=-given'), [muller.id, heuvel.id])
      assert.deepEqual(await ids('name=pieter&family=müller'), [])
    })

    test('dates match by prefix at the precision the value and the search give', async ({
      assert,
    }) => {
      const store = storeOf()
      const key = randomUUID()
      const on = (occurrenceDateTime: string) =>
        fresh(immunizationText, key, { occurrenceDateTime })
      const year = on('2013')
      const day = on('2013-01-10')
      const instant = on('2013-01-10T10:30:00+02:00')
      const later = on('2014-06-01')
      for (const item of [year, day, instant, later]) {
        await save(client(), store, item)
      }
      const ids = (params: string) => searchIds(store, key, 'Immunization', params)

      assert.sameMembers(await ids('date=2013'), [year.id, day.id, instant.id])
      assert.sameMembers(await ids('date=2013-01-10'), [day.id, instant.id])
      assert.sameMembers(await ids('date=eq2013-01-10T08:30:00Z'), [instant.id])
      assert.sameMembers(await ids('date=ge2013-06'), [year.id, later.id])
      assert.sameMembers(await ids('date=gt2013'), [later.id])
      assert.sameMembers(await ids('date=lt2013-01-10'), [year.id])
      assert.sameMembers(await ids('date=le2013-01-10'), [year.id, day.id, instant.id])
      assert.sameMembers(await ids('date=sa2013'), [later.id])
      assert.sameMembers(await ids('date=eb2013-01-11'), [day.id, instant.id])
      assert.sameMembers(await ids('date=ne2013'), [later.id])
      assert.sameMembers(await ids('date=ge2013-01-10&date=lt2013-01-11'), [
        year.id,
        day.id,
        instant.id,
      ])
      assert.sameMembers(await ids('date=2012,2014'), [later.id])
    })

    test('date search in SQL agrees with dateRangeMatches for every prefix, open ends included', async ({
      assert,
    }) => {
      const store = storeOf()
      const key = randomUUID()
      const periods = [
        { start: '2013-01-10' },
        { end: '2013-01-10' },
        { start: '2012-12-31T23:00:00Z', end: '2013-01-01T01:00:00Z' },
        { start: '2013', end: '2013-01-10T10:00:00Z' },
        { start: '2013-01-10T10:00:00.250Z', end: '2013-01-10T10:00:00.250Z' },
      ]
      const encounters = periods.map((period) =>
        fresh(example('encounter-example-f201-20130404.json'), key, { period })
      )
      for (const encounter of encounters) {
        await save(client(), store, encounter)
      }
      const searches = ['2013', '2013-01', '2013-01-10', '2013-01-10T10:00', '2012-12-31T23:30:00Z']
      for (const prefix of Object.keys(DATE_PREFIXES) as DatePrefix[]) {
        for (const value of searches) {
          const [search] = parseSearchQuery('Encounter', [['date', `${prefix}${value}`]]).filters
          const expected = encounters
            .filter((encounter) =>
              extractIndexEntries(encounter.resource)
                .filter((entry): entry is DateIndexEntry => entry.param === 'date')
                .some((entry) => dateRangeMatches(entry, (search.values as any)[0]))
            )
            .map((encounter) => encounter.id)
          const actual = await searchIds(store, key, 'Encounter', `date=${prefix}${value}`)
          assert.sameMembers(actual, expected, `date=${prefix}${value}`)
        }
      }
    })

    test('references and _id match, values OR-ed within a parameter and AND-ed across', async ({
      assert,
    }) => {
      const store = storeOf()
      const key = randomUUID()
      const [mother, child] = [randomUUID(), randomUUID()]
      const forMother = fresh(immunizationText, key, {
        patient: { reference: `Patient/${mother}` },
      })
      const forChild = fresh(immunizationText, key, { patient: { reference: `Patient/${child}` } })
      await save(client(), store, forMother)
      await save(client(), store, forChild)
      const ids = (params: string) => searchIds(store, key, 'Immunization', params)

      assert.deepEqual(await ids(`patient=Patient/${mother}`), [forMother.id])
      assert.deepEqual(await ids(`patient=${child}`), [forChild.id])
      assert.deepEqual(await ids(`patient:Patient=${child}`), [forChild.id])
      assert.sameMembers(await ids(`patient=${mother},${child}`), [forMother.id, forChild.id])
      assert.deepEqual(await ids(`_id=${forMother.id}`), [forMother.id])
      assert.sameMembers(await ids(`_id=${forMother.id},${forChild.id}`), [
        forMother.id,
        forChild.id,
      ])
      assert.deepEqual(await ids(`_id=${forMother.id}&_id=${forChild.id}`), [])
      assert.deepEqual(await ids(`_id=${forMother.id}&patient=${child}`), [])
      assert.deepEqual(await ids(`_id=http://x|${forMother.id}`), [])
    })

    test('pages carry the total, and _sort orders by date both ways', async ({ assert }) => {
      const store = storeOf()
      const key = randomUUID()
      const dates = ['2015-03-01', '2013-01-10', '2016-12-24T08:00:00Z', '2014-07-14', '2012']
      const items = dates.map((occurrenceDateTime) =>
        fresh(immunizationText, key, { occurrenceDateTime })
      )
      const written = []
      for (const item of items) {
        written.push({ id: item.id, ...(await save(client(), store, item)) })
      }
      const byDate = [4, 1, 3, 0, 2].map((index) => items[index].id)
      const search = (params: string) =>
        store.search(
          parseSearchQuery('Immunization', [
            ...new URLSearchParams(params),
            ['identifier', `${TEST_SYSTEM}|${key}`],
          ])
        )

      const first = await search('_sort=date&_count=2')
      assert.equal(first.total, 5)
      assert.deepEqual(
        first.rows.map((row) => row.id),
        byDate.slice(0, 2)
      )
      const last = await search('_sort=date&_count=2&_offset=4')
      assert.deepEqual(
        last.rows.map((row) => row.id),
        byDate.slice(4)
      )
      const descending = await search('_sort=-date')
      assert.deepEqual(
        descending.rows.map((row) => row.id),
        [...byDate].reverse()
      )
      const oldestFirst = await search('_sort=_lastUpdated')
      const byLastUpdated = written
        .toSorted((a, b) => a.lastUpdated.localeCompare(b.lastUpdated) || a.id.localeCompare(b.id))
        .map((item) => item.id)
      assert.deepEqual(
        oldestFirst.rows.map((row) => row.id),
        byLastUpdated
      )
      const recent = await search(`_lastUpdated=ge${written[0].lastUpdated}&_lastUpdated=lt2100`)
      assert.equal(recent.total, 5)
      const exact = await search(`_lastUpdated=${written[4].lastUpdated}`)
      assert.include(
        exact.rows.map((row) => row.id),
        items[4].id
      )
      const ancient = await search('_lastUpdated=lt2000')
      assert.equal(ancient.total, 0)
      const untotalled = await search('_total=none')
      assert.isUndefined(untotalled.total)
      assert.deepEqual(await search('_summary=count'), { total: 5, rows: [] })
    })

    test('_include brings the patients of the matches, each once', async ({ assert }) => {
      const store = storeOf()
      const key = randomUUID()
      const patient = fresh(patientText, key)
      await save(client(), store, patient)
      const reference = { reference: `Patient/${patient.id}` }
      for (const occurrenceDateTime of ['2013-01-10', '2014-01-10']) {
        await save(
          client(),
          store,
          fresh(immunizationText, key, { patient: reference, occurrenceDateTime })
        )
      }
      await save(
        client(),
        store,
        fresh(immunizationText, key, { patient: { reference: 'Patient/missing' } })
      )

      const query = parseSearchQuery('Immunization', [
        ['identifier', `${TEST_SYSTEM}|${key}`],
        ['_include', 'Immunization:patient'],
      ])
      const { rows } = await store.search(query)
      assert.lengthOf(rows, 3)
      const included = await store.include(rows, query.include)
      assert.deepEqual(
        included.map((row) => [row.type, row.id]),
        [['Patient', patient.id]]
      )
      assert.equal(JSON.parse(included[0].content).id, patient.id)

      const owners = await client()
        .from('fhir_resources')
        .whereIn('id', [patient.id, ...rows.map((row) => row.id)])
        .select('patient_id')
      assert.sameMembers(
        owners.map((row) => row.patient_id),
        [patient.id, patient.id, patient.id, 'missing']
      )
    })

    test('SQL-looking and LIKE-special values match only themselves and break nothing', async ({
      assert,
    }) => {
      const store = storeOf()
      const key = randomUUID()
      const named = (family: string) => fresh(patientText, key, { name: [{ family }] })
      const special = named('100%_sure\\')
      const plain = named('1000 sure')
      await save(client(), store, special)
      await save(client(), store, plain)
      const ids = (params: string) =>
        searchIds(store, key, 'Patient', new URLSearchParams(params).toString())

      for (const value of [
        "' OR 1=1 --",
        "x' OR '1'='1",
        '%',
        '_',
        '\\',
        '!',
        '"; DROP TABLE fhir_resources; --',
      ]) {
        assert.deepEqual(await ids(`family=${encodeURIComponent(value)}`), [], value)
        assert.deepEqual(await ids(`_id=${encodeURIComponent(value)}`), [], value)
      }
      assert.deepEqual(await ids('family=100%25'), [special.id])
      assert.deepEqual(await ids('family=100%25_'), [special.id])
      assert.deepEqual(await ids('family:contains=%25_sure%5C'), [special.id])
      assert.deepEqual(await ids('family:exact=100%25_sure%5C'), [special.id])
      assert.deepEqual(await ids('family=1000'), [plain.id])
      assert.lengthOf(await ids(''), 2)
    })

    test('values longer than the index column still match from their start and exactly', async ({
      assert,
    }) => {
      const store = storeOf()
      const key = randomUUID()
      const family = `${'Ab'.repeat(150)}ç${'d'.repeat(20)}`
      const long = fresh(patientText, key, { name: [{ family }] })
      await save(client(), store, long)
      const ids = (params: string) =>
        searchIds(store, key, 'Patient', new URLSearchParams(params).toString())

      assert.deepEqual(await ids(`family=${encodeURIComponent(family.toLowerCase())}`), [long.id])
      assert.deepEqual(await ids(`family=${'ab'.repeat(100)}`), [long.id])
      assert.deepEqual(await ids(`family:exact=${encodeURIComponent(family)}`), [long.id])
      assert.deepEqual(await ids(`family=${'ab'.repeat(100)}x`), [])
    })
  })
}

test.group('FHIR store change sequence under concurrent writers on MariaDB', () => {
  const client = () => db.connection('mysql')

  test('a writer waits for the sequence until the earlier one commits, so a pull never skips', async ({
    assert,
  }) => {
    const store = new FhirStore(client())
    const key = randomUUID()
    const checkpoint = await store.currentSequence()
    const first = fresh(patientText, key)
    const second = fresh(patientText, key)
    const ours = (ids: string[]) => async () => {
      const changes = await store.changesSince(checkpoint, 1000)
      return changes.filter((change) => ids.includes(change.id))
    }

    const trxA = await client().transaction()
    try {
      const writtenA = await store.write(trxA, { ...first, method: 'create' })
      let committedB = false
      const writingB = save(client(), store, second).then((written) => {
        committedB = true
        return written
      })
      await sleep(500)
      assert.isFalse(committedB, 'B waits on the counter row A holds')
      assert.deepEqual(await ours([first.id, second.id])(), [])

      await trxA.commit()
      const writtenB = await writingB
      assert.isBelow(writtenA.seq, writtenB.seq)
      const pulled = await ours([first.id, second.id])()
      assert.deepEqual(
        pulled.map((change) => change.id),
        [first.id, second.id]
      )
    } finally {
      if (!trxA.isCompleted) {
        await trxA.rollback()
      }
    }
  })

  test('numbers follow commit order, not the order transactions began', async ({ assert }) => {
    const store = new FhirStore(client())
    const key = randomUUID()
    const trxA = await client().transaction()
    try {
      await store.read('Patient', randomUUID(), trxA)
      const writtenB = await save(client(), store, fresh(patientText, key))
      const writtenA = await store.write(trxA, { ...fresh(patientText, key), method: 'create' })
      await trxA.commit()
      assert.isAbove(writtenA.seq, writtenB.seq)
    } finally {
      if (!trxA.isCompleted) {
        await trxA.rollback()
      }
    }
  })

  test('concurrent creates of one id: one succeeds, the others are conflicts, none deadlocks', async ({
    assert,
  }) => {
    const store = new FhirStore(client())
    const patient = fresh(patientText, randomUUID())
    const outcomes = await Promise.allSettled(
      Array.from({ length: 5 }, () => save(client(), store, patient))
    )
    const refused = outcomes.filter((outcome) => outcome.status === 'rejected')
    assert.lengthOf(refused, 4)
    for (const outcome of refused) {
      assert.include((outcome as PromiseRejectedResult).reason, { status: 409 })
    }
    assert.equal((await store.read('Patient', patient.id))!.versionId, 1)
  })

  test('a pull polling during twenty concurrent writes sees every change, in order', async ({
    assert,
  }) => {
    const store = new FhirStore(client())
    const key = randomUUID()
    let checkpoint = await store.currentSequence()
    const pulled: number[] = []
    const pull = async () => {
      const page = await store.changesSince(checkpoint, 1000)
      pulled.push(...page.map((change) => change.seq))
      checkpoint = page.at(-1)?.seq ?? checkpoint
    }
    let writing = true
    const writes = Promise.all(
      Array.from({ length: 20 }, () => save(client(), store, fresh(patientText, key)))
    ).finally(() => (writing = false))
    while (writing) {
      await pull()
    }
    await pull()

    const written = await writes
    assert.includeMembers(
      pulled,
      written.map((result) => result.seq)
    )
    assert.deepEqual(
      pulled,
      [...pulled].sort((a, b) => a - b)
    )
    assert.lengthOf(new Set(pulled), pulled.length)
  })

  test('the container builds the store over the default connection', async ({ assert }) => {
    const store = await app.container.make(FhirStore)
    const patient = fresh(patientText, randomUUID())
    await save(client(), new FhirStore(client()), patient)
    assert.equal((await store.read('Patient', patient.id))!.versionId, 1)
  })
})
