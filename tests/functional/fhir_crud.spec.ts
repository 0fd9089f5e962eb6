import { randomUUID } from 'node:crypto'
import { test } from '@japa/runner'
import { FHIR_NODES } from '#tests/helpers/fhir_nodes'
import {
  assertOperationOutcome,
  corpusResource,
  corpusText,
  fhirClient,
  withoutMeta,
  type FhirRequest,
} from '#tests/helpers/fhir_client'

/** The corpus examples of the types Outpost stores. */
const STORED_EXAMPLES = [
  'patient-example-f001-pieter.json',
  'patient-example-f201-roel.json',
  'patient-example-newborn.json',
  'patient-example-mom.json',
  'patient-example-infant-twin-1.json',
  'immunization-example.json',
  'immunization-example-historical.json',
  'immunization-example-refused.json',
  'immunization-example-subpotent.json',
  'immunizationevaluation-example.json',
  'immunizationevaluation-example-notvalid.json',
  'observation-example.json',
  'observation-example-f001-glucose.json',
  'observation-example-bmi.json',
  'observation-example-body-height.json',
  'observation-example-vitals-panel.json',
  'observation-example-bloodpressure.json',
  'encounter-example-f001-heart.json',
  'encounter-example-f201-20130404.json',
  'condition-example-f001-heart.json',
  'practitioner-example-f001-evdb.json',
  'organization-example-f001-burgers.json',
]

/** AuditEvent is the audit repository's, read-only: records arrive over ATNA syslog. */
const AUDIT_EXAMPLES = [
  'audit-event-example-login.json',
  'audit-event-example-search.json',
  'auditevent-example-error.json',
]

