import { randomUUID } from 'node:crypto'
import { test } from '@japa/runner'
import { FHIR_NODES } from '#tests/helpers/fhir_nodes'
import {
  assertOperationOutcome,
  corpusResource,
  corpusText,
  fhirClient,
  type FhirRequest,
} from '#tests/helpers/fhir_client'

function withoutId(resource: any) {
  delete resource.id
  return resource
}

/** A transaction made from the official examples, linked by urn:uuid references. */
function clinicTransaction(identifierValue: string) {
  const patientUrn = `urn:uuid:${randomUUID()}`
  const patient = withoutId(corpusResource('patient-example-f001-pieter.json'))
  patient.identifier = [{ system: 'urn:outpost:test:bundle', value: identifierValue }]
  const immunization = withoutId(corpusResource('immunization-example.json'))
  immunization.patient = { reference: patientUrn }
  delete immunization.encounter
  const observation = withoutId(corpusResource('observation-example-bmi.json'))
  observation.subject = { reference: patientUrn }
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      { fullUrl: patientUrn, resource: patient, request: { method: 'POST', url: 'Patient' } },
      {
        fullUrl: `urn:uuid:${randomUUID()}`,
        resource: immunization,
        request: { method: 'POST', url: 'Immunization' },
      },
      {
        fullUrl: `urn:uuid:${randomUUID()}`,
        resource: observation,
        request: { method: 'POST', url: 'Observation' },
      },
    ],
  }
}

for (const node of FHIR_NODES) {
  let fhir: FhirRequest

  test.group(`FHIR Bundles on the ${node.name}`, (group) => {
    group.setup(async () => {
      fhir = fhirClient(await node.start())
    })

    test('a transaction commits every entry and rewrites urn:uuid references', async ({
      assert,
    }) => {
      const value = randomUUID()
      const response = await fhir('POST', '', { body: clinicTransaction(value) })
      assert.equal(response.status, 200, response.text)
      assert.equal(response.json.type, 'transaction-response')
      assert.deepEqual(
        response.json.entry.map((entry: any) => entry.response.status),
        ['201 Created', '201 Created', '201 Created']
      )
      const patientId = response.json.entry[0].response.location.split('/')[1]
      const patients = await fhir('GET', `/Patient?identifier=urn:outpost:test:bundle|${value}`)
      assert.equal(patients.json.entry[0].resource.id, patientId)
      const immunizations = await fhir('GET', `/Immunization?patient=${patientId}`)
      assert.equal(immunizations.json.total, 1)
      assert.equal(immunizations.json.entry[0].resource.patient.reference, `Patient/${patientId}`)
      const observations = await fhir('GET', `/Observation?subject=Patient/${patientId}`)
      assert.equal(observations.json.total, 1)
    })

    test('a transaction with one invalid entry stores nothing', async ({ assert }) => {
      const value = randomUUID()
      const bundle = clinicTransaction(value)
      bundle.entry[2].resource.status = 'almost-final'
      const response = await fhir('POST', '', { body: bundle })
      assertOperationOutcome(assert, response, 422, { expression: 'Bundle.entry[2]' })
      const patients = await fhir('GET', `/Patient?identifier=urn:outpost:test:bundle|${value}`)
      assert.equal(patients.json.total, 0)
    })

    test('a transaction naming the same resource twice is refused', async ({ assert }) => {
      const id = randomUUID()
      const patient = { resourceType: 'Patient', id, name: [{ family: 'Twice' }] }
      const bundle = {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { resource: patient, request: { method: 'PUT', url: `Patient/${id}` } },
          { resource: patient, request: { method: 'PUT', url: `Patient/${id}` } },
        ],
      }
      assertOperationOutcome(assert, await fhir('POST', '', { body: bundle }), 400, {
        diagnostics: /repeats/,
      })
      assertOperationOutcome(assert, await fhir('GET', `/Patient/${id}`), 404)
    })

    test('a searchset Bundle is not a transaction: refused with the element at fault', async ({
      assert,
    }) => {
      const response = await fhir('POST', '', { body: corpusText('bundle-example.json') })
      assertOperationOutcome(assert, response, 400, { expression: 'Bundle.type' })
    })

    test('a batch answers each entry on its own', async ({ assert }) => {
      const good = { resourceType: 'Patient', name: [{ family: 'Batch' }] }
      const bad = { resourceType: 'Patient', gender: 'femme' }
      const response = await fhir('POST', '', {
        body: {
          resourceType: 'Bundle',
          type: 'batch',
          entry: [
            { resource: good, request: { method: 'POST', url: 'Patient' } },
            { resource: bad, request: { method: 'POST', url: 'Patient' } },
            { request: { method: 'GET', url: `Patient/${randomUUID()}` } },
          ],
        },
      })
      assert.equal(response.status, 200, response.text)
      assert.equal(response.json.type, 'batch-response')
      const statuses = response.json.entry.map((entry: any) => entry.response.status)
      assert.deepEqual(statuses, ['201 Created', '422', '404'])
      assert.equal(response.json.entry[1].response.outcome.resourceType, 'OperationOutcome')
    })
  })
}