for (const node of FHIR_NODES) {
  let fhir: FhirRequest
  const connect = async () => {
    fhir = fhirClient(await node.start())
  }

  test.group(`FHIR API on the ${node.name}: metadata and access`, (group) => {
    group.setup(connect)
    test('metadata is public and lists what the server really supports', async ({ assert }) => {
      const response = await fhir('GET', '/metadata', { token: null })
      assert.equal(response.status, 200)
      assert.equal(response.json.resourceType, 'CapabilityStatement')
      assert.equal(response.json.fhirVersion, '4.0.1')
      const patient = response.json.rest[0].resource.find((r: any) => r.type === 'Patient')
      assert.includeMembers(
        patient.searchParam.map((p: any) => p.name),
        ['identifier', 'name', 'family', 'given', 'birthdate', 'gender', '_id']
      )
      assert.includeMembers(
        patient.interaction.map((i: any) => i.code),
        ['read', 'vread', 'create', 'update', 'delete', 'search-type', 'history-instance']
      )
    })

    test('every other interaction needs a bearer token', async ({ assert }) => {
      const anonymous = await fhir('GET', '/Patient', { token: null })
      assertOperationOutcome(assert, anonymous, 401, { code: 'login' })
      assert.equal(anonymous.headers.get('www-authenticate'), 'Bearer realm="outpost"')
      const forged = await fhir('GET', '/Patient', { token: 'opk_not-a-real-token' })
      assertOperationOutcome(assert, forged, 401)
    })
  })

  test.group(`FHIR API on the ${node.name}: the official examples`, (group) => {
    group.setup(connect)
    for (const file of AUDIT_EXAMPLES) {
      test(`${file} is refused: AuditEvent is written by the audit trail only`, async ({
        assert,
      }) => {
        const resource = corpusResource(file)
        const created = await fhir('POST', '/AuditEvent', { body: resource })
        assertOperationOutcome(assert, created, 405, { code: 'not-supported' })
        const replaced = await fhir('PUT', `/AuditEvent/${resource.id}`, { body: resource })
        assertOperationOutcome(assert, replaced, 405, { code: 'not-supported' })
      })
    }
    for (const file of STORED_EXAMPLES) {
      test(`${file} is created, read back equal, searched and versioned`, async ({ assert }) => {
        const resource = corpusResource(file)
        const { resourceType: type, id } = resource

        const created = await fhir('POST', `/${type}`, { body: resource })
        assert.equal(created.status, 201, created.text)
        assert.equal(created.headers.get('etag'), 'W/"1"')
        assert.match(
          created.headers.get('location')!,
          new RegExp(`/fhir/${type}/${id}/_history/1$`)
        )

        const read = await fhir('GET', `/${type}/${id}`)
        assert.equal(read.status, 200)
        assert.deepEqual(withoutMeta(read.json), withoutMeta(resource))
        assert.equal(read.json.meta.versionId, '1')

        const found = await fhir('GET', `/${type}?_id=${id}`)
        assert.equal(found.json.total, 1)
        assert.equal(found.json.entry[0].resource.id, id)

        const updated = await fhir('PUT', `/${type}/${id}`, {
          body: { ...read.json, meta: undefined },
          headers: { 'if-match': 'W/"1"' },
        })
        assert.equal(updated.status, 200, updated.text)
        assert.equal(updated.json.meta.versionId, '2')

        const history = await fhir('GET', `/${type}/${id}/_history`)
        assert.equal(history.json.type, 'history')
        assert.deepEqual(
          history.json.entry.map((entry: any) => entry.resource.meta.versionId),
          ['2', '1']
        )
      })
    }
  })

  test.group(`FHIR API on the ${node.name}: versions and deletes`, (group) => {
    group.setup(connect)
    test('decimals keep their digits: 1.30 stays 1.30', async ({ assert }) => {
      const original = corpusText('observation-example-body-height.json')
      const asWritten = (id: string, value: string) =>
        original
          .replace('"id": "body-height"', `"id": "${id}"`)
          .replace('"value": 66.899999999999991', `"value": ${value}`)

      const id = randomUUID()
      const created = await fhir('POST', '/Observation', { body: asWritten(id, '1.30') })
      assert.equal(created.status, 201)
      const read = await fhir('GET', `/Observation/${id}`)
      assert.include(read.text, '"value":1.30')

      const noisy = randomUUID()
      await fhir('POST', '/Observation', { body: asWritten(noisy, '66.899999999999991') })
      const noisyRead = await fhir('GET', `/Observation/${noisy}`)
      assert.include(noisyRead.text, '"value":66.899999999999991')
    })

    test('vread returns each version; If-Match with a stale version is refused', async ({
      assert,
    }) => {
      const patient = corpusResource('patient-example-newborn.json')
      await fhir('PUT', `/Patient/${patient.id}`, { body: patient })
      await fhir('PUT', `/Patient/${patient.id}`, { body: { ...patient, gender: 'female' } })
      const first = await fhir('GET', `/Patient/${patient.id}/_history/1`)
      assert.equal(first.json.gender, patient.gender)
      const second = await fhir('GET', `/Patient/${patient.id}/_history/2`)
      assert.equal(second.json.gender, 'female')

      const stale = await fhir('PUT', `/Patient/${patient.id}`, {
        body: { ...patient, gender: 'other' },
        headers: { 'if-match': 'W/"1"' },
      })
      assertOperationOutcome(assert, stale, 412)
      const current = await fhir('GET', `/Patient/${patient.id}`)
      assert.equal(current.json.gender, 'female')
      assert.equal(current.json.meta.versionId, '2')
    })

    test('update of an unknown id creates it with the client id (201)', async ({ assert }) => {
      const patient = corpusResource('patient-example-mom.json')
      const response = await fhir('PUT', `/Patient/${patient.id}`, { body: patient })
      assert.equal(response.status, 201)
      assert.equal(response.json.id, patient.id)
    })

    test('a deleted resource answers 410, stays in history and can come back', async ({
      assert,
    }) => {
      const patient = corpusResource('patient-example-f201-roel.json')
      await fhir('POST', '/Patient', { body: patient })
      const deleted = await fhir('DELETE', `/Patient/${patient.id}`)
      assert.equal(deleted.status, 204)
      assertOperationOutcome(assert, await fhir('GET', `/Patient/${patient.id}`), 410, {
        code: 'deleted',
      })
      const history = await fhir('GET', `/Patient/${patient.id}/_history`)
      assert.equal(history.json.total, 2)
      assert.equal(history.json.entry[0].request.method, 'DELETE')
      const again = await fhir('DELETE', `/Patient/${patient.id}`)
      assert.equal(again.status, 204)
      const back = await fhir('PUT', `/Patient/${patient.id}`, { body: patient })
      assert.equal(back.status, 201)
      assert.equal(back.json.meta.versionId, '3')
    })

    test('a read of an unknown id is a 404 OperationOutcome', async ({ assert }) => {
      assertOperationOutcome(assert, await fhir('GET', `/Patient/${randomUUID()}`), 404, {
        code: 'not-found',
      })
      assertOperationOutcome(assert, await fhir('GET', '/Medication/x'), 404, {
        code: 'not-supported',
      })
    })

    test('conditional create returns the match instead of a duplicate', async ({ assert }) => {
      const value = randomUUID()
      const patient = {
        resourceType: 'Patient',
        identifier: [{ system: 'urn:oid:1.2.3', value }],
        name: [{ family: 'Conditional' }],
      }
      const headers = { 'if-none-exist': `identifier=urn:oid:1.2.3|${value}` }
      const first = await fhir('POST', '/Patient', { body: patient, headers })
      assert.equal(first.status, 201)
      const second = await fhir('POST', '/Patient', { body: patient, headers })
      assert.equal(second.status, 200)
      assert.equal(second.json.id, first.json.id)
      const all = await fhir('GET', `/Patient?identifier=urn:oid:1.2.3|${value}`)
      assert.equal(all.json.total, 1)
    })
  })
}
